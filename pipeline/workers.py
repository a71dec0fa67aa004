"""Worker processes that read one file at a time under a time and a memory limit.

Each worker is forked from a fork server that has already imported the loaders and extractors
and read two tiny documents (`warm_up`: spaCy's pipeline, the decision model and the pattern
files are built there once, not in every worker), so it starts in a fraction of a second with a
small address space, which it then caps (`RLIMIT_AS`): a file that needs more memory than the
limit fails with `MemoryError` (or, in a C library, kills the worker) instead of taking the
machine with it. The parent hands a worker one task at a time, taking tasks from the caller's
iterable only as workers become free, and gives a worker its next task before passing its last
result on (so storing a result never leaves a worker waiting); it waits for an answer no longer
than the task's time limit, which grows once the worker reports the page count. A worker that is
too slow is killed; a worker that dies is reported; either way a fresh worker takes its place
and the run goes on.

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

# Modules the fork server imports once, so that each worker starts with them loaded; the last
# one reads two tiny documents there (`warm_up`), so that what the stages build on first use is
# built once too.
PRELOAD = [
    "pipeline.ingest",
    "pipeline.loaders.pdf",
    "pipeline.loaders.text",
    "pipeline.loaders.html",
    "pipeline.loaders.docx",
    "pipeline.loaders.markdown",
    "pipeline.worker_warmup",
]
PR_SET_PDEATHSIG = 1
_STARTING = threading.Lock()
WARM_TEXT = ("Our Plan 2025-2027\n\nPriority 1: Keep children safe\n\nWe will:\n- reduce exclusions by March 2026\n"
             "- improve attendance by 2027\n")


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


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica, one line of text per item of `lines`)."""
    text = "".join(f"({line.replace(chr(92), '').replace('(', '').replace(')', '')}) Tj 0 -16 Td " for line in lines)
    stream = f"BT /F1 11 Tf 72 720 Td {text}ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def warm_up() -> float:
    """Read a short plan as text and as PDF in this process, so that what the loaders and stages
    build on first use (spaCy's pipeline and its registry, the commitment Matcher, the decision
    model, the pattern files, the council register) is built. The fork server does this once
    (PRELOAD), and every worker forked from it starts with it, instead of each building its own
    on its first file. Never raises (a worker builds what it lacks); returns the seconds taken."""
    started = time.monotonic()
    try:
        import tempfile

        from pipeline.ingest import process_file

        with tempfile.TemporaryDirectory(prefix="councilplans-warm-") as folder:
            for name, content in (("plan.txt", WARM_TEXT.encode()), ("plan.pdf", tiny_pdf(WARM_TEXT.splitlines()))):
                path = os.path.join(folder, name)
                with open(path, "wb") as out:
                    out.write(content)
                process_file(path, entry=None)
    except Exception:  # noqa: BLE001 - an optimisation only
        pass
    return time.monotonic() - started


def start_fork_server() -> None:
    """Start the workers' fork server now without waiting for it, so that its imports and
    `warm_up` (1.5-3 s) run while the caller does other work (importing the pipeline itself,
    surveying, hashing, opening the database) and the first worker forks as soon as a pool needs
    it (benchmarks/SCALE_RESULTS.md measures calling it before `councilplans ingest` imports the
    pipeline). A pool starts the server anyway; this only starts it sooner. Does nothing where
    there is no fork server."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


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
            conn.send(("done", result, retire, time.monotonic()))  # the clock is the machine's: comparable
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
    freed: float | None = None  # when it last became idle (time.monotonic())


@dataclass
class PoolStats:
    """What a pool's parent saw: tasks sent to workers; seconds spent receiving results (unpickling
    them: the parent's own work per file); worker-seconds with a task (sent to answered) and
    worker-seconds that workers waited for their next task of the same `map` (from a worker sending
    its result to the parent sending it a task); when the first task was sent and the last answer
    came (time.monotonic())."""

    dispatched: int = 0
    receive_seconds: float = 0.0
    busy_seconds: float = 0.0
    idle_seconds: float = 0.0
    first_dispatch: float | None = None
    last_answer: float | None = None


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
        self.stats = PoolStats()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        watched, lifeline = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_serve, args=(child_end, self.function, self.memory_megabytes, watched),
                                       name="councilplans-worker", daemon=True)
        with _STARTING, _main_module_hidden():  # __main__ is shared by the threads of a process
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
        `function` returned, a `MemoryError` instance, or a `Failure`.

        Tasks are taken from `tasks` only as workers become free (at most `size` running), so a
        generator of a million files is never read up front. A worker that finishes is given its
        next task before its result is handed to the caller: the caller storing one result never
        leaves a worker waiting."""
        source = iter(tasks)
        retry: collections.deque = collections.deque()  # taken from `tasks`, not running (a send failed)
        idle = self.idle
        busy: dict[int, tuple[_Worker, _Busy]] = {}
        done: list[tuple[Any, Any]] = []
        for worker in idle:  # idle between two calls: not waiting for one of these tasks
            worker.freed = None

        def take() -> tuple[bool, Any]:
            if retry:
                return True, retry.popleft()
            for task in source:
                return True, task
            return False, None

        def dispatch() -> None:
            while idle or len(busy) + len(idle) < self.size:
                more, task = take()
                if not more:
                    return
                try:
                    worker = idle.pop() if idle else self._start()
                except BaseException:
                    retry.appendleft(task)
                    raise
                try:
                    if not worker.process.is_alive():
                        raise BrokenPipeError
                    worker.conn.send(task)
                except (OSError, ValueError):
                    self._discard(worker, kill=True)
                    retry.appendleft(task)
                    continue
                now = time.monotonic()
                self.stats.dispatched += 1
                if self.stats.first_dispatch is None:
                    self.stats.first_dispatch = now
                if worker.freed is not None:
                    self.stats.idle_seconds += now - worker.freed
                    worker.freed = None
                busy[id(worker)] = (worker, _Busy(task, now, now + self.seconds_for(task, None)))

        dispatch()
        while busy:
            soonest = min(b.deadline for _, b in busy.values())
            ready = wait([w.conn for w, _ in busy.values()], timeout=max(0.0, soonest - time.monotonic()))
            for conn in ready:
                worker, state = next(v for v in busy.values() if v[0].conn is conn)
                received = time.monotonic()
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=10)
                    del busy[id(worker)]
                    self.stats.busy_seconds += received - state.started
                    self._discard(worker, kill=True)
                    done.append((state.task, Failure("died", time.monotonic() - state.started, pages=state.pages,
                                                     exitcode=worker.process.exitcode)))
                    continue
                if message[0] == "pages":
                    state.pages = message[1]
                    state.deadline = state.started + self.seconds_for(state.task, state.pages)
                    continue
                _, result, retire, finished = message
                self.stats.receive_seconds += time.monotonic() - received
                self.stats.busy_seconds += finished - state.started
                del busy[id(worker)]
                if retire:
                    self._discard(worker, kill=False)
                else:
                    worker.freed = finished
                    idle.append(worker)
                done.append((state.task, result))
            now = time.monotonic()
            for key, (worker, state) in list(busy.items()):
                if now >= state.deadline:
                    del busy[key]
                    self.stats.busy_seconds += now - state.started
                    self._discard(worker, kill=True)
                    done.append((state.task, Failure("timeout", now - state.started, limit=state.deadline - state.started,
                                                     pages=state.pages)))
            if done:
                self.stats.last_answer = time.monotonic()
            dispatch()  # the next tasks run while the caller handles these results
            while done:
                yield done.pop(0)
