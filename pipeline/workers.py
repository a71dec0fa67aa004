"""Worker processes that read one file at a time under a time and a memory limit.

Each worker is forked from a fork server that has already imported the loaders and extractors,
so it starts in a fraction of a second with a small address space, which it then caps
(`RLIMIT_AS`): a file that needs more memory than the limit fails with `MemoryError` (or, in a C
library, kills the worker) instead of taking the machine with it. The parent hands a worker one
task at a time and waits for its answer no longer than the task's time limit, which grows once
the worker reports the page count. A worker that is too slow is killed; a worker that dies is
reported; either way a fresh worker takes its place and the run goes on.

    with WorkerPool(read_file, size=2, memory_megabytes=1500, seconds_for=limit) as pool:
        for task, outcome in pool.map(tasks):   # outcome: the function's result, or a Failure
            ...

Workers never outlive the run: they are killed when the pool closes, and each ends itself when
the parent's end of its lifeline pipe closes (the parent was killed), even in the middle of a file.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

# Modules the fork server imports once, so that each worker starts with them loaded.
PRELOAD = [
    "pipeline.ingest",
    "pipeline.loaders.pdf",
    "pipeline.loaders.text",
    "pipeline.loaders.html",
    "pipeline.loaders.docx",
    "pipeline.loaders.markdown",
]
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Failure:
    """A task that did not finish: `kind` "timeout" (killed at `limit` seconds) or "died" (the
    worker process ended: `exitcode`, negative for a signal)."""

    kind: str
    seconds: float
    limit: float | None = None
    pages: int | None = None
    exitcode: int | None = None

    @property
    def signal_name(self) -> str | None:
        if self.exitcode is None or self.exitcode >= 0:
            return None
        try:
            return signal.Signals(-self.exitcode).name
        except ValueError:
            return f"signal {-self.exitcode}"


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _main_module_hidden():
    """Start a worker without re-importing the caller's main script in it.

    A new process started by the fork server or by spawn first imports the parent's `__main__`
    (to find functions defined there). Ours need nothing from it, and a script that calls
    `ingest(...)` at its top level, without `if __name__ == "__main__":`, would otherwise run
    again in every worker and fail there."""
    main = sys.modules.get("__main__")
    saved = {name: getattr(main, name) for name in ("__file__", "__spec__") if main is not None and hasattr(main, name)}
    try:
        for name in saved:
            setattr(main, name, None) if name == "__spec__" else delattr(main, name)
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


def _limit_memory(megabytes: int) -> None:
    if not megabytes:
        return
    try:
        import resource
    except ImportError:  # not on this platform: no memory limit
        return
    wanted = megabytes * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dumps from crashed readers
    except (ValueError, OSError):
        pass


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        pass


def peak_rss_megabytes() -> float:
    """This process's peak resident memory so far (MB)."""
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:
        return 0.0


def _watch(lifeline: Connection) -> None:
    """End this worker as soon as the parent is gone (its end of `lifeline` closes), whatever the
    worker is doing: a worker stuck in a reader must not outlive an interrupted run."""
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(0)


def _serve(conn: Connection, function: Callable[[Any, Callable[[int], None]], Any], memory_megabytes: int,
           lifeline: Connection) -> None:
    """A worker's life: take a task, run `function(task, report_pages)`, send back its result."""
    _die_with_parent()
    threading.Thread(target=_watch, args=(lifeline,), name="lifeline", daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _limit_memory(memory_megabytes)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        retire = False
        try:
            result = function(task, lambda pages: _send_quietly(conn, ("pages", pages)))
        except MemoryError:
            result, retire = MemoryError(), True
        # After running out of memory the process may be in a poor state: a fresh one takes over.
        retire = retire or bool(getattr(result, "retire", False))
        try:
            conn.send(("done", result, retire))
        except MemoryError:
            os._exit(3)
        except OSError:  # the parent has gone
            return
        if retire:
            return


def _send_quietly(conn: Connection, message: tuple) -> None:
    try:
        conn.send(message)
    except OSError:  # the parent has gone: the worker ends after this task
        pass


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    lifeline: Connection


@dataclass
class _Busy:
    task: Any
    started: float
    deadline: float
    pages: int | None = None
    extra: dict = field(default_factory=dict)


class WorkerPool:
    """Up to `size` worker processes running `function(task, report_pages)` one task at a time.
    `seconds_for(task, pages)` is a task's time limit (pages None until the worker reports them)."""

    def __init__(self, function: Callable, *, size: int, memory_megabytes: int,
                 seconds_for: Callable[[Any, int | None], float]):
        self.function = function
        self.size = max(1, size)
        self.memory_megabytes = memory_megabytes
        self.seconds_for = seconds_for
        self.context = _context()
        self.workers: list[_Worker] = []
        self.idle: list[_Worker] = []
        self.started = 0  # workers started, replacements included

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        watched, lifeline = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_serve, args=(child_end, self.function, self.memory_megabytes, watched),
                                       name="councilplans-worker", daemon=True)
        with _main_module_hidden():
            process.start()
        child_end.close()
        watched.close()
        worker = _Worker(process, parent_end, lifeline)
        self.workers.append(worker)
        self.started += 1
        return worker

    def _discard(self, worker: _Worker, *, kill: bool) -> None:
        if not kill:
            worker.process.join(timeout=10)  # a retiring worker exits by itself
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=10)
        worker.conn.close()
        worker.lifeline.close()
        if worker in self.workers:
            self.workers.remove(worker)
        if worker in self.idle:
            self.idle.remove(worker)

    def close(self) -> None:
        for worker in list(self.workers):
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in list(self.workers):
            worker.process.join(timeout=2)
            self._discard(worker, kill=True)

    def map(self, tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        """Run every task; yield (task, result) in the order they finish, where result is what
        `function` returned, a `MemoryError` instance, or a `Failure`."""
        pending = collections.deque(tasks)
        idle = self.idle
        busy: dict[int, tuple[_Worker, _Busy]] = {}
        while pending or busy:
            while pending and (idle or len(busy) + len(idle) < self.size):
                worker = idle.pop() if idle else self._start()
                task = pending.popleft()
                try:
                    if not worker.process.is_alive():
                        raise BrokenPipeError
                    worker.conn.send(task)
                except (OSError, ValueError):
                    self._discard(worker, kill=True)
                    pending.appendleft(task)
                    continue
                now = time.monotonic()
                busy[id(worker)] = (worker, _Busy(task, now, now + self.seconds_for(task, None)))
            soonest = min(b.deadline for _, b in busy.values())
            ready = wait([w.conn for w, _ in busy.values()], timeout=max(0.0, soonest - time.monotonic()))
            for conn in ready:
                worker, state = next(v for v in busy.values() if v[0].conn is conn)
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=10)
                    del busy[id(worker)]
                    self._discard(worker, kill=True)
                    yield state.task, Failure("died", time.monotonic() - state.started, pages=state.pages,
                                              exitcode=worker.process.exitcode)
                    continue
                if message[0] == "pages":
                    state.pages = message[1]
                    state.deadline = state.started + self.seconds_for(state.task, state.pages)
                    continue
                _, result, retire = message
                del busy[id(worker)]
                if retire:
                    self._discard(worker, kill=False)
                else:
                    idle.append(worker)
                yield state.task, result
            now = time.monotonic()
            for key, (worker, state) in list(busy.items()):
                if now >= state.deadline:
                    del busy[key]
                    self._discard(worker, kill=True)
                    yield state.task, Failure("timeout", now - state.started, limit=state.deadline - state.started,
                                              pages=state.pages)
