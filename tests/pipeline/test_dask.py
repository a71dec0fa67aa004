"""Ingestion on a Dask LocalCluster (issue 11, pipeline/dask_engine.py): the database is the one a
local run writes; a file over its time limit is stopped; a file that kills the process reading it
(the reader under the Dask worker, or the Dask worker itself) is that file's failure only; and the
CLI's --scheduler / --dask reach the engine.

One cluster of two worker processes (127.0.0.1 only) serves the module and is always closed."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import dask
import pytest

from pipeline.dask_engine import DaskEngine
from pipeline.ingest import BUNDLED_CORPUS, ingest, process_task
from pipeline.loaders import Limits

KILLER = "kills-its-reader.txt"
SLOW = "sleeps-past-its-limit.txt"
# Derived or per-run: FTS shadow tables (rowids follow the order of inserts; searched below
# instead), runs (times, ids), and the time and run of each file.
PER_RUN = {"runs"}
PER_RUN_COLUMNS = {("files", "seconds"), ("files", "run_id")}


def misbehaving_reader(task, on_pages=None):
    """`process_task`, except that the file named KILLER kills the process reading it, and the one
    named SLOW takes a minute."""
    if Path(task.path).name == KILLER:
        os.kill(os.getpid(), signal.SIGKILL)
    if Path(task.path).name == SLOW:
        time.sleep(60)
    return process_task(task, on_pages)


@pytest.fixture(scope="module")
def engine():
    # The scheduler's default three retries, as in production. With one retry, a file that was merely
    # waiting on the worker a killer file took down, both times, failed with it: a race that lost
    # one full run in three under load in session 12 (each extra restart costs about a second).
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}):
        with DaskEngine(workers=2) as running:
            yield running
    assert running.client is None and running.cluster is None  # closed


def content(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows but what is per run, in a stable order."""
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                  if "_fts" not in t and t not in PER_RUN]
        rows = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info([{table}])") if (table, c[1]) not in PER_RUN_COLUMNS]
            select = ", ".join(f"[{c}]" for c in columns)
            rows[table] = sorted(conn.execute(f"SELECT {select} FROM [{table}]").fetchall(), key=repr)
        for table, word in (("actions", "attendance"), ("priorities", "children"), ("measures", "rate")):
            rows[f"{table} matching {word}"] = sorted(r[0] for r in conn.execute(
                f"SELECT t.id FROM {table}_fts JOIN {table} t ON t.rowid = {table}_fts.rowid WHERE {table}_fts MATCH ?", [word]))
        return rows
    finally:
        conn.close()


def test_a_run_on_dask_writes_the_database_a_local_run_writes(tmp_path, engine):
    extra = tmp_path / "extra"
    # Two documents of one council under one file name: the first stored keys its records by council
    # and name, the other by content, so the order they are stored in decides their ids. They are the
    # two largest files, so read at once, and the one found first is twice as long: it finishes last.
    plan = (BUNDLED_CORPUS / "gateshead_corporate_parenting_operational_plan.txt").read_text()
    for folder, text in (("a", plan + "\n"), ("b", plan[:len(plan) // 2])):
        (extra / folder).mkdir(parents=True)
        (extra / folder / "plan.txt").write_text(text)
    shutil.copy(BUNDLED_CORPUS / "bcp_brighter_futures.txt", extra / "copy.txt")  # a duplicate
    (extra / "junk.txt").write_bytes(bytes(range(256)) * 20)  # fails on the worker
    paths = [BUNDLED_CORPUS / name for name in ("bcp_brighter_futures.txt", "gateshead_childrens_services_priorities_2025-27.txt",
                                                "redcar_cleveland_cyp_families_strategy_2024-27.txt",
                                                "south_gloucestershire_childrens_services_plan_2021-31.txt")] + [extra]

    local = ingest(paths, tmp_path / "local.db")
    before = len(engine.submitted)
    dask_run = ingest(paths, tmp_path / "dask.db", engine=engine)

    assert len(local.documents) == 6 and [p.source for p in local.failed] == ["junk.txt"]
    assert [(r.shown, r.outcome, r.document_id) for r in dask_run.files] == [
        (r.shown, r.outcome, r.document_id) for r in local.files]
    assert [p.reason for p in dask_run.failed] == [p.reason for p in local.failed]
    ours, theirs = content(tmp_path / "dask.db"), content(tmp_path / "local.db")
    assert set(ours) == set(theirs)
    for table in theirs:
        assert ours[table] == theirs[table], table
    assert len(theirs["actions"]) > 120 and theirs["actions matching attendance"]
    plans = sorted(r for r in theirs["documents"] if r[1] == "plan.txt")
    assert len(plans) == 2 and plans[0][2] == plans[1][2] == "GAT"  # one council, one name: the case above
    # On the cluster, bounded, largest first; every file but the duplicate read once.
    assert len(engine.submitted) - before == 7 and 1 <= engine.most_in_flight <= 4
    sizes = [task.size for task in engine.submitted[before:]]
    assert sizes == sorted(sizes, reverse=True)
    assert not dask_run.notes  # read under the files' limits (in a process of their own)


def test_a_file_over_its_time_limit_is_stopped_on_the_dask_worker(tmp_path, engine, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(BUNDLED_CORPUS / "bcp_brighter_futures.txt", folder)
    (folder / SLOW).write_text("Our Plan 2025-2027\n\nWe will keep children safe.\n")
    monkeypatch.setattr(engine, "function", misbehaving_reader)
    started = time.monotonic()
    report = ingest([folder], tmp_path / "slow.db", engine=engine, limits=Limits(max_seconds=1))
    assert time.monotonic() - started < 30  # not the minute the file would take
    assert report.documents == ["bcp_brighter_futures.txt"]
    (problem,) = report.failed
    assert problem.source == SLOW and problem.reason.startswith("[E206] stopped after")


@pytest.mark.parametrize("isolate", [True, False], ids=["reader-killed", "dask-worker-killed"])
def test_a_file_that_kills_its_reader_fails_alone(tmp_path, engine, monkeypatch, isolate):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("bcp_brighter_futures.txt", "redcar_cleveland_cyp_families_strategy_2024-27.txt",
                 "south_gloucestershire_childrens_services_plan_2021-31.txt"):
        shutil.copy(BUNDLED_CORPUS / name, folder / name)
    (folder / KILLER).write_text("Our Plan 2025-2027\n\nWe will keep children safe.\n")  # the smallest: submitted last
    monkeypatch.setattr(engine, "function", misbehaving_reader)
    monkeypatch.setattr(engine, "isolate", isolate)

    report = ingest([folder], tmp_path / "killed.db", engine=engine)

    assert sorted(report.documents) == ["bcp_brighter_futures.txt", "redcar_cleveland_cyp_families_strategy_2024-27.txt",
                                        "south_gloucestershire_childrens_services_plan_2021-31.txt"]
    (problem,) = report.failed
    assert problem.source == KILLER and problem.detail == f"docs/{KILLER}" and problem.stage == "worker"
    assert problem.reason.startswith("[E208]")
    # isolated: the local engine's reader process died (SIGKILL) and the Dask worker lived on; not:
    # the Dask worker died, four times (the retries), and the scheduler gave the file up (KilledWorker)
    assert ("SIGKILL" in problem.reason) is isolate and ("Dask workers reading it died (4 tried" in problem.reason) is not isolate
    conn = sqlite3.connect(tmp_path / "killed.db")
    try:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
        assert conn.execute("SELECT outcome FROM files WHERE name = ?", [KILLER]).fetchone() == ("failed",)
        assert conn.execute("SELECT stage FROM problems WHERE source = ?", [KILLER]).fetchall() == [("worker",)]
    finally:
        conn.close()


class InProcessEngine:
    """A stand-in for DaskEngine in the CLI test: reads in this process, records its use."""

    made: list["InProcessEngine"] = []

    def __init__(self, scheduler=None, *, workers=None):
        self.args, self.state = (scheduler, workers), "made"
        InProcessEngine.made.append(self)

    def __enter__(self):
        self.state = "started"
        return self

    def __exit__(self, *exc):
        self.state = "closed"

    def map(self, tasks, notes):
        notes.append("read in process")
        for task in tasks:
            yield task, process_task(task)


def test_the_cli_runs_ingest_on_the_engine_it_was_asked_for_and_closes_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import pipeline.dask_engine
    from pipeline.cli import main

    monkeypatch.setattr(pipeline.dask_engine, "DaskEngine", InProcessEngine)
    monkeypatch.setattr(InProcessEngine, "made", [])
    plan = str(BUNDLED_CORPUS / "bcp_brighter_futures.txt")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", plan, "--db", str(tmp_path / "cli.db"), "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 0, result.output
    assert "bcp_brighter_futures.txt: 4 priorities, 28 actions, 15 measures" in result.output
    assert "read in process" in result.output  # the engine's notes are shown
    result = runner.invoke(main, ["ingest", plan, "--db", str(tmp_path / "cli.db"), "--dask", "3", "--force"])
    assert result.exit_code == 0, result.output
    assert [(engine.args, engine.state) for engine in InProcessEngine.made] == [
        (("tcp://127.0.0.1:8786", None), "closed"), ((None, 3), "closed")]
    for wrong in (["--dask", "2", "--scheduler", "tcp://127.0.0.1:8786"], ["--dask", "2", "--workers", "2"]):
        result = runner.invoke(main, ["ingest", plan, "--db", str(tmp_path / "cli.db"), *wrong])
        assert result.exit_code == 2 and ("not both" in result.output or "--workers" in result.output), result.output
    assert len(InProcessEngine.made) == 2  # no engine for a refused command
