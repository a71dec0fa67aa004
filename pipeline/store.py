"""The SQLite store, through sqlite-utils.

- Stable ids: a document's id is the start of its content's SHA-256 (the first 16 hex digits;
  `stable_id(source)` only for a document without one); a record's id hashes where its document
  came from (council and file name; the document id when there is no council or another document
  of that council has that name), the record kind and its identifying text, so the same text at the
  same place gives the same id on every run, in any database, and an edit elsewhere in the
  document leaves it unchanged.
- Identity: a document is *identified* by where it came from, its `location` (the path within the
  folder given, as `ingest` shows it: "councils/kent/corporate_plan.txt"), not by its bare file
  name: a document stored at a location replaces the older content stored at that location (or
  from the same file on disk), so two plans called corporate_plan.txt in two councils' folders
  are two documents, and a re-published plan replaces its previous content. Its source URL, when
  a manifest gives one, is kept in `source_url`.
- Idempotent: a document is written in one transaction that first removes whatever the database
  held for it (and for an older edition of the same file), so ingesting twice changes nothing
  and a failure part-way leaves the previous state intact.
- Schema changes go through the ordered MIGRATIONS, recorded in PRAGMA user_version: all pending
  migrations run in one transaction that also sets the version, so a run stopped part-way leaves
  the database as it was. (A half-created schema left by an older version, with every table empty,
  is cleared and created again.)
- Faults around the database are named, with the database and what to do (`StoreError`, codes
  E6xx): a full disk, a lock held by another process, a file that is not a database. A hot journal
  left by a run killed during a commit is rolled back on opening, and said so.
"""

from __future__ import annotations

import collections
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Callable, Iterable

import sqlite_utils

from pipeline.publish import enrich
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


def _accounting_v3(db: sqlite_utils.Database) -> None:
    """Migration 3: every file a run finds, with its outcome (`files`), each run's counts (`runs`),
    and the path of the file a problem concerns (two files may share a name)."""
    db["runs"].create(
        {"id": str, "started": str, "finished": str, "status": str, "found": int, "ingested": int, "duplicates": int,
         "failed": int, "skipped": int, "notes": str},
        pk="id",
    )
    db["files"].create(
        {"id": str, "path": str, "name": str, "outcome": str, "document_id": str, "duplicate_of": str, "reason": str,
         "size": int, "seconds": float, "run_id": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    for column in ("outcome", "document_id", "run_id"):
        db["files"].create_index([column], if_not_exists=True)
    if "path" not in db["problems"].columns_dict:
        db["problems"].add_column("path", str)


def _sources_v4(db: sqlite_utils.Database) -> None:
    """Migration 4: the sources `councilplans fetch` checks (`sources`: one row per council, series
    and URL or path, with what the last check found), every check (`fetches`), and the `coverage`
    view per council and series (pipeline/fetch.py)."""
    db["sources"].create(
        {"id": str, "council_code": str, "council_name": str, "gss_code": str, "series": str, "series_key": str,
         "url": str, "path": str, "format": str, "cadence": str, "cadence_months": int, "sources_file": str,
         "entry": int, "added": str, "first_seen": str, "last_checked": str, "last_changed": str, "last_attempt": str,
         "found": int, "status": str, "reason": str, "http_status": int, "final_url": str, "content_type": str,
         "etag": str, "last_modified": str, "sha256": str, "archive_path": str, "size": int},
        pk="id",
    )
    db["fetches"].create(
        {"id": int, "run_id": str, "source_id": str, "at": str, "status": str, "reason": str, "conditional": int,
         "http_status": int, "final_url": str, "content_type": str, "etag": str, "last_modified": str, "sha256": str,
         "archive_path": str, "size": int, "seconds": float},
        pk="id",
        foreign_keys=[("source_id", "sources", "id")],
    )
    for table, column in [("fetches", "source_id"), ("sources", "council_code"), ("sources", "sha256")]:
        db[table].create_index([column], if_not_exists=True)
    db.execute("DROP VIEW IF EXISTS coverage")
    db.execute(COVERAGE_VIEW)


# Per council and series: "checked, found" when any of its sources' last answer was a file;
# "not checked" while any source has never answered (only failures, or never fetched); else
# "checked, none found" (a 404 or an empty file: nothing published there, not "no commitments").
COVERAGE_VIEW = """CREATE VIEW coverage AS
SELECT
  council_code,
  max(council_name) AS council,
  max(gss_code) AS gss_code,
  max(series) AS series,
  CASE
    WHEN max(found = 1) = 1 THEN 'checked, found'
    WHEN max(last_checked IS NULL) = 1 THEN 'not checked'
    ELSE 'checked, none found'
  END AS state,
  max(last_checked) AS last_checked,
  max(CASE WHEN found = 1 THEN last_checked END) AS last_found,
  min(first_seen) AS first_seen,
  max(last_changed) AS last_changed,
  max(last_attempt) AS last_attempt,
  max(cadence) AS cadence,
  date(max(last_changed), '+' || max(cadence_months) || ' months') AS next_edition_due,
  count(*) AS sources,
  sum(status = 'failed') AS failing,
  series_key
FROM sources
GROUP BY council_code, series_key"""


def _incremental_v5(db: sqlite_utils.Database) -> None:
    """Migration 5: incremental runs and stable identities. Each document row says where it came
    from (`location`: its path within the folder given) and what read it (`extractor_version`),
    and holds the `fingerprint` (content, extractor version, manifest entry, --council) that lets
    the next run skip it when nothing changed. Each run records the extractor version, files found
    unchanged, what changed (documents new / changed / re-extracted; commitments added / removed)
    and its time; each file row its content hash."""
    documents = db["documents"]
    for column in ("location", "extractor_version", "fingerprint"):
        if column not in documents.columns_dict:
            documents.add_column(column, str)
    documents.create_index(["location"], if_not_exists=True)
    runs = db["runs"]
    for column, kind in (("unchanged", int), ("extractor_version", str), ("forced", int), ("seconds", float),
                         ("documents_new", int), ("documents_changed", int), ("documents_reextracted", int),
                         ("commitments_added", int), ("commitments_removed", int)):
        if column not in runs.columns_dict:
            runs.add_column(column, kind)
    if "sha256" not in db["files"].columns_dict:
        db["files"].add_column("sha256", str)


# Every column by which a document's rows are found when it is replaced, or that a foreign key
# checks when a parent row is deleted or its key changes: (table, columns). Without an index each
# of these is a scan of the whole table, for every row deleted (migration 6).
DOCUMENT_INDEXES = [
    ("deadlines", ["action_id"]),  # deleting an action checks deadlines.action_id
    ("deadlines", ["document_id"]),  # deleting a document's deadlines; deleting a document checks them
    ("priorities", ["parent_id"]),  # deleting a priority checks its sub-priorities
    ("priorities", ["council_code"]),  # changing a council checks its rows (and a council's page reads them)
    ("measures", ["council_code"]),
    ("problems", ["document_id"]),  # deleting a document's problems
    ("problems", ["path", "source"]),  # clear_file_problems: by path, or by name where no path was recorded
    ("documents", ["path"]),  # the older content of the same file (store_extraction, ingest's change check)
    ("documents", ["source", "council_code"]),  # the same file name, and records' lineage
]


def _fts_columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """The columns `table`'s full-text index holds (migration 2 narrowed some of migration 1's)."""
    return [row[1] for row in db.conn.execute(f"PRAGMA table_info([{table}_fts])")]


def _scale_v6(db: sqlite_utils.Database) -> None:
    """Migration 6: a store that scales (issue 11). Replacing one document touches only its own
    rows, whatever the size of the database: an index on every column its rows are found by and
    every foreign key checked when they are deleted (`DOCUMENT_INDEXES`), and full-text triggers
    that re-index a row only when its indexed text changes (the derived fields `enrich` writes
    after each insert no longer delete and re-insert every row's full-text entry). And for the
    published site: each document's rows counted by the default facets (`facet_counts`), so a
    table's page reads a few rows per document, not every row, for its facets."""
    for table, columns in DOCUMENT_INDEXES:
        db[table].create_index(columns, if_not_exists=True)
    enrich.create_facet_counts(db)  # the default facets, counted per document
    for table in FTS:
        columns = _fts_columns(db, table)
        if not columns:
            continue
        names = ", ".join(f"[{c}]" for c in columns)
        old = ", ".join(f"old.[{c}]" for c in columns)
        new = ", ".join(f"new.[{c}]" for c in columns)
        db.conn.execute(f"DROP TRIGGER IF EXISTS [{table}_au]")
        db.conn.execute(
            f"CREATE TRIGGER [{table}_au] AFTER UPDATE OF {names} ON [{table}] BEGIN\n"
            f"  INSERT INTO [{table}_fts] ([{table}_fts], rowid, {names}) VALUES('delete', old.rowid, {old});\n"
            f"  INSERT INTO [{table}_fts] (rowid, {names}) VALUES (new.rowid, {new});\n"
            f"END")


# 2: themes (theme_matches, a themes column), strength, SMART flags, progress, source notes, and
# full-text search over each record's own text (pipeline/publish/enrich.py).
# 3: accounting (files, runs, problems.path).
# 4: sources, fetches and the coverage view (pipeline/fetch.py).
# 5: incremental runs: documents.location / extractor_version / fingerprint, more run counts.
# 6: scale (issue 11): indexes for replacing a document and for foreign keys, full-text triggers only
#    for the indexed words, facet_counts (the published tables' default facets, per document).
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _create_v1, enrich.create_schema, _accounting_v3, _sources_v4, _incremental_v5, _scale_v6,
]


# How long a write waits for another process's lock before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000


class StoreError(RuntimeError):
    """A fault around the database itself: the message names the database, what went wrong and
    what to do; `code` is one of E6xx."""

    def __init__(self, path: Path | str, code: str, problem: str, hint: str):
        self.path, self.code, self.problem, self.hint = str(path), code, problem, hint
        super().__init__(f"{path}: [{code}] {problem}\nHint: {hint}")

    @classmethod
    def of(cls, exc: sqlite3.Error, path: Path | str, doing: str) -> "StoreError":
        """The StoreError for an error SQLite raised while `doing` something (e.g. "storing plan.pdf")."""
        message = str(exc)
        lowered = message.lower()
        if "disk is full" in lowered or "disk i/o error" in lowered:
            return cls(path, "E601", f"the disk is full (or failing) while {doing}: {message}",
                       "free some space and run again; documents stored before this one are kept, and this one was not written")
        if "locked" in lowered or "busy" in lowered:
            return cls(path, "E602", f"another process holds the database's write lock while {doing}: {message}",
                       "wait for the other ingestion to finish (only one may write at a time), or use another --db")
        if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
            return cls(path, "E603", f"the file is not a SQLite database, or it is damaged, while {doing}: {message}",
                       "give another --db path, or move this file away; `sqlite3 FILE .recover` can rescue a damaged one")
        if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
            return cls(path, "E604", f"the database cannot be opened for writing while {doing}: {message}",
                       "check that its folder exists and that you may write to it (and to its -journal file)")
        return cls(path, "E600", f"SQLite failed while {doing}: {type(exc).__name__}: {message}",
                   "run `PRAGMA integrity_check` on the database; if it is ok, report this with the command you ran")


def recover_hot_journal(path: Path | str) -> str | None:
    """Roll back the unfinished transaction of a writer that was killed during a commit, if its
    rollback journal is still beside the database; returns a message saying so, else None.

    A read-only opener (such as `serve`) cannot do this and sees an unreadable file: one
    read-write open, as here, puts the database back to its last committed state."""
    journal = Path(f"{path}-journal")
    if not Path(path).exists() or not journal.exists() or journal.stat().st_size == 0:
        return None
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # the first read rolls a hot journal back
    except sqlite3.Error as exc:
        raise StoreError.of(exc, path, "rolling back an interrupted write") from exc
    finally:
        conn.close()
    if journal.exists() and journal.stat().st_size > 0:
        return None  # not hot after all (another process's live transaction)
    return (f"{Path(path).name}: an earlier run was stopped while writing; its unfinished transaction was rolled back "
            "(everything it had committed is kept)")


def open_db(path: Path | str, *, notes: list[str] | None = None) -> sqlite_utils.Database:
    """Open (creating or migrating as needed) the database at `path`, or raise `StoreError`.
    Messages about what was repaired on the way are appended to `notes`."""
    try:
        note = recover_hot_journal(path)
        if note and notes is not None:
            notes.append(note)
        db = sqlite_utils.Database(path)
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.conn.execute("PRAGMA foreign_keys = ON")
        _migrate(db, path, notes)
    except sqlite3.Error as exc:
        raise StoreError.of(exc, path, "opening the database") from exc
    return db


# Every table a councilplans schema may hold (full-text tables and their shadow tables aside).
OWN_TABLES = {"councils", "documents", "priorities", "actions", "action_priorities", "action_owners", "deadlines",
              "measures", "problems", "themes", "theme_matches", "store_meta", "files", "runs", "sources", "fetches",
              "facet_counts"}


def _migrate(db: sqlite_utils.Database, path: Path | str, notes: list[str] | None) -> None:
    """Run the pending migrations in one transaction that also sets the version (all or nothing)."""
    conn = db.conn
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(path, "E605", f"the database's schema version {version} is newer than this councilplans "
                         f"({len(MIGRATIONS)})", "upgrade councilplans, or give another --db")
    if version == len(MIGRATIONS):
        return
    conn.execute("BEGIN IMMEDIATE")  # the write lock first: two first runs cannot both migrate
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            _clear_half_created(db, path, notes)
        for number in range(version, len(MIGRATIONS)):
            MIGRATIONS[number](db)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(path, "E606", f"migrating the schema from version {version} failed: {type(exc).__name__}: {exc}; "
                             "the database is unchanged", "free disk space and run again; if it fails again, report it") from exc
        raise


def _clear_half_created(db: sqlite_utils.Database, path: Path | str, notes: list[str] | None) -> None:
    """A version-0 database holding some of our tables was left by a first run stopped while an
    older councilplans created the schema outside a transaction: drop them if they are all empty."""
    tables = [r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    if not tables:
        return
    ours = lambda name: name in OWN_TABLES or name.split("_fts")[0] in OWN_TABLES  # noqa: E731
    foreign = [t for t in tables if not ours(t)]
    filled = [t for t in tables if t in OWN_TABLES and db.conn.execute(f"SELECT 1 FROM [{t}] LIMIT 1").fetchone()]
    if foreign or filled:
        raise StoreError(path, "E607", f"the database has tables ({', '.join(sorted(foreign or filled)[:5])}) but no "
                         "councilplans schema version: it was made by something else",
                         "give another --db path for councilplans' database")
    for name in [t for t in tables if t.endswith("_fts")] + [t for t in tables if not t.endswith("_fts") and "_fts_" not in t]:
        db.conn.execute(f"DROP TABLE IF EXISTS [{name}]")
    if notes is not None:
        notes.append(f"{Path(path).name}: a half-created schema left by an interrupted first run ({len(tables)} empty tables) "
                     "was created again")




def _provenance(prov) -> dict:
    return {
        "page": prov.page,
        "block_id": prov.block_id,
        "bbox": json.dumps(prov.bbox.model_dump()) if prov.bbox else None,
        "span_start": prov.span.start if prov.span else None,
        "span_end": prov.span.end if prov.span else None,
        "source_text": prov.source_text,
    }


def _has_facet_counts(db: sqlite_utils.Database) -> bool:
    return db.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'facet_counts'").fetchone() is not None


def _delete_document(db: sqlite_utils.Database, document_id: str) -> None:
    conn = db.conn
    conn.execute("DELETE FROM theme_matches WHERE document_id = ?", [document_id])
    if _has_facet_counts(db):
        conn.execute("DELETE FROM facet_counts WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM action_priorities WHERE action_id IN (SELECT id FROM actions WHERE document_id = ?)", [document_id])
    conn.execute("DELETE FROM action_owners WHERE action_id IN (SELECT id FROM actions WHERE document_id = ?)", [document_id])
    for table in ("deadlines", "actions", "measures"):
        conn.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
    conn.execute("UPDATE priorities SET parent_id = NULL WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM priorities WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM problems WHERE document_id = ?", [document_id])
    conn.execute("DELETE FROM documents WHERE id = ?", [document_id])


def commitment_key(council_code: str | None, text: str | None) -> tuple[str | None, str]:
    """What counts as the same commitment when a run counts commitments added and removed: its
    council and its words (case and spacing aside)."""
    return council_code, " ".join((text or "").lower().split())


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
    location: str | None = None,
    extractor_version: str | None = None,
    fingerprint: str | None = None,
    commitments: collections.Counter | None = None,
) -> str:
    """Write one document's records, replacing what was there. Returns the document id.

    `path` is the file on disk; `location` where the document came from (see the module's
    docstring); `extractor_version` and `fingerprint` let the next run skip it when unchanged.
    `commitments`, when given, is a tally by `commitment_key`: every commitment this removes
    counts -1, every one it writes +1 (a run's tally, positive and negative, is what it added and
    removed, without reading the rest of the database)."""
    info = extraction.document
    document_id = (info.sha256 or stable_id(info.source))[:16]
    with db.conn:  # one transaction: all or nothing
        # Older content of the same document: the same file on disk, or (for a file given without
        # a path) the same name and location. Not the location alone: two runs over two councils'
        # folders may each hold a "plan.txt", and neither may replace the other.
        stale = [r[0] for r in db.conn.execute(
            "SELECT id FROM documents WHERE id != ? AND (path = ? "
            "OR (source = ? AND (path IS NULL OR ? IS NULL) AND location IS ?))",
            [document_id, path, info.source, path, location])]
        tally: collections.Counter = collections.Counter()
        if commitments is not None:
            for old in [*stale, document_id]:
                tally.subtract(commitment_key(*row) for row in db.conn.execute(
                    "SELECT council_code, text FROM actions WHERE document_id = ?", [old]))
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
                "location": location, "extractor_version": extractor_version, "fingerprint": fingerprint,
            }
        )
        # Records are keyed by where their document came from (its council and file name), not by
        # its content's hash: an edit elsewhere in the document keeps every other record's id, so
        # links to a commitment survive re-runs and corrected re-publications at the same place.
        # (The file's own name, not its location, which depends on the folder a run was given.
        # Another document of that council under the same name — a folder of older editions —
        # keys its records by its content instead.)
        shared = db.conn.execute(
            "SELECT 1 FROM documents WHERE id != ? AND source = ? AND council_code IS ?", [document_id, info.source, code]).fetchone()
        lineage = stable_id("lineage", code, info.source) if code and not shared else document_id
        priority_ids = _unique_ids((lineage, "priority"), ((p.level, p.number) for p in extraction.priorities))
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
        action_ids = _unique_ids((lineage, "action"), ((a.ref, " ".join(a.text.lower().split())) for a in extraction.actions))
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
        if commitments is not None:
            tally.update(commitment_key(code, a.text) for a in extraction.actions)
        db["action_priorities"].insert_all(links)
        db["action_owners"].insert_all(owners)
        db["deadlines"].insert_all(deadlines)
        measure_ids = _unique_ids((lineage, "measure"), ((" ".join(m.name.lower().split()),) for m in extraction.measures))
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
        enrich.derive(db, document_id)  # themes, strength, SMART flags, progress, source notes
    if commitments is not None:  # committed: count what it changed
        commitments.update(tally)
    return document_id


def store_problems(db: sqlite_utils.Database, problems: Iterable[Problem], *, document_id: str | None = None,
                   transaction: bool = True, path: str | None = None) -> None:
    """Record problems; `path` (as shown to the user) tells apart files that share a name."""
    rows = [
        {
            "id": stable_id(p.source, p.stage, p.reason, p.page, p.detail, document_id, *([path] if path else [])),
            "source": p.source, "document_id": document_id, "stage": p.stage, "reason": p.reason,
            "page": p.page, "detail": p.detail, "path": path,
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


def clear_file_problems(db: sqlite_utils.Database, source: str, path: str | None = None) -> None:
    """Forget the load problems recorded for a file (before re-trying it): by its path, and by
    its name where an older run recorded no path."""
    with db.conn:
        db.conn.execute("DELETE FROM problems WHERE document_id IS NULL AND (path = ? OR (path IS NULL AND source = ?))",
                        [path, source])


def start_run(db: sqlite_utils.Database, run_id: str, started: str) -> None:
    with db.conn:
        db["runs"].insert({"id": run_id, "started": started, "status": "running"}, pk="id", replace=True)


def finish_run(db: sqlite_utils.Database, run_id: str, *, finished: str, status: str, counts: dict[str, int],
               notes: Iterable[str] = ()) -> None:
    with db.conn:
        db["runs"].update(run_id, {"finished": finished, "status": status, **counts,
                                   "notes": json.dumps(list(notes)) if notes else None})


def record_file(db: sqlite_utils.Database, row: dict) -> None:
    """One file's outcome in a run (`files`: path as shown, outcome, document, reason)."""
    with db.conn:
        db["files"].upsert(row, pk="id")
