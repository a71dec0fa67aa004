"""The SQLite store, through sqlite-utils.

- Stable ids: a document's id is the start of its content's SHA-256; a record's id hashes the
  document id, the record kind and its identifying text, so the same document and text give the
  same id on every run.
- Idempotent: a document is written in one transaction that first removes whatever the database
  held for it (and for an older edition of the same file), so ingesting twice changes nothing
  and a failure part-way leaves the previous state intact.
- Schema changes go through the ordered MIGRATIONS, recorded in PRAGMA user_version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable

import sqlite_utils

from schemas.records import Council, Extraction, Problem

FTS = {
    "actions": ["text", "section", "source_text"],
    "priorities": ["title"],
    "measures": ["name", "source_text"],
}


def stable_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _create_v1(db: sqlite_utils.Database) -> None:
    db["councils"].create(
        {"code": str, "name": str, "official_name": str, "gss_code": str, "nation": str, "region": str, "authority_type": str},
        pk="code",
    )
    db["documents"].create(
        {
            "id": str, "source": str, "council_code": str, "title": str, "kind": str, "period_start": int,
            "period_end": int, "format": str, "pages": int, "sha256": str, "source_url": str, "path": str,
            "priorities_count": int, "actions_count": int, "measures_count": int, "warnings": str,
        },
        pk="id",
        foreign_keys=[("council_code", "councils", "code")],
    )
    provenance = {"page": int, "block_id": str, "bbox": str, "span_start": int, "span_end": int, "source_text": str}
    db["priorities"].create(
        {"id": str, "document_id": str, "council_code": str, "ordinal": int, "number": str, "level": int,
         "title": str, "parent_id": str, **provenance},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("council_code", "councils", "code"), ("parent_id", "priorities", "id")],
    )
    db["actions"].create(
        {"id": str, "document_id": str, "council_code": str, "ordinal": int, "ref": str, "text": str, "section": str,
         "priority_numbers": str, "owners": str, "status": str, "rag": str, "deadline_text": str,
         "deadline_start": str, "deadline_end": str, "deadline_year": int, "deadline_granularity": str,
         "measure": str, "details": str, **provenance},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("council_code", "councils", "code")],
    )
    db["action_priorities"].create(
        {"action_id": str, "priority_id": str},
        pk=("action_id", "priority_id"),
        foreign_keys=[("action_id", "actions", "id"), ("priority_id", "priorities", "id")],
    )
    db["action_owners"].create(
        {"action_id": str, "owner": str},
        pk=("action_id", "owner"),
        foreign_keys=[("action_id", "actions", "id")],
    )
    db["deadlines"].create(
        {"id": str, "action_id": str, "document_id": str, "text": str, "start": str, "end": str,
         "granularity": str, "year": int},
        pk="id",
        foreign_keys=[("action_id", "actions", "id"), ("document_id", "documents", "id")],
    )
    db["measures"].create(
        {"id": str, "document_id": str, "council_code": str, "ordinal": int, "name": str, "value": str,
         "as_at": str, "target": str, "target_date": str, "status": str, "priority_numbers": str, **provenance},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("council_code", "councils", "code")],
    )
    db["problems"].create(
        {"id": str, "source": str, "document_id": str, "stage": str, "reason": str, "page": int, "detail": str},
        pk="id",
    )
    for table, columns in FTS.items():
        db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    for table, column in [("priorities", "document_id"), ("actions", "document_id"), ("measures", "document_id"),
                          ("actions", "council_code"), ("actions", "deadline_end"), ("deadlines", "end"),
                          ("documents", "council_code"), ("action_priorities", "priority_id")]:
        db[table].create_index([column], if_not_exists=True)


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1]


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the database at `path`."""
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA foreign_keys = ON")
    version = db.conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(f"{path}: database schema version {version} is newer than this councilplans ({len(MIGRATIONS)})")
    for number in range(version, len(MIGRATIONS)):
        with db.conn:
            MIGRATIONS[number](db)
            db.conn.execute(f"PRAGMA user_version = {number + 1}")
    return db


def _provenance(prov) -> dict:
    return {
        "page": prov.page,
        "block_id": prov.block_id,
        "bbox": json.dumps(prov.bbox.model_dump()) if prov.bbox else None,
        "span_start": prov.span.start if prov.span else None,
        "span_end": prov.span.end if prov.span else None,
        "source_text": prov.source_text,
    }


def _delete_document(db: sqlite_utils.Database, document_id: str) -> None:
    conn = db.conn
    conn.execute("DELETE FROM action_priorities WHERE action_id IN (SELECT id FROM actions WHERE document_id = ?)", [document_id])
    conn.execute("DELETE FROM action_owners WHERE action_id IN (SELECT id FROM actions WHERE document_id = ?)", [document_id])
    for table in ("deadlines", "actions", "measures"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
    conn.execute("UPDATE priorities SET parent_id = NULL WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM priorities WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM problems WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM documents WHERE id = ?", [document_id])


def _unique_ids(prefix: tuple, keys: Iterable[tuple]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for key in keys:
        base = stable_id(*prefix, *key)
        count = seen.get(base, 0)
        seen[base] = count + 1
        ids.append(base if count == 0 else stable_id(base, count))
    return ids


def store_extraction(
    db: sqlite_utils.Database,
    extraction: Extraction,
    *,
    council: Council | None,
    path: str | None = None,
    warnings: tuple[str, ...] = (),
) -> str:
    """Write one document's records, replacing what was there. Returns the document id."""
    info = extraction.document
    document_id = (info.sha256 or stable_id(info.source))[:16]
    with db.conn:  # one transaction: all or nothing
        stale = [r[0] for r in db.conn.execute("SELECT id FROM documents WHERE source = ? AND id != ?", [info.source, document_id])]
        for old in stale:
            _delete_document(db, old)
        _delete_document(db, document_id)
        if council is not None:
            db["councils"].upsert(council.model_dump(), pk="code")
        code = council.code if council else None
        db["documents"].insert(
            {
                "id": document_id, "source": info.source, "council_code": code, "title": info.title,
                "kind": info.kind, "period_start": info.period_start, "period_end": info.period_end,
                "format": info.format, "pages": info.pages, "sha256": info.sha256, "source_url": info.source_url,
                "path": path, "priorities_count": len(extraction.priorities), "actions_count": len(extraction.actions),
                "measures_count": len(extraction.measures), "warnings": json.dumps(list(warnings)) if warnings else None,
            }
        )
        priority_ids = _unique_ids((document_id, "priority"), ((p.level, p.number) for p in extraction.priorities))
        by_number = {p.number: pid for p, pid in zip(extraction.priorities, priority_ids)}
        # A parent is the nearest earlier priority with that number: printed lists may restart
        # their numbering ("1." cross-cutting, then "1." again for the first domain).
        seen: dict[str, str] = {}
        parent_ids = []
        for p, pid in zip(extraction.priorities, priority_ids):
            parent_ids.append(seen.get(p.parent) if p.parent else None)
            seen[p.number] = pid
        db["priorities"].insert_all(
            {
                "id": pid, "document_id": document_id, "council_code": code, "ordinal": k, "number": p.number,
                "level": p.level, "title": p.title, "parent_id": parent_id,
                **_provenance(p.provenance),
            }
            for k, (p, pid, parent_id) in enumerate(zip(extraction.priorities, priority_ids, parent_ids))
        )
        action_ids = _unique_ids((document_id, "action"), ((a.ref, " ".join(a.text.lower().split())) for a in extraction.actions))
        rows, links, owners, deadlines = [], [], [], []
        for k, (a, aid) in enumerate(zip(extraction.actions, action_ids)):
            d = a.deadline
            year = (d.end or d.start).year if d and (d.end or d.start) else None
            rows.append({
                "id": aid, "document_id": document_id, "council_code": code, "ordinal": k, "ref": a.ref, "text": a.text,
                "section": a.section, "priority_numbers": ", ".join(a.priorities) or None,
                "owners": json.dumps(list(a.owners)), "status": json.dumps(list(a.status)),
                "rag": a.status[0] if a.status else None,
                "deadline_text": d.text if d else None,
                "deadline_start": d.start.isoformat() if d and d.start else None,
                "deadline_end": d.end.isoformat() if d and d.end else None,
                "deadline_year": year, "deadline_granularity": d.granularity if d else None,
                "measure": a.measure, "details": json.dumps(a.details) if a.details else None,
                **_provenance(a.provenance),
            })
            links.extend({"action_id": aid, "priority_id": by_number[n]} for n in dict.fromkeys(a.priorities) if n in by_number)
            owners.extend({"action_id": aid, "owner": o} for o in dict.fromkeys(a.owners))
            if d:
                deadlines.append({
                    "id": aid, "action_id": aid, "document_id": document_id, "text": d.text,
                    "start": d.start.isoformat() if d.start else None, "end": d.end.isoformat() if d.end else None,
                    "granularity": d.granularity, "year": year,
                })
        db["actions"].insert_all(rows)
        db["action_priorities"].insert_all(links)
        db["action_owners"].insert_all(owners)
        db["deadlines"].insert_all(deadlines)
        measure_ids = _unique_ids((document_id, "measure"), ((" ".join(m.name.lower().split()),) for m in extraction.measures))
        db["measures"].insert_all(
            {
                "id": mid, "document_id": document_id, "council_code": code, "ordinal": k, "name": m.name,
                "value": m.value, "as_at": m.as_at.isoformat() if m.as_at else None, "target": m.target,
                "target_date": m.target_date.isoformat() if m.target_date else None, "status": m.status,
                "priority_numbers": ", ".join(m.priorities) or None, **_provenance(m.provenance),
            }
            for k, (m, mid) in enumerate(zip(extraction.measures, measure_ids))
        )
        store_problems(db, extraction.problems, document_id=document_id, transaction=False)
    return document_id


def store_problems(db: sqlite_utils.Database, problems: Iterable[Problem], *, document_id: str | None = None, transaction: bool = True) -> None:
    rows = [
        {
            "id": stable_id(p.source, p.stage, p.reason, p.page, p.detail, document_id),
            "source": p.source, "document_id": document_id, "stage": p.stage, "reason": p.reason,
            "page": p.page, "detail": p.detail,
        }
        for p in problems
    ]
    if not rows:
        return
    if transaction:
        with db.conn:
            db["problems"].upsert_all(rows, pk="id")
    else:
        db["problems"].upsert_all(rows, pk="id")


def clear_file_problems(db: sqlite_utils.Database, source: str) -> None:
    """Forget load problems recorded for a file (before re-trying it)."""
    with db.conn:
        db.conn.execute("DELETE FROM problems WHERE source = ? AND document_id IS NULL", [source])
