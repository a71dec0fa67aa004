"""The worker pool's scheduling (issue 11): bounded submission, workers kept busy while the caller
stores results, workers forked warm. Limits and dead workers: tests/pipeline/test_ingest.py."""

from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline.workers import Failure, WorkerPool, tiny_pdf


def _job(task, report_pages):
    kind, value = task
    if kind == "sleep":
        time.sleep(value)
    if kind == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def _warm_job(task, report_pages):
    """What this worker had built before its first file."""
    from extractors import decide, nlp
    from pipeline.councils import register

    return {"spacy": nlp.nlp.cache_info().currsize, "model": decide.load_model.cache_info().currsize,
            "register": register.cache_info().currsize}


def _seconds(task, pages):
    return 60


def test_tasks_are_taken_only_as_workers_become_free():
    taken = []

    def tasks():
        for k in range(10_000):
            taken.append(k)
            yield ("value", k)

    with WorkerPool(_job, size=2, memory_megabytes=0, seconds_for=_seconds) as pool:
        results = pool.map(tasks())
        next(results)
        assert len(taken) <= 4  # two running, and at most one more for each worker that finished
        rest = [value for _, value in results]
    assert len(rest) == 9_999 and len(taken) == 10_000


def test_a_worker_gets_its_next_task_before_the_caller_handles_its_result():
    # one worker, four tasks of 0.4 s; the caller takes 0.4 s over each result. Handing the next
    # task only after the caller is done would take 8 x 0.4 = 3.2 s; overlapped, about 5 x 0.4 s.
    tasks = [("sleep", 0.4)] * 4
    with WorkerPool(_job, size=1, memory_megabytes=0, seconds_for=_seconds) as pool:
        list(pool.map([("value", 0)]))  # the worker is started and idle
        started = time.monotonic()
        for _ in pool.map(tasks):
            time.sleep(0.4)
        took = time.monotonic() - started
        stats = pool.stats
    assert took < 2.8, took
    assert stats.idle_seconds < 0.3, stats  # the worker waited for its next task only between sending and receiving
    assert 1.6 <= stats.busy_seconds < 2.4 and stats.dispatched == 5, stats


def test_a_worker_killed_mid_run_is_reported_and_every_other_task_is_done():
    tasks = [("value", 1), ("die", 2), *[("value", k) for k in range(3, 20)]]
    with WorkerPool(_job, size=2, memory_megabytes=0, seconds_for=_seconds) as pool:
        results = dict(pool.map(iter(tasks)))
    assert isinstance(results[("die", 2)], Failure) and results[("die", 2)].signal_name == "SIGKILL"
    assert [results[t] for t in tasks if t[0] == "value"] == [t[1] for t in tasks if t[0] == "value"]


def test_workers_are_forked_with_the_pipeline_already_built():
    with WorkerPool(_warm_job, size=1, memory_megabytes=0, seconds_for=_seconds) as pool:
        ((_, built),) = list(pool.map([("first", None)]))
    assert built == {"spacy": 1, "model": 1, "register": 1}


def test_the_warm_up_pdf_is_read_as_a_plan(tmp_path):
    from pipeline.ingest import process_file
    from pipeline.workers import WARM_TEXT

    path = tmp_path / "plan.pdf"
    path.write_bytes(tiny_pdf(WARM_TEXT.splitlines()))  # what the fork server reads before any task
    result = process_file(str(path), entry=None)
    assert result.problem is None
    assert [p.title for p in result.extraction.priorities] == ["Keep children safe"]
    assert [a.text for a in result.extraction.actions] == ["reduce exclusions by March 2026", "improve attendance by 2027"]


@pytest.mark.parametrize("size", [1, 3])
def test_fewer_tasks_than_workers_start_only_the_workers_needed(size):
    with WorkerPool(_job, size=size, memory_megabytes=0, seconds_for=_seconds) as pool:
        assert [value for _, value in pool.map([("value", 7)])] == [7]
        assert pool.started == 1 and pool.stats.dispatched == 1


def test_the_fork_server_can_be_started_ahead_of_the_pool():
    from pipeline.workers import start_fork_server

    start_fork_server()
    start_fork_server()  # already running: nothing more
    with WorkerPool(_job, size=2, memory_megabytes=0, seconds_for=_seconds) as pool:
        assert sorted(value for _, value in pool.map([("value", 1), ("value", 2)])) == [1, 2]
