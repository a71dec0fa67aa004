from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from pipeline.ingest import BUNDLED_CORPUS, ingest
from pipeline.store import open_db

TABLES = ["councils", "documents", "priorities", "actions", "action_priorities", "action_owners", "deadlines", "measures", "problems"]


def dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def test_ingesting_twice_leaves_the_database_unchanged(tmp_path):
    db = tmp_path / "twice.db"
    ingest([BUNDLED_CORPUS], db)
    first = dump(db)
    ingest([BUNDLED_CORPUS], db)
    assert dump(db) == first
    assert len(first["documents"]) == 5
    assert len(first["actions"]) > 100


def test_ids_are_the_same_in_a_fresh_database(tmp_path):
    ingest([BUNDLED_CORPUS], tmp_path / "a.db")
    ingest([BUNDLED_CORPUS], tmp_path / "b.db")
    a, b = dump(tmp_path / "a.db"), dump(tmp_path / "b.db")
    assert [r[0] for r in a["actions"]] == [r[0] for r in b["actions"]]


def test_bad_files_are_reported_by_name_and_the_rest_is_ingested(tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(BUNDLED_CORPUS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 50)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << >> garbage")
    report = ingest([folder], tmp_path / "mixed.db")
    assert len(report.documents) == 5
    failed = {p.source: p for p in report.failed}
    assert set(failed) == {"empty.txt", "junk.txt", "broken.pdf"}
    assert "empty" in failed["empty.txt"].reason
    assert "binary" in failed["junk.txt"].reason
    rows = {r["source"]: r for r in open_db(tmp_path / "mixed.db")["problems"].rows if r["stage"] == "load"}
    assert set(rows) == {"empty.txt", "junk.txt", "broken.pdf"}
    assert all(r["document_id"] is None for r in rows.values())


def test_a_failure_while_storing_loses_nothing_already_stored(tmp_path, monkeypatch):
    db_path = tmp_path / "safe.db"
    ingest([BUNDLED_CORPUS], db_path)
    before = dump(db_path)

    import pipeline.store as store

    original = store._unique_ids

    def fail_on_measures(prefix, keys):
        if prefix[1] == "measure":
            raise RuntimeError("disk full")
        return original(prefix, keys)

    monkeypatch.setattr(store, "_unique_ids", fail_on_measures)
    with pytest.raises(RuntimeError):
        ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], db_path)
    assert dump(db_path) == before


def test_every_record_points_back_to_a_page_and_its_source_text(corpus_db):
    for table in ("priorities", "actions", "measures"):
        rows = list(corpus_db[table].rows)
        assert rows
        for row in rows:
            assert row["page"] >= 1
            assert row["source_text"]
            assert row["document_id"]


def test_actions_full_text_search_finds_attendance_in_more_than_one_council(corpus_db):
    rows = list(corpus_db.query(
        "SELECT DISTINCT a.council_code FROM actions a JOIN actions_fts f ON f.rowid = a.rowid WHERE actions_fts MATCH 'attendance'"
    ))
    assert len(rows) >= 2


def test_councils_carry_gss_codes(corpus_db):
    councils = {r["name"]: r["gss_code"] for r in corpus_db["councils"].rows}
    assert councils["Gateshead"] == "E08000037"
    assert councils["Bournemouth, Christchurch and Poole"] == "E06000058"


def test_unknown_council_fails_before_the_run(tmp_path):
    from pipeline.councils import UnknownCouncil

    with pytest.raises(UnknownCouncil, match="closest"):
        ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], tmp_path / "x.db", council="Nowhereshire Council")
    assert not (tmp_path / "x.db").exists()


def test_files_outside_the_manifest_take_the_council_option(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("Our priorities\n\nWe will:\n- reduce exclusions by March 2026\n- improve school attendance\n")
    report = ingest([path], tmp_path / "one.db", council="Kent")
    assert report.documents == ["plan.txt"]
    db = open_db(tmp_path / "one.db")
    (doc,) = db["documents"].rows
    assert doc["council_code"] == "KEN"
    actions = list(db.query("SELECT text, deadline_end FROM actions ORDER BY ordinal"))
    assert actions == [
        {"text": "reduce exclusions by March 2026", "deadline_end": "2026-03-31"},
        {"text": "improve school attendance", "deadline_end": None},
    ]


def test_parallel_workers_give_the_same_database(tmp_path):
    ingest([BUNDLED_CORPUS], tmp_path / "one.db", workers=1)
    ingest([BUNDLED_CORPUS], tmp_path / "two.db", workers=2)
    assert dump(tmp_path / "one.db") == dump(tmp_path / "two.db")


def test_export_writes_gold_shaped_json_with_pages(tmp_path, corpus_db):
    from pipeline.export import write_export

    written = write_export(corpus_db, tmp_path / "out")
    assert sorted(p.name for p in written) == sorted(p.stem + ".json" for p in BUNDLED_CORPUS.glob("*.txt"))
    data = json.loads((tmp_path / "out" / "bcp_brighter_futures.json").read_text())
    assert set(data) >= {"document", "priorities", "actions", "measures"}
    assert data["document"]["council"] == "Bournemouth, Christchurch and Poole"
    for kind in ("priorities", "actions", "measures"):
        assert all(isinstance(item["page"], int) and item["page"] >= 1 for item in data[kind])
    dated = [a for a in data["actions"] if a["deadline"]]
    assert dated and all(set(a["deadline"]) >= {"text", "start", "end"} for a in dated)
