"""Bad input, one case at a time and all together: outcome, seconds and peak memory per case.

    python benchmarks/bench_badinput.py --out benchmarks/BADINPUT_RESULTS.md          # issue-13 sizes
    python benchmarks/bench_badinput.py --small --only pdf_bomb docx_zip_bomb         # quick look

Each case of tests/badinput/make_cases.py (at the sizes of issue 13 unless --small) is ingested
alone, with the default limits (or TEST_LIMITS with --small), by `councilplans`' Python API in a
fresh process; then everything is ingested together with the bundled corpus. While a run goes,
the process tree is sampled every 50 ms for each process's peak resident memory (VmHWM), so the
worker that read a bad file is measured even when it was killed.

Checked against issue 13's bar: every file accounted for, peak RSS of any worker <= the memory
limit + 200 MB, no file past its time limit + 10 s, and (together) the good documents stored.
This is a benchmark, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.loaders import Limits  # noqa: E402
from tests.badinput.make_cases import GOOD, TEST_LIMITS, expectations, make_corpus  # noqa: E402

RUNNER = """
import json, sys
from pipeline.ingest import ingest
from pipeline.loaders import Limits
limits = Limits.model_validate_json(sys.argv[4])
report = ingest(json.loads(sys.argv[1]), sys.argv[2], workers=int(sys.argv[3]), limits=limits)
print(json.dumps({"files": [{"shown": r.shown, "outcome": r.outcome, "seconds": r.seconds,
                             "reason": r.problem.reason if r.problem else r.note} for r in report.files],
                  "documents": report.documents}))
"""


def _tree(root: int) -> list[int]:
    """`root` and every process below it (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(folders: list[Path], db: Path, limits: Limits, workers: int) -> dict:
    """Ingest `folders` in a fresh process; its result, wall seconds, and peak RSS (MB) of the
    parent and of the largest other process (a worker)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", RUNNER, json.dumps([str(f) for f in folders]), str(db), str(workers),
                                limits.model_dump_json()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in _tree(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), _hwm_kb(pid))
        time.sleep(0.05)
    out, err = process.communicate()
    seconds = time.monotonic() - started
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"files": [], "documents": [], "crash": err[-2000:]}
    result["seconds"] = seconds
    result["parent_mb"] = peaks.get(process.pid, 0) / 1024
    result["worker_mb"] = max((kb for pid, kb in peaks.items() if pid != process.pid), default=0) / 1024
    return result


STOPPED = re.compile(r"stopped after ([\d,.]+) s: over the time limit of ([\d,.]+) s")


def overrun(files: list[dict]) -> float:
    """How far past its time limit the slowest stopped file ran (seconds; 0 when none was stopped)."""
    late = [float(m.group(1).replace(",", "")) - float(m.group(2).replace(",", ""))
            for f in files if (m := STOPPED.search(f["reason"] or ""))]
    return max(late, default=0.0)


def outcome_text(files: list[dict]) -> str:
    parts = []
    for f in files:
        code = f["reason"][1:5] if f["outcome"] == "failed" and (f["reason"] or "").startswith("[E") else ""
        parts.append(f["outcome"] + (f" {code}" if code else ""))
    counted: dict[str, int] = {}
    for p in parts:
        counted[p] = counted.get(p, 0) + 1
    return ", ".join(f"{n}× {p}" if n > 1 else p for p, n in counted.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the results as Markdown here")
    parser.add_argument("--small", action="store_true", help="the small sizes and TEST_LIMITS of the together-test")
    parser.add_argument("--only", nargs="*", help="only these cases")
    parser.add_argument("--workers", type=int, default=2, help="workers for the run with everything together")
    parser.add_argument("--no-together", action="store_true", help="skip the run with everything together")
    args = parser.parse_args()
    limits = TEST_LIMITS if args.small else Limits()
    work = Path(tempfile.mkdtemp(prefix="badinput-"))
    try:
        corpus = work / "corpus"
        cases = make_corpus(corpus, full=not args.small, only=args.only)
        expect = expectations(cases)
        rows = []
        for case in cases:
            folders = [corpus / GOOD, corpus / case.name] if case.with_good else [corpus / case.name]
            result = run(folders, work / f"{case.name}.db", limits, workers=1)
            result["files"] = [f for f in result["files"] if f"{GOOD}/" not in f["shown"]]
            wrong = [f["shown"] for f in result["files"]
                     if f["outcome"] not in expect.expect(f["shown"])[1].outcomes]
            slowest = max((f["seconds"] or 0 for f in result["files"]), default=0)
            rows.append({"case": case.name, "what": case.what, "outcome": outcome_text(result["files"]) or "CRASH",
                         "seconds": result["seconds"], "file_seconds": slowest, "overrun": overrun(result["files"]),
                         "worker_mb": result["worker_mb"],
                         "parent_mb": result["parent_mb"], "expected": not wrong and bool(result["files"])})
            r = rows[-1]
            print(f"{case.name:22} {r['outcome'][:40]:40} {r['seconds']:7.1f} s  worker {r['worker_mb']:6.0f} MB  "
                  f"parent {r['parent_mb']:5.0f} MB  {'ok' if r['expected'] else 'UNEXPECTED'}", flush=True)
        together = None
        if not args.no_together:
            together = run([corpus], work / "together.db", limits, workers=args.workers)
            good = [f for f in together["files"] if f"/{GOOD}/" in f["shown"] and f["outcome"] == "ingested"]
            together["good"] = len(good)
            print(f"together: {len(together['files'])} files, {together['seconds']:.1f} s, worker {together['worker_mb']:.0f} MB, "
                  f"parent {together['parent_mb']:.0f} MB, good documents stored {len(good)}/5")
        report = markdown(rows, together, limits, args)
        if args.out:
            args.out.write_text(report, encoding="utf-8")
            print(f"written to {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def markdown(rows: list[dict], together: dict | None, limits: Limits, args) -> str:
    memory_cap = limits.max_memory_megabytes + 200
    lines = [
        "# Bad input: outcome, time and memory per case",
        "",
        f"`python benchmarks/bench_badinput.py{' --small' if args.small else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; sizes {'of the together-test' if args.small else 'of issue 13'}; "
        f"limits: {limits.max_seconds:g} s + {limits.seconds_per_page:g} s/page, memory {limits.max_memory_megabytes} MB, "
        f"text {limits.max_text_megabytes:g} MB, files {limits.max_megabytes:g} MB, {limits.max_pages} pages, "
        f"zip {limits.max_zip_entries} entries / {limits.max_unzipped_megabytes:g} MB.",
        "",
        "Each case ingested alone (with the bundled corpus where it refers to it) in a fresh process with one worker. *run s*: the whole run (process start, "
        "imports and the fork server included); *file s*: the longest any file took in its worker; *worker MB*: the "
        "largest peak resident memory of any process below the run (the worker); *parent MB*: the run's own; "
        "*past limit s*: how long a file stopped at its time limit ran past that limit.",
        "",
        "| case | what | outcome | run s | file s | past limit s | worker MB | parent MB | as expected |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {r['what']} | {r['outcome']} | {r['seconds']:.1f} | {r['file_seconds']:.1f} | "
                     f"{r['overrun']:.1f} | {r['worker_mb']:.0f} | {r['parent_mb']:.0f} | {'yes' if r['expected'] else '**no**'} |")
    over_memory = [r["case"] for r in rows if r["worker_mb"] > memory_cap or r["parent_mb"] > memory_cap]
    over_time = [r["case"] for r in rows if r["overrun"] > 10]
    lines += ["", f"Peak RSS over the memory limit + 200 MB ({memory_cap} MB): {', '.join(over_memory) or 'none'}. "
              f"Files past their time limit + 10 s: {', '.join(over_time) or 'none'}. "
              f"Cases not as expected: {', '.join(r['case'] for r in rows if not r['expected']) or 'none'}."]
    if together:
        lines += ["", "## All together", "",
                  f"Every case and the bundled corpus in one run with {args.workers} workers: {len(together['files'])} files "
                  f"accounted for ({outcome_text(together['files'])}) in {together['seconds']:.1f} s; peak RSS "
                  f"{together['worker_mb']:.0f} MB (largest worker), {together['parent_mb']:.0f} MB (parent); "
                  f"at most {overrun(together['files']):.1f} s past a time limit; good documents stored: {together['good']} of 5."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
