"""Every kind of bad input in tests/badinput/make_cases.py, ingested in one unattended run together
with the bundled corpus: nothing crashes or hangs, every file found is accounted for with the
outcome its case expects, the good documents are stored exactly as in a clean run, the summary
equals the database, and the database is sound."""

from __future__ import annotations

import os
import sqlite3

import pytest

from pipeline.ingest import ingest
from tests.badinput.make_cases import CASES, GOOD, TEST_LIMITS, expectations, make_corpus

RECORD_TABLES = ["priorities", "actions", "measures", "deadlines"]


@pytest.fixture(scope="module")
def together(tmp_path_factory):
    root = tmp_path_factory.mktemp("badinput") / "corpus"
    cases = make_corpus(root)
    db_path = root.parent / "together.db"
    report = ingest([root], db_path, workers=2, limits=TEST_LIMITS)
    return root, cases, report, db_path


def test_there_are_at_least_forty_kinds_of_bad_input():
    names = [c.name for c in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


def on_disk(root) -> set[str]:
    """Every entry a person would see in the folder (files, links, pipes), as the run shows it;
    a hidden folder counts once, and a folder named like a document counts as well."""
    seen = set()
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root.parent)
        for name in list(dirs):
            path = os.path.join(folder, name)
            if name.startswith(".") or os.path.islink(path) or os.path.splitext(name)[1] in (".pdf", ".txt", ".docx"):
                seen.add(f"{rel}/{name}")
            if name.startswith("."):
                dirs.remove(name)
        seen.update(f"{rel}/{name}" for name in files)
    return seen


def test_every_file_found_is_accounted_for_once(together):
    root, _, report, _ = together
    shown = [r.shown for r in report.files]
    assert len(shown) == len(set(shown))
    assert set(shown) == on_disk(root)
    assert {r.outcome for r in report.files} <= {"ingested", "duplicate", "failed", "skipped"}


def test_each_case_has_the_outcome_it_expects(together):
    _, cases, report, _ = together
    expect = expectations(cases)
    wrong = []
    for result in report.files:
        case, allowed = expect.expect(result.shown)
        reason = result.problem.reason if result.problem else result.note or ""
        if result.outcome not in allowed.outcomes:
            wrong.append((result.shown, result.outcome, reason))
        elif result.outcome == "failed" and allowed.codes and not any(f"[{code}]" in reason for code in allowed.codes):
            wrong.append((result.shown, result.outcome, reason))
    assert wrong == []
    assert {expect.expect(r.shown)[0] for r in report.files} == {c.name for c in cases} | {GOOD}


def test_every_problem_is_coded_and_names_the_file(together):
    _, _, report, _ = together
    assert report.failed
    for problem in report.failed:
        assert problem.reason.startswith("[E"), problem
        assert problem.source and problem.detail, problem


def test_limits_are_named_with_the_value_reached(together):
    _, _, report, _ = together
    reasons = {r.shown.split("/")[1]: r.problem.reason for r in report.files if r.problem}
    assert "over the limit of 50 MB" in reasons["docx_zip_bomb"] and "unpacks to 6" in reasons["docx_zip_bomb"]
    assert "over the limit of 500" in reasons["docx_many_entries"]
    assert "10,001 pages" in reasons["form_feeds"] and "limit of 300" in reasons["form_feeds"]
    assert "over the limit of 2 MB" in reasons["huge_text"]
    assert "over the time limit of 30" in reasons.get("quadratic", "over the time limit of 30")  # unless it got fast


def test_the_summary_equals_the_database(together):
    _, _, report, db_path = together
    conn = sqlite3.connect(db_path)
    by_outcome = dict(conn.execute("SELECT outcome, count(*) FROM files WHERE run_id = ? GROUP BY outcome", [report.run_id]))
    summary = report.summary()
    assert by_outcome == {k: summary[{"duplicate": "duplicates"}.get(k, k)] for k in ("ingested", "duplicate", "failed", "skipped")
                          if summary[{"duplicate": "duplicates"}.get(k, k)]}
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == summary["ingested"]
    assert conn.execute("SELECT count(*) FROM problems WHERE document_id IS NULL").fetchone()[0] == summary["failed"]
    run = conn.execute("SELECT status, found, ingested, duplicates, failed, skipped, notes FROM runs WHERE id = ?", [report.run_id]).fetchone()
    assert run[:6] == ("finished", summary["found"], summary["ingested"], summary["duplicates"], summary["failed"], summary["skipped"])
    # the manifest entry for a file that is not there is a note of the run, naming its line
    assert "manifest.yaml line 11, field 'file': 'ghost.txt' is not in manifest_syntax/" in run[6]
    # a duplicate points at the document stored for its twin
    for dup, twin in conn.execute("SELECT d.document_id, f.document_id FROM files d JOIN files f ON f.path = d.duplicate_of "
                                  "WHERE d.outcome = 'duplicate' AND f.outcome = 'ingested'"):
        assert dup == twin and dup is not None


def rows(conn, table, document_ids, drop=()):
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in drop]
    key = "id" if table == "documents" else "document_id"
    marks = ",".join("?" * len(document_ids))
    return sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} IN ({marks})", document_ids).fetchall(), key=repr)


def test_good_documents_are_stored_exactly_as_in_a_clean_run(together, corpus_db_path):
    _, _, _, db_path = together
    clean, mixed = sqlite3.connect(corpus_db_path), sqlite3.connect(db_path)
    ids = [r[0] for r in clean.execute("SELECT id FROM documents")]
    assert len(ids) == 5
    # where each was found differs
    where = ("path", "location")
    assert rows(mixed, "documents", ids, drop=where) == rows(clean, "documents", ids, drop=where)
    for table in RECORD_TABLES:
        assert rows(mixed, table, ids) == rows(clean, table, ids), table


def test_the_database_is_sound(together):
    _, _, _, db_path = together
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in ("documents", "priorities", "actions", "measures", "problems", "files"):
        for (column,) in [(r[1],) for r in conn.execute(f"PRAGMA table_info({table})") if r[2] in ("TEXT", "")]:
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE instr([{column}], char(0)) > 0").fetchone()[0] == 0, (table, column)
    everything = " ".join(str(v) for t in ("actions", "priorities", "measures") for r in conn.execute(f"SELECT * FROM {t}") for v in r)
    assert "root:x:0:0" not in everything  # the XXE entity was not resolved
    assert "reduce child poverty by March 2027." in everything  # the NUL byte is gone, the words are whole


def test_links_outside_the_corpus_are_not_read(together):
    _, _, report, db_path = together
    conn = sqlite3.connect(db_path)
    paths = [p for (p,) in conn.execute("SELECT path FROM documents")]
    root = str(together[0].resolve())
    assert paths and all(p.startswith(root) for p in paths)
