"""Incremental runs, run accounting, the command line's summary and exit status, document identity
by location, and atomic publish (issue 12)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.ingest as ingest_module
from pipeline.cli import main
from pipeline.ingest import BUNDLED_CORPUS, ingest
from pipeline.store import MIGRATIONS, open_db
from tests.conftest import database_at_version

KENT = "Kent County Council\n\nCorporate Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n" \
       "- reduce exclusions by March 2026\n- improve attendance by 2027\n"
GATESHEAD = "Gateshead Council\n\nCorporate Plan 2025-2027\n\nPriority 1: Homes for all\n\nWe will:\n" \
            "- build 300 council homes by March 2027\n- open two family hubs by 2026\n"
TABLES = ["documents", "priorities", "actions", "measures", "action_owners", "deadlines", "problems"]


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def dump(path) -> dict[str, list[tuple]]:
    return {t: sorted(rows(path, f"SELECT * FROM {t}"), key=repr) for t in TABLES}


def outcomes(path) -> dict[str, str]:
    return dict(rows(path, "SELECT path, outcome FROM files"))


@pytest.fixture
def two_plans(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a.txt").write_text(KENT, encoding="utf-8")
    (folder / "b.txt").write_text(GATESHEAD, encoding="utf-8")
    return folder


@pytest.fixture
def loads(monkeypatch):
    """The paths the loader is asked to read (in-process runs: workers=0)."""
    seen = []
    real = ingest_module.load

    def counting(path, **kwargs):
        seen.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(ingest_module, "load", counting)
    return seen


# --------------------------------------------------------------------------- incremental runs


def test_a_second_run_skips_unchanged_files_without_loading_them(two_plans, tmp_path, loads):
    db = tmp_path / "i.db"
    first = ingest([two_plans], db, workers=0)
    assert sorted(first.documents) == ["a.txt", "b.txt"] and loads == ["a.txt", "b.txt"]
    before = dump(db)
    second = ingest([two_plans], db, workers=0)
    assert loads == ["a.txt", "b.txt"]  # nothing loaded the second time
    assert second.documents == [] and sorted(r.source for r in second.unchanged) == ["a.txt", "b.txt"]
    assert second.summary() == {"found": 2, "ingested": 0, "unchanged": 2, "duplicates": 0, "failed": 0, "skipped": 0}
    assert outcomes(db) == {"plans/a.txt": "unchanged", "plans/b.txt": "unchanged"}
    assert dump(db) == before


def test_one_changed_file_is_read_again_and_replaces_its_older_content(two_plans, tmp_path, loads):
    db = tmp_path / "c.db"
    ingest([two_plans], db, workers=0)
    old_id = rows(db, "SELECT id FROM documents WHERE location = 'plans/a.txt'")[0][0]
    with open(two_plans / "a.txt", "a", encoding="utf-8") as handle:
        handle.write("- recruit 40 foster carers by 2026\n")
    report = ingest([two_plans], db, workers=0)
    assert loads == ["a.txt", "b.txt", "a.txt"]
    assert report.documents == ["a.txt"] and [r.source for r in report.unchanged] == ["b.txt"]
    assert [r.change for r in report.files if r.outcome == "ingested"] == ["changed"]
    new_id = hashlib.sha256((two_plans / "a.txt").read_bytes()).hexdigest()[:16]
    assert rows(db, "SELECT id FROM documents WHERE location = 'plans/a.txt'") == [(new_id,)]
    assert new_id != old_id and rows(db, "SELECT count(*) FROM documents") == [(2,)]
    assert (report.commitments_added, report.commitments_removed) == (1, 0)


def test_commitments_added_and_removed_are_counted_by_text(two_plans, tmp_path):
    db = tmp_path / "d.db"
    ingest([two_plans], db, workers=0)
    text = KENT.replace("- improve attendance by 2027\n", "- halve persistent absence by 2027\n- open a virtual school by 2026\n")
    (two_plans / "a.txt").write_text(text, encoding="utf-8")
    report = ingest([two_plans], db, workers=0)
    assert (report.commitments_added, report.commitments_removed) == (2, 1)
    assert report.changes("changed") == 1 and report.changes("new") == 0


def test_a_new_extractor_version_reads_everything_again(two_plans, tmp_path, loads, monkeypatch):
    db = tmp_path / "v.db"
    ingest([two_plans], db, workers=0)
    first_version = rows(db, "SELECT DISTINCT extractor_version FROM documents")
    assert first_version == [(ingest_module.extractor_version(),)]
    monkeypatch.setattr(ingest_module, "_EXTRACTOR_VERSION", "99-test")
    report = ingest([two_plans], db, workers=0)
    assert loads == ["a.txt", "b.txt", "a.txt", "b.txt"]
    assert [r.change for r in report.files] == ["re-extracted", "re-extracted"]
    assert rows(db, "SELECT DISTINCT extractor_version FROM documents") == [("99-test",)]
    again = ingest([two_plans], db, workers=0)  # and then it is unchanged again
    assert len(again.unchanged) == 2 and len(loads) == 4


def test_the_extractor_version_follows_the_committed_model(monkeypatch, tmp_path):
    monkeypatch.setattr(ingest_module, "_EXTRACTOR_VERSION", None)
    version = ingest_module.extractor_version()
    assert version.startswith(ingest_module.EXTRACTOR_RELEASE + "-")
    fake_root = tmp_path / "root"
    shutil.copytree(ingest_module.PROJECT_ROOT / "extractors", fake_root / "extractors",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(ingest_module, "PROJECT_ROOT", fake_root)
    monkeypatch.setattr(ingest_module, "EXTRACTOR_INPUTS", ("extractors",))
    monkeypatch.setattr(ingest_module, "_EXTRACTOR_VERSION", None)
    copied = ingest_module.extractor_version()
    model = fake_root / "extractors" / "model" / "decisions.json"
    model.write_bytes(model.read_bytes() + b" ")
    monkeypatch.setattr(ingest_module, "_EXTRACTOR_VERSION", None)
    assert ingest_module.extractor_version() != copied


def test_force_reads_every_file_again(two_plans, tmp_path, loads):
    db = tmp_path / "f.db"
    ingest([two_plans], db, workers=0)
    report = ingest([two_plans], db, workers=0, force=True)
    assert loads == ["a.txt", "b.txt", "a.txt", "b.txt"]
    assert report.summary()["ingested"] == 2 and report.summary()["unchanged"] == 0
    assert rows(db, "SELECT forced, ingested, unchanged FROM runs ORDER BY started, rowid")[-1] == (1, 2, 0)


def test_a_changed_manifest_entry_reads_the_file_again(two_plans, tmp_path):
    (two_plans / "manifest.yaml").write_text("documents:\n  - file: a.txt\n    council: Kent\n    title: Our Plan\n")
    db = tmp_path / "m.db"
    ingest([two_plans], db, workers=0)
    (two_plans / "manifest.yaml").write_text("documents:\n  - file: a.txt\n    council: Kent\n    title: Our Better Plan\n")
    report = ingest([two_plans], db, workers=0)
    assert report.documents == ["a.txt"] and [r.source for r in report.unchanged] == ["b.txt"]
    assert rows(db, "SELECT title FROM documents WHERE source = 'a.txt'") == [("Our Better Plan",)]


def test_failed_files_are_tried_again_and_runs_are_recorded(two_plans, tmp_path):
    (two_plans / "empty.txt").write_bytes(b"")
    db = tmp_path / "r.db"
    ingest([two_plans], db)
    ingest([two_plans], db)
    runs = rows(db, "SELECT found, ingested, unchanged, failed, skipped, status, extractor_version, seconds IS NOT NULL "
                    "FROM runs ORDER BY started, rowid")
    version = ingest_module.extractor_version()
    assert runs == [(3, 2, 0, 1, 0, "finished", version, 1), (3, 0, 2, 1, 0, "finished", version, 1)]
    assert outcomes(db) == {"plans/a.txt": "unchanged", "plans/b.txt": "unchanged", "plans/empty.txt": "failed"}
    assert all(s is not None for (s,) in rows(db, "SELECT seconds FROM files"))


def test_migration_5_adds_the_columns_to_a_version_4_database(tmp_path):
    path = tmp_path / "old.db"
    database_at_version(path, 4)
    migrated = open_db(path)
    assert migrated.conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)  # 5 and the ones after it
    assert {"location", "extractor_version", "fingerprint"} <= set(migrated["documents"].columns_dict)
    assert {"unchanged", "extractor_version", "seconds", "commitments_added"} <= set(migrated["runs"].columns_dict)


# --------------------------------------------------------------------------- the command line


def test_the_cli_counts_agree_with_the_files_and_problems_tables_and_the_exit_status(two_plans, tmp_path):
    (two_plans / "empty.txt").write_bytes(b"")
    (two_plans / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 word 97")
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(main, ["ingest", str(two_plans), "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "2 documents ingested" in result.output and "2 could not be read" in result.output
    assert "Exit status 1: 2 files could not be read" in result.output
    assert "Changes: documents 2 new, 0 changed, 0 re-extracted, 0 unchanged, 2 failed; commitments 4 added, 0 removed." \
        in result.output
    (run_id,) = rows(db, "SELECT id FROM runs")[0]
    assert f"run {run_id}" in result.output
    assert sorted(rows(db, "SELECT path FROM files WHERE outcome = 'failed' AND run_id = ?", [run_id])) == \
        [("plans/empty.txt",), ("plans/old.doc",)]
    assert sorted(rows(db, "SELECT path FROM problems WHERE document_id IS NULL")) == [("plans/empty.txt",), ("plans/old.doc",)]
    assert rows(db, "SELECT ingested, failed FROM runs") == [(2, 2)]

    again = CliRunner().invoke(main, ["ingest", str(two_plans), "--db", str(db), "--allow-failures"])
    assert again.exit_code == 0, again.output
    assert "0 documents ingested" in again.output and "2 unchanged" in again.output and "2 could not be read" in again.output
    assert "· plans/a.txt: unchanged (not read again)" in again.output  # not a terminal: one line per file
    assert "Changes: documents 0 new, 0 changed, 0 re-extracted, 2 unchanged, 2 failed; commitments 0 added, 0 removed." \
        in again.output
    assert rows(db, "SELECT count(*) FROM problems WHERE document_id IS NULL") == [(2,)]  # not recorded twice


def test_quiet_prints_only_failures_and_the_summary(two_plans, tmp_path):
    (two_plans / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["ingest", str(two_plans), "--db", str(tmp_path / "q.db"), "--quiet"])
    assert "✓" not in result.output and "✗ plans/empty.txt" in result.output
    assert "2 documents ingested" in result.output


def test_a_document_whose_council_cannot_be_determined_is_stored_and_said_so(tmp_path):
    (tmp_path / "plan.txt").write_text("Corporate Plan 2025-2027\n\nWe will:\n- open two family hubs by 2026\n")
    db = tmp_path / "n.db"
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "plan.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "plan.txt: council not determined" in result.output
    assert "1 documents stored without a council" in result.output
    assert rows(db, "SELECT council_code FROM documents") == [(None,)]
    (reason,) = rows(db, "SELECT reason FROM files")[0]
    assert "council could not be determined" in reason and "--council" in reason


# --------------------------------------------------------------------------- identity by location


def test_two_runs_over_two_councils_folders_each_with_a_plan_txt_keep_both(tmp_path):
    for name, text in (("kent", KENT), ("gateshead", GATESHEAD)):
        (tmp_path / name / "docs").mkdir(parents=True)
        (tmp_path / name / "docs" / "plan.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "runs.db"
    ingest([tmp_path / "kent" / "docs"], db)
    ingest([tmp_path / "gateshead" / "docs"], db)  # its location is "docs/plan.txt" too
    assert sorted(rows(db, "SELECT location, council_code FROM documents")) == [
        ("docs/plan.txt", "GAT"), ("docs/plan.txt", "KEN")]


def test_two_plans_with_one_name_in_two_councils_folders_are_both_stored(tmp_path):
    councils = tmp_path / "councils"
    for name, text in (("kent", KENT), ("gateshead", GATESHEAD)):
        (councils / name).mkdir(parents=True)
        (councils / name / "corporate_plan.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "two.db"
    result = CliRunner().invoke(main, ["ingest", str(councils), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "✓ councils/gateshead/corporate_plan.txt: " in result.output
    assert "✓ councils/kent/corporate_plan.txt: " in result.output
    assert sorted(rows(db, "SELECT location, council_code FROM documents")) == [
        ("councils/gateshead/corporate_plan.txt", "GAT"), ("councils/kent/corporate_plan.txt", "KEN")]
    # a new edition of Kent's plan replaces Kent's only
    (councils / "kent" / "corporate_plan.txt").write_text(KENT + "- recruit 40 foster carers by 2026\n", encoding="utf-8")
    report = ingest([councils], db)
    assert report.documents == ["corporate_plan.txt"] and [r.shown for r in report.unchanged] == [
        "councils/gateshead/corporate_plan.txt"]
    assert sorted(rows(db, "SELECT location, actions_count FROM documents")) == [
        ("councils/gateshead/corporate_plan.txt", 2), ("councils/kent/corporate_plan.txt", 3)]


def test_bundled_document_ids_are_the_start_of_their_content_hash(tmp_path):
    db = tmp_path / "b.db"
    ingest([BUNDLED_CORPUS], db)
    expected = sorted((f"documents/{p.name}", hashlib.sha256(p.read_bytes()).hexdigest()[:16])
                      for p in BUNDLED_CORPUS.iterdir() if p.suffix == ".txt")
    assert sorted(rows(db, "SELECT location, id FROM documents")) == expected
    assert len(expected) == 5


# --------------------------------------------------------------------------- atomic publish


def test_an_atomic_run_replaces_the_database_only_when_complete(two_plans, tmp_path):
    db = tmp_path / "served.db"
    (two_plans / "b.txt").rename(tmp_path / "b.txt")
    ingest([two_plans], db)
    (tmp_path / "b.txt").rename(two_plans / "b.txt")
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    report = ingest([two_plans], db, atomic=True)
    assert report.documents == ["b.txt"] and [r.source for r in report.unchanged] == ["a.txt"]
    assert reader.execute("SELECT count(*) FROM documents").fetchone() == (1,)  # the old file, whole, until it closes
    reader.close()
    assert rows(db, "SELECT count(*) FROM documents") == [(2,)]
    assert list(tmp_path.glob("served.db.tmp-*")) == []


def test_a_killed_atomic_run_leaves_the_previous_database_intact_and_the_next_run_completes(tmp_path):
    db = tmp_path / "atomic.db"
    ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], db)
    before = dump(db)
    script = (f"from pipeline.ingest import ingest\n"
              f"ingest([{str(BUNDLED_CORPUS)!r}], {str(db)!r}, atomic=True, force=True)\n")
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    copy = tmp_path / f"atomic.db.tmp-{process.pid}"
    stored = 0
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            try:
                stored = sqlite3.connect(copy, timeout=1).execute("SELECT count(*) FROM documents").fetchone()[0]
                if stored >= 3:  # the copy holds the old document and two new ones: the run is mid-way
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert stored >= 3 and copy.exists()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    assert dump(db) == before  # complete: exactly the previous run's database
    report = ingest([BUNDLED_CORPUS], db, atomic=True)
    assert len(report.documents) + len(report.unchanged) == 5
    assert any("was stopped" in note and copy.name in note for note in report.notes)
    assert not copy.exists() and list(tmp_path.glob("atomic.db.tmp-*")) == []
    assert rows(db, "SELECT count(*) FROM documents") == [(5,)]


def test_an_edit_elsewhere_in_a_document_keeps_every_other_commitments_id(tmp_path):
    folder = tmp_path / "kent"
    folder.mkdir()
    plan = folder / "corporate_plan.txt"
    plan.write_text(KENT, encoding="utf-8")
    db = tmp_path / "ids.db"
    ingest([folder], db)
    before = dict(rows(db, "SELECT text, id FROM actions"))
    doc_before = rows(db, "SELECT id FROM documents")
    plan.write_text(KENT.replace("Corporate Plan 2025-2027", "Corporate Plan 2025-2027 (refreshed)")
                    .replace("improve attendance by 2027", "improve school attendance by 2027"), encoding="utf-8")
    ingest([folder], db)
    after = dict(rows(db, "SELECT text, id FROM actions"))
    assert rows(db, "SELECT id FROM documents") != doc_before  # new content, new document id
    assert after["reduce exclusions by March 2026"] == before["reduce exclusions by March 2026"]
    assert after["improve school attendance by 2027"] not in before.values()  # the reworded one is new
    # the same file ingested through its parent folder (another location) keeps the ids too
    fresh = tmp_path / "fresh.db"
    ingest([tmp_path], fresh)
    assert dict(rows(fresh, "SELECT text, id FROM actions")) == after
