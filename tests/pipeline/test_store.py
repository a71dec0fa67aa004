"""The store: one document's records written in one transaction, links kept consistent."""

from __future__ import annotations

from pipeline.store import open_db, store_extraction
from schemas.records import DocumentInfo, Extraction, Priority


def test_priority_parents_point_back_to_the_nearest_earlier_number(tmp_path):
    # A plan whose printed lists restart at 1: domain "1." with its sub-priority "1.1" (parent
    # "1"), then a later list that starts again at "1.". The sub-priority's parent is the "1"
    # printed before it, not the later one (which would also break the foreign key on parent_id).
    priorities = (
        Priority(number="1", level=1, title="Protecting children from harm"),
        Priority(number="1.1", level=2, title="Multi-agency approaches", parent="1"),
        Priority(number="1", level=1, title="People with lived experience are heard"),
        Priority(number="2", level=1, title="Criminal justice pathways"),
    )
    db = open_db(tmp_path / "t.db")
    doc_id = store_extraction(db, Extraction(document=DocumentInfo(source="dap.pdf", sha256="a" * 64), priorities=priorities),
                              council=None)
    rows = list(db.query("SELECT id, number, title, parent_id FROM priorities WHERE document_id = ? ORDER BY ordinal", [doc_id]))
    assert [r["number"] for r in rows] == ["1", "1.1", "1", "2"]
    assert rows[1]["parent_id"] == rows[0]["id"]
    assert [r["parent_id"] for r in (rows[0], rows[2], rows[3])] == [None, None, None]


# --------------------------------------------------------------------------- a store that scales (issue 11)
# Replacing one document must touch only that document's rows, whatever the size of the database:
# these check the structure that makes it so (indexes, query plans, triggers, what a run reads),
# not timings (benchmarks/bench_store.py measures those).

import collections  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402

import pytest  # noqa: E402

import pipeline.ingest as ingest_module  # noqa: E402
from pipeline import editions  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.store import MIGRATIONS, OWN_TABLES, commitment_key  # noqa: E402
from schemas.records import Action, Council, Deadline, Measure, Problem  # noqa: E402
from tests.conftest import database_at_version  # noqa: E402

# Tables whose size does not grow with the documents stored: a scan of these is fine.
BOUNDED = {"councils", "themes", "store_meta"}


def _plan(source: str, *, words: str = "", sha: str = "b") -> Extraction:
    priorities = (Priority(number="1", title="Children are safe"), Priority(number="1.1", level=2, title="Early help", parent="1"),
                  Priority(number="2", title="Children achieve well"))
    actions = tuple(
        Action(text=f"We will improve school attendance {k} {words}".strip(), ref=f"1.{k}", priorities=("1.1" if k % 2 else "2",),
               deadline=Deadline(text="by March 2026", end="2026-03-31", granularity="month") if k % 3 else None,
               owners=("Virtual School Head",) if k % 2 else ())
        for k in range(12))
    measures = (Measure(name="Persistent absence", value="21%"),)
    problems = (Problem(source=source, stage="extract", reason="a table without a header row"),)
    return Extraction(document=DocumentInfo(source=source, sha256=sha * 64, title="Children's Plan 2024-27", period_start=2024,
                                            period_end=2027),
                      priorities=priorities, actions=actions, measures=measures, problems=problems)


COUNCIL = Council(code="KEN", name="Kent", gss_code="E10000016")


@pytest.fixture
def filled(tmp_path):
    """A database holding several councils' plans."""
    db = open_db(tmp_path / "filled.db")
    for k, code in enumerate(["KEN", "GAT", "BCP"]):
        for edition in range(3):
            plan = _plan(f"plan_{edition}.txt", words=f"edition {edition}", sha="0123456789"[3 * k + edition])
            plan = plan.model_copy(update={"document": plan.document.model_copy(update={"period_start": 2018 + 3 * edition})})
            store_extraction(db, plan, council=Council(code=code, name=code.title()), path=f"/plans/{code}/plan_{edition}.txt")
    return db


def _indexes(conn: sqlite3.Connection, table: str) -> list[list[str]]:
    """The columns of every index on `table`, in order (the primary key's included)."""
    out = []
    for _, name, *_ in conn.execute(f"PRAGMA index_list([{table}])"):
        out.append([r[2] for r in conn.execute(f"PRAGMA index_info([{name}])")])
    pk = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info([{table}])"), key=lambda r: r[5]) if r[5]]
    return out + ([pk] if pk else [])


def test_every_foreign_key_and_document_column_is_indexed(tmp_path):
    # Deleting a parent row makes SQLite look for its children: without an index on the child
    # column that is a scan of the child table for every row deleted (deadlines.action_id and
    # priorities.parent_id had none: 23-30 s to replace one document among a million commitments).
    conn = open_db(tmp_path / "t.db").conn
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%VIRTUAL%'")]
    missing = []
    for table in tables:
        indexes = _indexes(conn, table)
        children = {}
        for row in conn.execute(f"PRAGMA foreign_key_list([{table}])"):
            children.setdefault(row[0], []).append(row[3])
        wanted = list(children.values()) + [["document_id"]] * ("document_id" in {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")})
        for columns in wanted:
            if not any(index[:len(columns)] == columns for index in indexes):
                missing.append(f"{table}({', '.join(columns)})")
    assert missing == []


def _plans(conn: sqlite3.Connection, statements: list[str]) -> dict[str, list[str]]:
    plans = {}
    for sql in statements:
        if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", sql, re.I) or "sqlite_master" in sql:
            continue
        if re.search(r"'main'\.'\w+_fts_(config|data|idx|docsize)'", sql):  # FTS5's own bookkeeping
            continue
        try:
            plans[sql] = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        except sqlite3.OperationalError as exc:
            if not re.match(r"no such table: t[0-9a-f]{32}$", str(exc)):  # sqlite-utils' probe for upsert support
                raise
    return plans


def _scans(plans: dict[str, list[str]]) -> list[str]:
    """Statements that read a whole table whose size grows with the database."""
    out = []
    for sql, details in plans.items():
        for detail in details:
            match = re.match(r"SCAN ([A-Za-z_]\w*)", detail)  # (not "SCAN 3 CONSTANT ROWS", nor json_each's "SCAN j")
            if match and match.group(1).removesuffix("_fts") in (OWN_TABLES | {"changes", "editions"}) - BOUNDED:
                out.append(f"{detail}: {sql[:160]}")
    return out


def test_replacing_a_document_finds_every_row_through_an_index(filled):
    statements: list[str] = []
    filled.conn.set_trace_callback(statements.append)
    store_extraction(filled, _plan("plan_1.txt", words="edition 1 revised", sha="f"), council=Council(code="GAT", name="Gat"),
                     path="/plans/GAT/plan_1.txt", commitments=collections.Counter())
    editions.compute_changes(filled, ["GAT"], documents=["f" * 16])
    filled.conn.set_trace_callback(None)
    plans = _plans(filled.conn, statements)
    assert any(sql.startswith("DELETE FROM deadlines WHERE document_id") for sql in plans)
    assert _scans(plans) == []
    deadlines = next(d for sql, d in plans.items() if sql.startswith("DELETE FROM deadlines WHERE document_id"))
    assert any(re.match(r"SEARCH deadlines USING (COVERING )?INDEX idx_deadlines_document_id", d) for d in deadlines), deadlines


def test_an_ingest_run_replacing_one_document_reads_no_whole_table(tmp_path, monkeypatch):
    # The whole run as `ingest` does it (unchanged check, the change, storing, the file and run
    # records, commitments added and removed, editions): no statement scans a table that grows
    # with the database. (It used to read every commitment twice to count those added and removed.)
    folder = tmp_path / "plans"
    for code in ("kent", "gateshead"):
        (folder / code).mkdir(parents=True)
        (folder / code / "plan.txt").write_text(
            f"{code.title()} Council\n\nCorporate Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n"
            "- reduce exclusions by March 2026\n- improve attendance by 2027\n", encoding="utf-8")
    path = tmp_path / "run.db"
    ingest([folder], path, workers=0)
    (folder / "kent" / "plan.txt").write_text(
        "Kent County Council\n\nCorporate Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n"
        "- reduce exclusions by March 2026\n- open two family hubs by 2026\n", encoding="utf-8")
    statements: list[str] = []
    real_open = ingest_module.open_db

    def traced(*args, **kwargs):
        db = real_open(*args, **kwargs)
        db.conn.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(ingest_module, "open_db", traced)
    report = ingest([folder], path, workers=0)
    assert [f.change for f in report.files if f.outcome == "ingested"] == ["changed"]
    assert (report.commitments_added, report.commitments_removed) == (1, 1)
    conn = sqlite3.connect(path)
    assert _scans(_plans(conn, statements)) == []
    assert not [s for s in statements if re.match(r"SELECT council_code, text FROM actions\s*$", s)]


def test_updating_derived_fields_leaves_the_full_text_index_alone(filled):
    # enrich writes themes, strength and source notes into every row just inserted: the update
    # triggers re-index a row's full text only when the indexed words change.
    conn = filled.conn
    for table, column in (("actions", "text"), ("priorities", "title"), ("measures", "name")):
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [f"{table}_au"]).fetchone()[0]
        assert re.search(rf"AFTER UPDATE OF \[{column}\] ON \[{table}\]", sql), sql
    before = conn.execute("SELECT count(*) FROM actions_fts_data").fetchone()[0]
    with conn:
        conn.execute("UPDATE actions SET strength = 'aspirational', themes = '[]'")
    assert conn.execute("SELECT count(*) FROM actions_fts_data").fetchone()[0] == before
    with conn:
        conn.execute("UPDATE actions SET text = 'We will plant an orchard' WHERE rowid = (SELECT min(rowid) FROM actions)")
    assert conn.execute("SELECT count(*) FROM actions_fts WHERE actions_fts MATCH 'orchard'").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM actions_fts WHERE actions_fts MATCH 'attendance'").fetchone()[0] == \
        conn.execute("SELECT count(*) FROM actions WHERE text LIKE '%attendance%'").fetchone()[0]


def test_the_commitments_a_store_removes_and_adds_are_tallied_by_council_and_words(filled):
    tally: collections.Counter = collections.Counter()
    old = [commitment_key(*r) for r in filled.conn.execute(
        "SELECT council_code, text FROM actions WHERE document_id = (SELECT id FROM documents WHERE path = '/plans/KEN/plan_0.txt')")]
    plan = _plan("plan_0.txt", words="edition 0", sha="e")
    plan = plan.model_copy(update={"actions": plan.actions[:-1] + (Action(text="We  will open a FAMILY hub"),)})
    store_extraction(filled, plan, council=Council(code="KEN", name="Ken"), path="/plans/KEN/plan_0.txt", commitments=tally)
    assert +tally == collections.Counter({("KEN", "we will open a family hub"): 1})
    assert -tally == collections.Counter({old[-1]: 1})


def test_a_store_that_fails_tallies_nothing(filled, monkeypatch):
    tally: collections.Counter = collections.Counter()

    def broken(db, document_id, **_):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("pipeline.publish.enrich.derive", broken)
    with pytest.raises(sqlite3.OperationalError):
        store_extraction(filled, _plan("plan_0.txt", words="x", sha="e"), council=Council(code="KEN", name="Ken"),
                         path="/plans/KEN/plan_0.txt", commitments=tally)
    assert tally == collections.Counter()


def test_storing_one_edition_compares_only_its_neighbours(filled, monkeypatch):
    # Editions: KEN has three dated editions of one plan (2018, 2021, 2024). Re-storing the newest
    # compares it with the one before; the older pair keeps the rows stored for it, which are what
    # comparing it again would give.
    everything = editions.compute_changes(filled, ["KEN"])
    stored = sorted(tuple(r) for r in filled.conn.execute("SELECT * FROM changes WHERE council_code = 'KEN'"))
    assert [len(s.pairs) for s in everything] == [2]
    calls = []
    real = editions.compare
    monkeypatch.setattr(editions, "compare", lambda old, new, threshold: calls.append(1) or real(old, new, threshold))
    newest = filled.conn.execute("SELECT id FROM documents WHERE path = '/plans/KEN/plan_2.txt'").fetchone()[0]
    summaries = editions.compute_changes(filled, ["KEN"], documents=[newest])
    assert len(calls) == 1
    assert [[p.counts for p in s.pairs] for s in summaries] == [[p.counts for p in s.pairs] for s in everything]
    assert sorted(tuple(r) for r in filled.conn.execute("SELECT * FROM changes WHERE council_code = 'KEN'")) == stored


def test_migration_6_indexes_a_version_5_database(tmp_path):
    path = tmp_path / "old.db"
    database_at_version(path, 5)
    migrated = open_db(path)
    assert migrated.conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    assert ["parent_id"] in _indexes(migrated.conn, "priorities") and ["action_id"] in _indexes(migrated.conn, "deadlines")


def test_the_facet_counts_follow_every_document_replaced(filled):
    # facet_counts (the published tables' default facets, per document) always equal the rows.
    store_extraction(filled, _plan("plan_1.txt", words="we aim to explore", sha="d"), council=Council(code="GAT", name="Gat"),
                     path="/plans/GAT/plan_1.txt")
    conn = filled.conn
    from pipeline.publish.enrich import FACETS

    for table, facets in FACETS.items():
        for column, kind in facets.items():
            stored = dict(conn.execute("SELECT value, sum(count) FROM facet_counts WHERE table_name = ? AND facet = ? GROUP BY value",
                                       [table, column]))
            if kind == "array":
                direct = dict(conn.execute(f"SELECT j.value, count(*) FROM [{table}] t, json_each(t.[{column}]) j GROUP BY 1"))
            else:
                direct = dict(conn.execute(f"SELECT [{column}], count(*) FROM [{table}] WHERE [{column}] IS NOT NULL GROUP BY 1"))
            assert stored == direct, (table, column)
    assert conn.execute("SELECT count(*) FROM facet_counts WHERE document_id NOT IN (SELECT id FROM documents)").fetchone() == (0,)
