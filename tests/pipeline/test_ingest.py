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
        ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], db_path, force=True)  # force: unchanged files are not read
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


@pytest.mark.parametrize(("name", "code"), [
    ("BCP", "BPC"),  # the initials people use, not the register's code
    ("BPC", "BPC"),  # the register's code
    ("E06000058", "BPC"),  # the GSS code
    ("e08000037", "GAT"),
    ("Bournemouth, Christchurch and Poole", "BPC"),
])
def test_a_council_is_named_by_its_name_abbreviation_register_code_or_gss_code(name, code):
    from pipeline.councils import register

    assert register().resolve(name).code == code


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


# --------------------------------------------------------------------------- unattended runs (issue 13)

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from pipeline.loaders import Limits, bounded
from pipeline.store import StoreError
from pipeline.workers import Failure, WorkerPool

PLAN = "Our Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n- reduce exclusions by March 2026\n- improve attendance by 2027\n"
FAST = Limits(max_seconds=60, max_memory_megabytes=1000)


def _pool_job(task, report_pages):
    """A worker job for the pool tests: behaves as the task says."""
    kind, value = task
    if kind == "pages":
        report_pages(value)
        time.sleep(60)
    if kind == "sleep":
        time.sleep(value)
    if kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "memory":
        return len(bytearray(value * 1024 * 1024))
    if kind == "pidfile":
        Path(value).write_text(str(os.getpid()))
        time.sleep(600)
    return ("done", value, os.getpid())


def test_the_worker_pool_replaces_dead_slow_and_exhausted_workers_and_finishes_the_rest():
    tasks = [("ok", 1), ("die", 2), ("sleep", 60), ("memory", 2000), ("ok", 5), ("pages", 100)]
    # one second per task, plus ten per reported page: the "pages" task gets 1001 s, so is left alone
    # until the others are done, then stopped by the test
    with WorkerPool(_pool_job, size=2, memory_megabytes=700, seconds_for=lambda task, pages: 2 + 10 * (pages or 0) if task[0] == "pages" else 2) as pool:
        results = {}
        for task, result in pool.map(tasks[:-1]):
            results[task] = result
        started = pool.started
    assert results[("ok", 1)][:2] == ("done", 1) and results[("ok", 5)][:2] == ("done", 5)
    assert isinstance(results[("die", 2)], Failure) and results[("die", 2)].kind == "died"
    assert results[("die", 2)].signal_name == "SIGKILL"
    assert isinstance(results[("sleep", 60)], Failure) and results[("sleep", 60)].kind == "timeout"
    assert results[("sleep", 60)].limit == 2
    assert isinstance(results[("memory", 2000)], MemoryError)
    assert started >= 4  # the two workers, and one each for the dead, the slow and the exhausted one
    with WorkerPool(_pool_job, size=1, memory_megabytes=0, seconds_for=lambda task, pages: 1 + 2 * (pages or 0)) as pool:
        ((task, result),) = list(pool.map([("pages", 2)]))
    assert result.kind == "timeout" and result.pages == 2 and result.limit == 5  # the page count raised the limit


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    pidfile = tmp_path / "worker.pid"
    script = ("from pipeline.workers import WorkerPool\nfrom tests.pipeline.test_ingest import _pool_job\n"
              "with WorkerPool(_pool_job, size=1, memory_megabytes=0, seconds_for=lambda t, p: 900) as pool:\n"
              f"    list(pool.map([('pidfile', {str(pidfile)!r})]))\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 120
        while not pidfile.exists() and time.monotonic() < deadline and parent.poll() is None:
            time.sleep(0.05)
        worker = int(pidfile.read_text())
        assert not _gone(worker)
    finally:
        parent.kill()  # SIGKILL: no clean-up code runs in the parent
        parent.wait()
    deadline = time.monotonic() + 30
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not _gone(worker):
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")


def slow_text(n: int = 1500) -> str:
    """Commitments that share few words: a few minutes of extraction (issue 13: quadratic work)."""
    import random

    rng = random.Random(7)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    word = lambda: "".join(rng.choice(syllables) for _ in range(3))  # noqa: E731
    return "We will:\n" + "".join(f"- {word()} the {word()} {word()} with {word()} {word()} by March next year\n" for _ in range(n))


def test_a_file_over_the_time_limit_is_stopped_and_the_run_goes_on(tmp_path):
    (tmp_path / "slow.txt").write_text(slow_text(20_000))  # 1.4 MB of list items: minutes of work
    (tmp_path / "plan.txt").write_text(PLAN)
    report = ingest([tmp_path], tmp_path / "t.db", limits=Limits(max_seconds=5), workers=2)
    assert report.documents == ["plan.txt"]
    (problem,) = report.failed
    assert problem.source == "slow.txt" and problem.stage == "limit"
    assert problem.reason.startswith("[E206] stopped after") and "over the time limit of 5.5 s for 1 page" in problem.reason


def test_a_file_over_the_memory_limit_is_reported_and_the_run_goes_on(tmp_path):
    from tests.badinput.make_cases import m_pdf_bomb

    m_pdf_bomb(tmp_path, False)  # a 1 MB PDF whose page inflates to 1.2 GB
    (tmp_path / "plan.txt").write_text(PLAN)
    report = ingest([tmp_path], tmp_path / "m.db", limits=Limits(max_memory_megabytes=800), workers=2)
    assert report.documents == ["plan.txt"]
    (problem,) = report.failed
    assert problem.source == "inflates.pdf" and problem.reason[:6] in ("[E207]", "[E208]")
    assert "800 MB" in problem.reason


def test_in_process_reading_gives_the_same_records(tmp_path):
    ingest([BUNDLED_CORPUS], tmp_path / "w.db", workers=1)
    ingest([BUNDLED_CORPUS], tmp_path / "i.db", workers=0)
    assert dump(tmp_path / "w.db") == dump(tmp_path / "i.db")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "E103"),
        ("plan.odt", b"PK\x03\x04odt", "E103"),
        ("plan.rtf", rb"{\rtf1 We will act.}", "E103"),
        ("actions.xlsx", b"PK\x03\x04xlsx", "E103"),
        ("plan.pdf.bak", b"%PDF-1.4 backup", "E103"),
        ("plan", b"no suffix at all", "E103"),
        ("copy.txt", b"%PDF-1.4\n%%EOF\n", "E103"),
        ("empty.md", b"", "E101"),
    ],
)
def test_files_in_formats_not_read_are_reported_not_skipped(tmp_path, name, content, code):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "plan.txt").write_text(PLAN)
    report = ingest([tmp_path], tmp_path.parent / f"{tmp_path.name}.db")
    assert report.documents == ["plan.txt"]
    assert [(p.source, p.reason[:6]) for p in report.failed] == [(name, f"[{code}]")]


def test_files_that_are_not_documents_are_skipped_and_said_so(tmp_path):
    for name in ("manifest.yaml", "gold.json", ".DS_Store", "README.txt", "MANIFEST.tsv"):
        (tmp_path / name).write_text("documents: []\n" if name == "manifest.yaml" else "x")
    (tmp_path / "plan.txt").write_text(PLAN)
    report = ingest([tmp_path], tmp_path / "s.db", council="Kent")
    assert report.documents == ["plan.txt"] and report.failed == []
    assert sorted(r.source for r in report.skipped) == [".DS_Store", "MANIFEST.tsv", "README.txt", "gold.json", "manifest.yaml"]
    assert all(r.note.startswith("not a document") for r in report.skipped)


def test_the_same_content_under_two_names_is_stored_once_with_both_names_recorded(tmp_path):
    (tmp_path / "a_plan.txt").write_text(PLAN)
    (tmp_path / "b_copy.txt").write_text(PLAN)
    report = ingest([tmp_path], tmp_path / "d.db", council="Kent")
    assert report.documents == ["a_plan.txt"]
    (dup,) = report.duplicates
    assert dup.source == "b_copy.txt" and dup.duplicate_of.endswith("a_plan.txt") and "stored once" in dup.note
    db = open_db(tmp_path / "d.db")
    (doc,) = db["documents"].rows
    assert {r["name"]: r["document_id"] for r in db["files"].rows} == {"a_plan.txt": doc["id"], "b_copy.txt": doc["id"]}


def test_two_different_files_with_one_name_in_two_folders_are_both_kept(tmp_path):
    for year in ("2024", "2025"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "plan.txt").write_text(PLAN.replace("2027", str(int(year) + 3)))
    report = ingest([tmp_path], tmp_path / "n.db", council="Kent")
    assert report.documents == ["plan.txt", "plan.txt"]
    assert len(list(open_db(tmp_path / "n.db")["documents"].rows)) == 2
    ingest([tmp_path / "2025"], tmp_path / "n.db", council="Kent")  # again, one of them: the other stays
    assert len(list(open_db(tmp_path / "n.db")["documents"].rows)) == 2


def test_links_are_followed_only_inside_the_folders_given(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir(), outside.mkdir()
    (outside / "secret.txt").write_text(PLAN.replace("attendance", "secrets"))
    (corpus / "plan.txt").write_text(PLAN)
    os.symlink(outside / "secret.txt", corpus / "secret.txt")
    os.symlink(corpus, corpus / "loop")
    os.symlink(corpus / "plan.txt", corpus / "alias.txt")
    os.symlink(corpus / "gone.txt", corpus / "broken.txt")
    report = ingest([corpus], tmp_path / "l.db", council="Kent")
    outcomes = {r.source: (r.outcome, r.problem.reason[:6] if r.problem else None) for r in report.files}
    assert outcomes == {"plan.txt": ("ingested", None), "alias.txt": ("duplicate", None), "secret.txt": ("failed", "[E301]"),
                        "loop": ("failed", "[E302]"), "broken.txt": ("failed", "[E303]")}
    report = ingest([corpus], tmp_path / "l2.db", council="Kent", follow_links=True)
    assert sorted(report.documents) == ["plan.txt", "secret.txt"]


def test_a_manifest_error_fails_only_the_document_it_concerns_and_names_line_and_field(tmp_path):
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  - file: good.txt\n    council: Kent\n  - file: bad.txt\n    council: Kent\n    kind: stratgy\n"
        "  - file: broken.txt\n    council: [Kent\n")
    for name in ("good.txt", "bad.txt", "broken.txt"):
        (tmp_path / name).write_text(PLAN.replace("exclusions", name))
    report = ingest([tmp_path], tmp_path / "m.db")
    assert report.documents == ["good.txt"]
    reasons = {p.source: p.reason for p in report.failed}
    assert reasons["bad.txt"].startswith("[E401] manifest.yaml line 6, field 'kind': kind 'stratgy' is not one of")
    assert reasons["broken.txt"].startswith("[E402] manifest.yaml line 8: not valid YAML")
    (doc,) = open_db(tmp_path / "m.db")["documents"].rows
    assert doc["council_code"] == "KEN"


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    (tmp_path / "plan.txt").write_bytes(PLAN.encode("utf-16-le"))
    report = ingest([tmp_path / "plan.txt"], tmp_path / "u.db", council="Kent")
    assert report.counts == {"plan.txt": {"priorities": report.counts["plan.txt"]["priorities"], "actions": 2, "measures": 0}}
    (doc,) = open_db(tmp_path / "u.db")["documents"].rows
    assert "UTF-16 without a byte-order mark" in doc["warnings"]


def test_nul_bytes_never_reach_the_database(tmp_path):
    text = PLAN + "\n" + "Context.\n\n" * 600 + "We will:\n- reduce child po\x00verty by March 2027\n"
    (tmp_path / "plan.txt").write_text(text)
    ingest([tmp_path / "plan.txt"], tmp_path / "z.db", council="Kent")
    texts = [r["text"] for r in open_db(tmp_path / "z.db")["actions"].rows]
    assert "reduce child poverty by March 2027" in texts


def test_a_paragraph_of_a_million_characters_is_split_before_nlp(tmp_path):
    from schemas.document import Block, Document, Page

    long = "A sentence of the endless paragraph. " * 30_000
    document = Document(source="x.txt", path="x.txt", format="text", sha256="0",
                        pages=(Page(number=1, blocks=(Block(id="p1-b1", kind="paragraph", text=long),)),))
    split = bounded(document, 50_000)
    blocks = list(split.blocks)
    assert len(blocks) == 23 and max(len(b.text) for b in blocks) <= 50_000
    assert " ".join(b.text for b in blocks) == long.strip()
    assert [b.id for b in blocks[:2]] == ["p1-b1.1", "p1-b1.2"] and "split into 23 blocks" in split.warnings[0]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_memory_megabytes": 100}, "below the 600 MB a worker needs"),
        ({"max_seconds": 0}, "greater than 0"),
        ({"max_block_chars": 2_000_000}, "less than or equal to 900000"),
    ],
)
def test_limits_that_cannot_work_fail_when_built(settings, message):
    with pytest.raises(ValueError, match=message):
        Limits(**settings)


def test_the_command_line_goes_on_past_a_missing_path_and_names_it(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN)
    from pipeline.cli import main

    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope.pdf"), str(tmp_path / "plan.txt"), "--db",
                                       str(tmp_path / "c.db"), "--council", "Kent", "--max-seconds", "60"])
    assert result.exit_code == 1, result.output  # a file failed: exit status 1 (issue 12)
    assert "nope.pdf" in result.output and "[E305] no such file or folder" in result.output
    assert "1 documents ingested" in result.output and "1 could not be read" in result.output


def test_the_command_line_refuses_a_memory_limit_too_small_to_start(tmp_path):
    from pipeline.cli import main

    result = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "c.db"), "--max-memory-mb", "50"])
    assert result.exit_code != 0 and "below the 600 MB" in result.output


# --------------------------------------------------------------------------- the database's own faults


def test_migrations_are_all_or_nothing(tmp_path, monkeypatch):
    import pipeline.store as store

    last = store.MIGRATIONS[-1]

    def fail_after_creating(db):
        last(db)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS[:-1], fail_after_creating])
    with pytest.raises(StoreError, match=r"\[E606\] migrating the schema from version 0 failed.*the database is unchanged"):
        open_db(tmp_path / "m.db")
    conn = sqlite3.connect(tmp_path / "m.db")
    assert conn.execute("PRAGMA user_version").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    monkeypatch.undo()
    assert open_db(tmp_path / "m.db").conn.execute("PRAGMA user_version").fetchone() == (len(store.MIGRATIONS),)


def test_a_half_created_schema_from_an_older_version_is_created_again(tmp_path):
    conn = sqlite3.connect(tmp_path / "half.db")
    conn.execute("CREATE TABLE councils (code TEXT PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE documents (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.close()
    notes = []
    report = ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], tmp_path / "half.db")
    assert report.documents == ["bcp_brighter_futures.txt"]
    assert any("half-created schema" in n for n in report.notes)
    (other := sqlite3.connect(tmp_path / "other.db")).execute("CREATE TABLE mine (x)")
    other.commit()
    with pytest.raises(StoreError, match=r"\[E607\].*\(mine\) but no councilplans schema version"):
        open_db(tmp_path / "other.db", notes=notes)


def hot_journal(tmp_path) -> tuple[Path, list]:
    """A database, its rows, and the rollback journal a writer killed mid-transaction left beside it."""
    path = tmp_path / "hot.db"
    ingest([BUNDLED_CORPUS / "bcp_brighter_futures.txt"], path)
    before = dump(path)
    writer = ("import os, sqlite3, sys\nc = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA cache_size=1')\n"
              "c.execute('BEGIN')\nc.execute('DELETE FROM action_owners')\nc.execute('DELETE FROM deadlines')\n"
              "[c.execute('INSERT INTO councils(code, name) VALUES (?, ?)', (str(k), 'x' * 500)) for k in range(3000)]\nos._exit(9)\n")
    subprocess.run([sys.executable, "-c", writer, str(path)], check=False)
    assert Path(f"{path}-journal").stat().st_size > 0
    return path, before


def test_a_hot_journal_left_by_a_killed_commit_is_rolled_back_with_a_plain_message(tmp_path):
    path, before = hot_journal(tmp_path)
    with pytest.raises(sqlite3.OperationalError):  # what a read-only opener (serve) sees
        ro = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ro.execute("SELECT count(*) FROM councils").fetchone()
    notes = []
    open_db(path, notes=notes).conn.close()
    assert notes and "stopped while writing; its unfinished transaction was rolled back" in notes[0]
    assert dump(path) == before


def test_a_full_disk_stops_the_run_with_a_named_error_and_keeps_what_was_stored(tmp_path, monkeypatch):
    import pipeline.ingest as ingest_module

    path = tmp_path / "full.db"
    real_open = ingest_module.open_db

    def small_disk(db_path, notes=None):
        db = real_open(db_path, notes=notes)
        pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
        db.conn.execute(f"PRAGMA max_page_count = {pages + 40}")  # room for a document or two
        return db

    monkeypatch.setattr(ingest_module, "open_db", small_disk)
    with pytest.raises(StoreError, match=r"\[E601\] the disk is full") as info:
        ingest([BUNDLED_CORPUS], path)
    assert str(path) in str(info.value) and "free some space" in str(info.value)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for doc_id, actions in conn.execute("SELECT id, actions_count FROM documents"):
        assert conn.execute("SELECT count(*) FROM actions WHERE document_id = ?", [doc_id]).fetchone()[0] == actions
    monkeypatch.undo()
    report = ingest([BUNDLED_CORPUS], path)  # the documents stored before the disk filled are unchanged
    assert len(report.documents) + len(report.unchanged) == 5


def test_kill_minus_9_during_a_run_leaves_a_database_that_the_next_run_completes(tmp_path):
    path = tmp_path / "killed.db"
    script = f"from pipeline.ingest import ingest\ningest([{str(BUNDLED_CORPUS)!r}], {str(path)!r})\n"
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if sqlite3.connect(path, timeout=1).execute("SELECT count(*) FROM files").fetchone()[0] >= 2:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    for doc_id, actions in conn.execute("SELECT id, actions_count FROM documents"):
        assert conn.execute("SELECT count(*) FROM actions WHERE document_id = ?", [doc_id]).fetchone()[0] == actions
    conn.close()
    report = ingest([BUNDLED_CORPUS], path)
    assert len(report.documents) + len(report.unchanged) == 5  # those stored before the kill are unchanged
    assert dump(path) == dump_fresh(tmp_path)


def dump_fresh(tmp_path):
    ingest([BUNDLED_CORPUS], tmp_path / "fresh.db")
    return dump(tmp_path / "fresh.db")


def test_every_error_code_used_is_in_the_catalogue():
    import re

    from pipeline.loaders import ERRORS

    root = Path(__file__).resolve().parents[2] / "pipeline"
    used = {code for path in root.rglob("*.py") for code in re.findall(r"\bE[1-6]\d\d\b", path.read_text(encoding="utf-8"))}
    assert used - set(ERRORS) == set()
    assert {"E101", "E201", "E206", "E207", "E301", "E401", "E601"} <= used


def test_serve_rolls_back_a_hot_journal_before_opening_the_database_read_only(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import pipeline.cli as cli

    path, before = hot_journal(tmp_path)
    executed = []
    monkeypatch.setattr(cli.os, "execv", lambda exe, argv: executed.append(argv))
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(path), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "its unfinished transaction was rolled back" in result.output
    assert executed and "--immutable" in executed[0] and str(path) in executed[0]
    assert dump(path) == before


def test_with_two_workers_the_largest_files_go_first_and_the_report_keeps_the_found_order(tmp_path, monkeypatch):
    import pipeline.ingest as ingest_module

    sent = []

    class Recording(ingest_module.WorkerPool):
        def map(self, tasks):
            tasks = list(tasks)
            sent.extend(t.shown for t in tasks)
            return super().map(tasks)

    monkeypatch.setattr(ingest_module, "WorkerPool", Recording)
    report = ingest([BUNDLED_CORPUS], tmp_path / "two.db", workers=2)
    by_size = sorted(BUNDLED_CORPUS.glob("*.txt"), key=lambda p: -p.stat().st_size)
    assert [Path(s).name for s in sent] == [p.name for p in by_size]
    assert report.documents == sorted(p.name for p in BUNDLED_CORPUS.glob("*.txt"))


def test_with_two_workers_two_same_named_plans_of_one_council_get_the_ids_a_one_worker_run_gives(tmp_path, monkeypatch):
    # Which of two same-named documents of a council is stored first decides whose record ids
    # follow the file name (pipeline/store.py). Workers finish in any order: here the pool hands
    # back the last-found file's result first, and the run must still store them in the found order.
    import pipeline.ingest as ingest_module

    for folder, hub in (("a", "open two family hubs by 2026"), ("b", "open four youth centres by 2027")):
        (tmp_path / "kent" / folder).mkdir(parents=True)
        (tmp_path / "kent" / folder / "plan.txt").write_text(
            f"Kent County Council\n\nCorporate Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n- {hub}\n",
            encoding="utf-8")

    class Reversed(ingest_module.WorkerPool):
        def map(self, tasks):
            return sorted(super().map(tasks), key=lambda done: done[0].path, reverse=True)  # b/ before a/

    def ids(path):
        with sqlite3.connect(path) as conn:
            return sorted(conn.execute("SELECT a.id, a.text, d.location FROM actions a JOIN documents d ON d.id = a.document_id"))

    ingest([tmp_path / "kent"], tmp_path / "one.db", workers=0)
    monkeypatch.setattr(ingest_module, "WorkerPool", Reversed)
    ingest([tmp_path / "kent"], tmp_path / "two.db", workers=2)
    assert len(ids(tmp_path / "one.db")) == 2
    assert ids(tmp_path / "two.db") == ids(tmp_path / "one.db")
