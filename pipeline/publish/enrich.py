"""Fields derived from stored records for the published site, kept in the database so that
facets, stored queries and exports can use them:

- themes (extractors/themes.py) of every commitment, priority and measure, as a JSON list on the
  record and one row per match in `theme_matches` with the words that matched (the evidence);
- a commitment's `strength` (firm, conditional, aspirational: strength.yaml), its SMART flags
  (`has_owner`, `has_deadline`, `has_measure`) and its `progress` when a status word stands
  where a deadline goes ("Completed by Jan 2025" is completed, not overdue);
- `source_note`: tool notes taken out of a source quote ("(printed 8 times, garbled)"), so that
  `source_text` is the document's own words.

- `facet_counts`: each document's rows counted by the published tables' default facets
  (`FACETS`: council, theme, strength ...), so that a table's page without filters sums a few
  rows per document instead of reading every row (pipeline/publish/facets.py; migration 6).

`derive(db, document_id)` recomputes one document (store.py calls it inside the document's
transaction); `refresh(db)` recomputes everything when themes.yaml has changed since the
database last saw it.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

import sqlite_utils
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from extractors.patterns import PatternFileError
from extractors.themes import match_themes, taxonomy_version, theme_list

CUES_FILE = Path(__file__).with_name("strength.yaml")
STRENGTHS = ("firm", "conditional", "aspirational")
PLAN_KINDS = ("strategy", "corporate_plan", "operational_plan", "action_plan", "plan")
NOTE = re.compile(r"\s*\((printed \d+ times?, garbled)\)\s*$")
KINDS = {"actions": ("action", "text"), "priorities": ("priority", "title"), "measures": ("measure", "name")}
# The default facets of the published tables (metadata.yaml), counted per document at store time:
# table -> {column: "column" (one value a row) or "array" (a JSON list of values a row)}.
FACETS = {
    "actions": {"council_code": "column", "themes": "array", "strength": "column"},
    "priorities": {"council_code": "column", "level": "column", "themes": "array"},
    "measures": {"council_code": "column", "status": "column", "themes": "array"},
}
FACETS_KEY = "facet_counts"  # store_meta: the FACETS the counts were made for (JSON)


class Cues(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conditional: list[str]
    aspirational: list[str]
    progress: dict[str, list[str]]

    @field_validator("conditional", "aspirational")
    @classmethod
    def not_empty(cls, value: list[str]) -> list[str]:
        value = [v.strip().lower() for v in value if v and v.strip()]
        if not value:
            raise ValueError("must list at least one phrase")
        return value


def _phrases(phrases: list[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(p.lower()).replace(r"\ ", r"\s+") for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.I)


@lru_cache(maxsize=1)
def cues() -> tuple[re.Pattern[str], re.Pattern[str], list[tuple[str, re.Pattern[str], re.Pattern[str]]]]:
    try:
        data = Cues.model_validate(yaml.safe_load(CUES_FILE.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise PatternFileError(f"{CUES_FILE}: {exc}") from exc
    progress = []
    for name, words in data.progress.items():
        body = "|".join(sorted((re.escape(w.lower()).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True))
        progress.append((name, re.compile(rf"^\s*(?:{body})(?![\w-])", re.I), re.compile(rf"^\s*(?:{body})\s*[.!]?\s*$", re.I)))
    return _phrases(data.conditional), _phrases(data.aspirational), progress


def strength(text: str | None) -> str:
    """How firmly a commitment is worded.

    >>> [strength(t) for t in ["Implement the strategy", "Explore a new model", "Extend the offer, subject to funding"]]
    ['firm', 'aspirational', 'conditional']
    """
    conditional, aspirational, _ = cues()
    text = text or ""
    if conditional.search(text):
        return "conditional"
    if aspirational.search(text):
        return "aspirational"
    return "firm"


def progress(deadline_text: str | None, details: dict | None = None) -> str | None:
    """A status printed where a deadline goes, or as a table cell of its own.

    >>> progress("Completed by Jan 2025"), progress("by June 2026"), progress(None, {"status": "On track"})
    ('completed', None, 'in progress')
    """
    _, _, patterns = cues()
    for name, opens, _ in patterns:
        if deadline_text and opens.search(deadline_text):
            return name
    for value in (details or {}).values():
        if isinstance(value, str) and 0 < len(value) <= 40:
            for name, _, whole in patterns:
                if whole.match(value):
                    return name
    return None


def split_note(source_text: str | None) -> tuple[str | None, str | None]:
    """A source quote without the tool's note, and the note.

    >>> split_note("Implement our Practice Model (printed 4 times, garbled)")
    ('Implement our Practice Model', 'printed 4 times, garbled')
    """
    if not source_text:
        return source_text, None
    match = NOTE.search(source_text)
    if not match:
        return source_text, None
    return source_text[: match.start()], match.group(1)


def _id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def create_schema(db: sqlite_utils.Database) -> None:
    """Migration 2: the derived columns, the themes tables, and full-text search over each
    record's own text (a commitment's text, not the whole table row it came from)."""
    columns = {
        "actions": {"themes": str, "strength": str, "has_owner": int, "has_deadline": int, "has_measure": int,
                    "progress": str, "source_note": str},
        "priorities": {"themes": str, "source_note": str},
        "measures": {"themes": str, "source_note": str},
    }
    for table, wanted in columns.items():
        have = set(db[table].columns_dict)
        for name, kind in wanted.items():
            if name not in have:
                db[table].add_column(name, kind)
    if "themes" not in db.table_names():
        db["themes"].create({"name": str, "label": str, "theme_group": str, "description": str, "terms": str,
                             "position": int}, pk="name")
    if "theme_matches" not in db.table_names():
        db["theme_matches"].create(
            {"id": str, "kind": str, "record_id": str, "document_id": str, "council_code": str, "theme": str,
             "evidence": str, "span_start": int, "span_end": int},
            pk="id",
            foreign_keys=[("document_id", "documents", "id"), ("council_code", "councils", "code"), ("theme", "themes", "name")],
        )
    if "store_meta" not in db.table_names():
        db["store_meta"].create({"key": str, "value": str}, pk="key")
    for table, column in [("theme_matches", "record_id"), ("theme_matches", "theme"), ("theme_matches", "document_id"),
                          ("theme_matches", "council_code"), ("actions", "strength"), ("actions", "progress")]:
        db[table].create_index([column], if_not_exists=True)
    db["actions"].enable_fts(["text"], create_triggers=True, tokenize="porter", replace=True)
    db["measures"].enable_fts(["name"], create_triggers=True, tokenize="porter", replace=True)
    refresh(db, force=True)


def _write_themes_table(db: sqlite_utils.Database) -> None:
    db.conn.execute("DELETE FROM themes WHERE name NOT IN (%s)" % ",".join("?" * len(theme_list())),
                    [t.name for t in theme_list()])
    db["themes"].upsert_all(
        [{"name": t.name, "label": t.label, "theme_group": t.group, "description": t.description,
          "terms": json.dumps(t.terms, ensure_ascii=False), "position": k} for k, t in enumerate(theme_list())],
        pk="name",
    )
    db["store_meta"].upsert({"key": "themes_version", "value": taxonomy_version()}, pk="key")


def refresh(db: sqlite_utils.Database, *, force: bool = False) -> bool:
    """Recompute every record's derived fields if themes.yaml changed since the database last
    saw it (or `force`). Returns whether it did."""
    if "store_meta" not in db.table_names():
        return False
    row = db.conn.execute("SELECT value FROM store_meta WHERE key = 'themes_version'").fetchone()
    if not force and row and row[0] == taxonomy_version():
        return False
    db.conn.execute("DELETE FROM theme_matches")
    _write_themes_table(db)
    for (document_id,) in db.conn.execute("SELECT id FROM documents").fetchall():
        derive(db, document_id, refresh_taxonomy=False)
    return True


def derive(db: sqlite_utils.Database, document_id: str, *, refresh_taxonomy: bool = True) -> None:
    """Recompute themes, strength, SMART flags, progress and source notes for one document."""
    if refresh_taxonomy and refresh(db):
        return  # refresh has just recomputed every document, this one included
    conn = db.conn
    conn.execute("DELETE FROM theme_matches WHERE document_id = ?", [document_id])
    matches = []
    for table, (kind, text_column) in KINDS.items():
        extra = ", owners, deadline_start, deadline_end, deadline_text, measure, details" if table == "actions" else ""
        rows = conn.execute(f"SELECT id, council_code, {text_column}, source_text{extra} FROM {table} WHERE document_id = ?",
                            [document_id]).fetchall()
        updates = []
        for row in rows:
            record_id, council, text, source_text = row[:4]
            found = match_themes(text)
            themes = list(dict.fromkeys(m.theme for m in found))
            matches.extend(
                {"id": _id(kind, record_id, m.theme, m.start), "kind": kind, "record_id": record_id,
                 "document_id": document_id, "council_code": council, "theme": m.theme, "evidence": m.text,
                 "span_start": m.start, "span_end": m.end}
                for m in found
            )
            quote, note = split_note(source_text)
            values = {"themes": json.dumps(themes, ensure_ascii=False), "source_text": quote, "source_note": note}
            if table == "actions":
                owners, start, end, deadline_text, measure, details = row[4:]
                try:
                    details = json.loads(details) if details else {}
                except ValueError:
                    details = {}
                values.update({
                    "strength": strength(text),
                    "has_owner": int(bool(json.loads(owners or "[]"))),
                    "has_deadline": int(bool(start or end)),
                    "has_measure": int(bool(measure and measure.strip())),
                    "progress": progress(deadline_text, details if isinstance(details, dict) else {}),
                })
            updates.append((values, record_id))
        for values, record_id in updates:
            assignments = ", ".join(f"[{k}] = ?" for k in values)
            conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), record_id])
    if matches:
        db["theme_matches"].insert_all(matches, pk="id", replace=True)
    if "facet_counts" in db.table_names():  # (from migration 6)
        count_facets(db, document_id)


def create_facet_counts(db: sqlite_utils.Database) -> None:
    """Migration 6: the `facet_counts` table, filled for every document stored so far."""
    db.conn.execute(
        "CREATE TABLE IF NOT EXISTS facet_counts (document_id TEXT NOT NULL, table_name TEXT NOT NULL, facet TEXT NOT NULL, "
        "value NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (document_id, table_name, facet, value))")
    db.conn.execute("CREATE INDEX IF NOT EXISTS idx_facet_counts_facet ON facet_counts (table_name, facet, value, count)")
    count_facets(db, None)


def count_facets(db: sqlite_utils.Database, document_id: str | None) -> None:
    """Count one document's rows (None: every document's) by `FACETS` into `facet_counts`: per
    facet value, how many of its rows have it (an array facet: how many rows' lists hold it)."""
    conn = db.conn
    where = "t.document_id IS NOT NULL" if document_id is None else "t.document_id = :document"
    if document_id is None:
        conn.execute("DELETE FROM facet_counts")
    else:
        conn.execute("DELETE FROM facet_counts WHERE document_id = ?", [document_id])
    for table, facets in FACETS.items():
        for column, kind in facets.items():
            if kind == "array":
                source = f"[{table}] t, json_each(CASE WHEN json_valid(t.[{column}]) THEN t.[{column}] END) j"
                value = "j.value"
            else:
                source, value = f"[{table}] t", f"t.[{column}]"
            conn.execute(
                f"INSERT INTO facet_counts (document_id, table_name, facet, value, count) "
                f"SELECT t.document_id, :table, :facet, {value}, count(DISTINCT t.rowid) FROM {source} "
                f"WHERE {where} AND {value} IS NOT NULL GROUP BY t.document_id, {value}",
                {"table": table, "facet": column, "document": document_id})
    if document_id is None:
        db["store_meta"].upsert({"key": FACETS_KEY, "value": json.dumps(FACETS, sort_keys=True)}, pk="key")
