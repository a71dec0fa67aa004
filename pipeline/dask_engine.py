"""Reading files on a Dask distributed cluster (issue 11): `councilplans ingest --scheduler` / `--dask N`.

Only loading and extraction run on the cluster: each file is one Dask task running the same
`process_task(task)` as a local worker. The results stream back to the process that called
`ingest`, which stays the one writer of the database (`_account` / `_store` in pipeline/ingest.py),
so a run on Dask writes what a local run writes:

    with DaskEngine("tcp://10.0.0.5:8786") as engine:        # or DaskEngine(workers=4): a LocalCluster
        report = ingest(paths, "councilplans.db", engine=engine)

What holds (docs/dask.md):
- Submission is bounded: at most two tasks per worker thread are on the cluster at once, the largest files first (as the local pool), collected with `distributed.as_completed`.
- Rows and ids do not depend on which file finishes first. The one place where the order of
  storing matters (two files of one council with the same file name: the first stored keys its
  records by council and name, the other by its content; pipeline/store.py) is kept to the order
  the files were found: `ingest` holds a result back until the files of the same name found
  before it are stored (`_same_names_in_found_order`, shared with the local pool).
- A task that raises becomes that file's failure ([E501], naming the file and the worker); a file
  whose Dask workers died (`KilledWorker`, after the scheduler's `allowed-failures` retries) is
  reported as failed ([E208]); a task the scheduler lost is reported as failed. The run goes on.
- Limits: with `isolate` (the default) each Dask worker reads every file in a one-process
  `WorkerPool` of its own, so the file's time limit (growing with its pages), its memory limit
  and a crash in a reader library are handled exactly as in a local run ([E206], [E207], [E208]),
  and a bad file never kills the Dask worker. That needs worker processes that may start children
  (`DASK_DISTRIBUTED__WORKER__DAEMON=False`, or `dask worker --no-nanny`); a daemonic worker reads
  in its own thread without the time and memory limits, and the run's notes say so.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.ingest import FileResult, Task, _failure_result, process_task
from schemas.records import Problem

# Tasks kept on the cluster per worker thread: enough that no thread waits for the next file,
# few enough that a large run does not queue every file's task on the scheduler at once.
IN_FLIGHT_PER_THREAD = 2
# The local cluster of `--dask N`: worker processes that may start the per-file reader process.
LOCAL_CONFIG = {"distributed.worker.daemon": False}


class DaskError(RuntimeError):
    """The cluster itself could not be used (no scheduler at the address, no worker joined, the
    local cluster did not start): not a problem with one file."""


# --------------------------------------------------------------------------- on a Dask worker

_POOLS: dict[tuple, list] = {}  # (function, memory limit) -> idle one-process WorkerPools of this worker process
_POOLS_LOCK = threading.Lock()


def _seconds_for(task: Task, pages: int | None) -> float:
    return task.limits.seconds_for(pages)


def _read_isolated(task: Task, function: Callable) -> FileResult:
    """`function(task)` in a process of its own under the task's limits (the local engine's
    WorkerPool, one per Dask worker thread, kept between tasks)."""
    from pipeline.workers import WorkerPool

    key = (function, task.limits.max_memory_megabytes)
    with _POOLS_LOCK:
        idle = _POOLS.setdefault(key, [])
        pool = idle.pop() if idle else None
    if pool is None:
        pool = WorkerPool(function, size=1, memory_megabytes=task.limits.max_memory_megabytes, seconds_for=_seconds_for)
    try:
        ((_, outcome),) = list(pool.map([task]))
    except BaseException:
        pool.close()
        raise
    with _POOLS_LOCK:
        _POOLS[key].append(pool)
    return outcome if isinstance(outcome, FileResult) else _failure_result(task, outcome)


def read_on_worker(task: Task, function: Callable = process_task, isolate: bool = True) -> tuple[FileResult, bool, str]:
    """The Dask task: one file's `FileResult`, whether it was read under its limits, and where."""
    try:
        from distributed import get_worker

        where = get_worker().address
    except ValueError:  # not on a worker (called directly)
        where = "this process"
    if isolate and not multiprocessing.current_process().daemon:
        return _read_isolated(task, function), True, where
    return function(task), False, where


# --------------------------------------------------------------------------- in the writing process


def _failed(task: Task, stage: str, reason: str, seconds: float) -> FileResult:
    source = Path(task.path).name
    return FileResult(path=task.path, source=source, shown=task.shown, size=task.size, seconds=seconds,
                      problem=Problem(source=source, stage=stage, reason=reason, detail=task.shown))


def _task_failure(task: Task, exc: BaseException, seconds: float) -> FileResult:
    """The failure of a file whose task raised, whose workers died, or that the cluster dropped."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        last = getattr(exc.last_worker, "address", exc.last_worker)
        return _failed(task, "worker", f"[E208] the Dask workers reading it died ({exc.allowed_failures + 1} tried, the "
                       f"last {last}): a crash in a reader library, or a worker out of memory (Dask's memory limit or "
                       "the machine's) (open and re-save the file)", seconds)
    if isinstance(exc, CancelledError):
        return _failed(task, "worker", "[E208] the Dask scheduler dropped the task reading it (was the cluster "
                       f"restarted or the connection lost? {exc}): run again to read it", seconds)
    hint = ("is councilplans installed, at the same version, on every Dask worker?" if isinstance(exc, ImportError)
            else "an error in the Dask task, or in sending its result back: please report it with the file")
    return _failed(task, "worker", f"[E501] {type(exc).__name__}: {exc} (on a Dask worker, reading it; {hint})", seconds)


class DaskEngine:
    """Reads files on a Dask cluster: the scheduler at `scheduler` ("tcp://host:8786"), or a
    `distributed.LocalCluster` of `workers` processes (one thread each) on this machine.
    `function(task)` reads one file (`process_task`; tests pass another); `isolate` reads each
    file in a process of its own under the task's limits (see the module's docstring)."""

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None, isolate: bool = True,
                 function: Callable[[Task], FileResult] = process_task, wait_seconds: float = 60.0,
                 connect_seconds: float = 30.0):
        if (scheduler is None) == (workers is None):
            raise ValueError("give either a scheduler address or a number of local workers")
        if workers is not None and workers < 1:
            raise ValueError("a local cluster needs at least one worker")
        self.scheduler = scheduler
        self.workers = workers
        self.isolate = isolate
        self.function = function
        self.wait_seconds = wait_seconds
        self.connect_seconds = connect_seconds
        self.client = None
        self.cluster = None
        self._stack = contextlib.ExitStack()
        self.submitted: list[Task] = []  # every task submitted, in order (for tests and benchmarks)
        self.most_in_flight = 0  # the most tasks that were on the cluster at once

    def __enter__(self) -> "DaskEngine":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def address(self) -> str:
        return self.scheduler or (self.cluster.scheduler_address if self.cluster is not None else "a local cluster")

    def start(self) -> None:
        import dask
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            # Held for the cluster's life: the nanny reads the daemon flag whenever it (re)starts a worker.
            self._stack.enter_context(dask.config.set(LOCAL_CONFIG))
            try:
                self.cluster = self._stack.enter_context(LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                    dashboard_address=":0", scheduler_kwargs={"dashboard": False}, silence_logs=logging.CRITICAL))
            except Exception as exc:  # noqa: BLE001 - whatever stops it, the run cannot start
                raise DaskError(f"could not start a local Dask cluster of {self.workers} workers: "
                                f"{type(exc).__name__}: {exc}") from exc
            self.client = self._stack.enter_context(Client(self.cluster, set_as_default=False))
            return
        try:
            self.client = self._stack.enter_context(Client(self.scheduler, timeout=self.connect_seconds,
                                                           set_as_default=False))
        except (OSError, TimeoutError, ValueError) as exc:
            raise DaskError(f"could not connect to the Dask scheduler at {self.scheduler}: {exc}") from exc
        try:
            self.client.wait_for_workers(1, timeout=self.wait_seconds)
        except (TimeoutError, OSError) as exc:
            raise DaskError(f"no Dask worker joined the scheduler at {self.scheduler} within {self.wait_seconds:g} s "
                            "(start some with `dask worker ADDRESS`: see docs/dask.md)") from exc

    def close(self) -> None:
        self._stack.close()
        self.client = self.cluster = None

    def _in_flight(self) -> int:
        try:
            threads = sum(self.client.nthreads().values())
        except (OSError, TimeoutError):
            threads = 0
        return IN_FLIGHT_PER_THREAD * max(1, threads)

    def map(self, tasks: Iterable[Task], notes: list[str] | None = None) -> Iterator[tuple[Task, FileResult]]:
        """Read every task on the cluster; yield (task, result) as results come back (`ingest`
        stores files of the same name in the order they were found, as for the local pool).
        Unreadable files, raising tasks and dead workers are failed `FileResult`s, never raised."""
        from distributed import as_completed

        if self.client is None:
            raise DaskError("the Dask engine is not started (use it as a context manager)")
        found = list(tasks)
        if not found:
            return
        # Largest files first, so that the last file is not a large one running alone.
        pending = collections.deque(sorted(range(len(found)), key=lambda i: -(found[i].size or 0)))
        running: dict[Any, tuple[int, float]] = {}  # future -> (index, submitted)
        unlimited: set[str] = set()
        stream = as_completed(loop=self.client.loop)

        def submit() -> None:
            index = pending.popleft()
            # Each task's priority is its place in the submission order: a worker holding two runs
            # them largest first, and a task that kills its worker is run after those submitted
            # before it, so few others are waiting there when it dies (the scheduler counts a
            # failure against every task a dead worker held, running or waiting).
            future = self.client.submit(read_on_worker, found[index], self.function, self.isolate,
                                        key=f"councilplans-read-{uuid.uuid4().hex}", retries=0,
                                        priority=-len(self.submitted))
            running[future] = (index, time.monotonic())
            stream.add(future)
            self.submitted.append(found[index])
            self.most_in_flight = max(self.most_in_flight, len(running))

        try:
            limit = self._in_flight()
            while pending and len(running) < limit:
                submit()
            for future in stream:
                index, submitted = running.pop(future)
                task = found[index]
                try:
                    # Waits if the worker holding the result died since (the scheduler computes it again).
                    result, limited, where = future.result()
                except Exception as exc:  # noqa: BLE001 - every failure is the file's (CancelledError too)
                    result = _task_failure(task, exc, time.monotonic() - submitted)
                else:
                    if self.isolate and not limited:
                        unlimited.add(where)
                future.release()
                if pending:
                    limit = self._in_flight()
                    while pending and len(running) < limit:
                        submit()
                yield task, result
        finally:
            for future in list(running):
                future.cancel()
            if unlimited and notes is not None:
                notes.append(f"Dask: files were read without their time and memory limits on {len(unlimited)} "
                             f"worker(s) ({', '.join(sorted(unlimited)[:3])}{' ...' if len(unlimited) > 3 else ''}): "
                             "their processes are daemonic; start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False "
                             "(docs/dask.md)")
