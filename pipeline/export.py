"""The export contract: one gold-shaped JSON file per document (see corpus/gold/README.md).

Read from the database, so that what is exported is what users see in Datasette.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils


def _deadline(row: dict) -> dict | None:
    if not row["deadline_text"] and not row["deadline_end"] and not row["deadline_start"]:
        return None
    return {"text": row["deadline_text"], "start": row["deadline_start"], "end": row["deadline_end"],
            "granularity": row["deadline_granularity"]}


def _numbers(value: str | None) -> list[str]:
    return [n.strip() for n in value.split(",")] if value else []


def _themes(row: dict) -> list[str]:
    """The record's theme names (pipeline/publish/enrich.py), [] where none were found."""
    return json.loads(row.get("themes") or "[]")


def export_document(db: sqlite_utils.Database, document_id: str) -> dict:
    doc = next(db.query("SELECT d.*, c.name AS council_name, c.gss_code FROM documents d "
                        "LEFT JOIN councils c ON c.code = d.council_code WHERE d.id = ?", [document_id]))
    priorities = [
        {"number": r["number"], "level": r["level"], "title": r["title"], "page": r["page"], "themes": _themes(r)}
        for r in db.query("SELECT * FROM priorities WHERE document_id = ? ORDER BY ordinal", [document_id])
    ]
    actions = [
        {
            "text": r["text"], "ref": r["ref"], "priorities": _numbers(r["priority_numbers"]),
            "deadline": _deadline(r), "owners": json.loads(r["owners"] or "[]"),
            "status": json.loads(r["status"] or "[]"), "measure": r["measure"], "page": r["page"], "id": r["id"],
            "themes": _themes(r),
        }
        for r in db.query("SELECT * FROM actions WHERE document_id = ? ORDER BY ordinal", [document_id])
    ]
    measures = [
        {
            "name": r["name"], "value": r["value"], "as_at": r["as_at"], "target": r["target"],
            "target_date": r["target_date"], "status": r["status"], "page": r["page"], "id": r["id"],
            "themes": _themes(r),
        }
        for r in db.query("SELECT * FROM measures WHERE document_id = ? ORDER BY ordinal", [document_id])
    ]
    return {
        "document": {
            "source": doc["source"], "council": doc["council_name"], "gss_code": doc["gss_code"], "title": doc["title"],
            "kind": doc["kind"], "period_start": doc["period_start"], "period_end": doc["period_end"],
            "pages": doc["pages"], "id": doc["id"],
        },
        "priorities": priorities,
        "actions": actions,
        "measures": measures,
    }


def export_all(db: sqlite_utils.Database) -> dict[str, dict]:
    """{source file stem: document dict} for every document in the database."""
    out = {}
    for row in db.query("SELECT id, source FROM documents ORDER BY source"):
        out[Path(row["source"]).stem] = export_document(db, row["id"])
    return out


def write_export(db: sqlite_utils.Database, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, data in export_all(db).items():
        path = out_dir / f"{stem}.json"
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
