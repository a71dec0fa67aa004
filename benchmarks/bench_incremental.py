"""Incremental ingestion (issue 12): a full first run, a no-op re-run and a re-run with one file
changed, measured in the same run on a copy of a corpus folder.

    .venv/bin/python benchmarks/bench_incremental.py [FOLDER] [--workers N] [--out benchmarks/INCREMENTAL_RESULTS.md]

FOLDER defaults to ../shared/corpus/real when present, else corpus/documents. The folder is copied
to a temporary directory (under its own name, so the documents' locations are as in a normal run),
and the one changed file is the first text file (.txt or .md) in it, with a line appended.
Goals: the no-op re-run under 2% of the first run's time, the one-changed re-run under 10%.
Each time is the `ingest()` call in this process (what a re-run costs beyond starting Python);
the no-op re-run through the command line, process start and imports included, is shown too.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import BUNDLED_CORPUS, extractor_version, ingest  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus" / "real"


def timed(folder: Path, db: Path, workers: int):
    started = time.perf_counter()
    report = ingest([folder], db, workers=workers)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=SHARED if SHARED.is_dir() else BUNDLED_CORPUS)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "INCREMENTAL_RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        folder = Path(tmp) / args.folder.resolve().name
        shutil.copytree(args.folder, folder)
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o644 if path.is_file() else 0o755)  # a read-only source stays editable in the copy
        db = Path(tmp) / "bench.db"
        runs = []
        seconds, report = timed(folder, db, args.workers)
        runs.append(("full first run", seconds, report))
        seconds, report = timed(folder, db, args.workers)
        runs.append(("no-op re-run", seconds, report))
        changed = next(p for p in sorted(folder.rglob("*")) if p.suffix in {".txt", ".md"} and p.name.lower() != "readme.txt"
                       and p.is_file())
        with open(changed, "a", encoding="utf-8") as handle:
            handle.write("\nWe will publish a progress report on this plan by March 2027.\n")
        seconds, report = timed(folder, db, args.workers)
        runs.append(("one file changed", seconds, report))
        started = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "pipeline.cli", "ingest", str(folder), "--db", str(db), "--quiet",
                              "--workers", str(args.workers), "--allow-failures"],
                             cwd=ROOT, capture_output=True, text=True)
        cli_seconds = time.perf_counter() - started
        if cli.returncode != 0:
            print(cli.stdout, cli.stderr, file=sys.stderr)
        conn = sqlite3.connect(db)
        cli_run = conn.execute("SELECT ingested, unchanged, failed, duplicates, skipped, extractor_version FROM runs "
                               "ORDER BY started DESC, rowid DESC LIMIT 1").fetchone()
        conn.close()

    first = runs[0][1]
    lines = [
        "# Incremental ingestion benchmark",
        "",
        f"`.venv/bin/python benchmarks/bench_incremental.py {args.folder}` (workers: {args.workers}; "
        f"{platform.machine()}, Python {platform.python_version()}; extractor version {extractor_version()}). "
        "The folder was copied to a temporary directory; all runs below were measured in the same run of the script, "
        "into one database. Times are the `ingest()` call (Python started and imports done).",
        "",
        "| run | seconds | % of first run | goal | ingested | unchanged | failed | duplicates | skipped |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    goals = {"full first run": "", "no-op re-run": "< 2%", "one file changed": "< 10%"}
    for name, seconds, report in runs:
        s = report.summary()
        ratio = 100 * seconds / first if first else 0.0
        met = "" if not goals[name] else (" ✓" if ratio < float(goals[name][2:-1]) else " ✗")
        lines.append(f"| {name} | {seconds:.2f} | {ratio:.2f}% | {goals[name]}{met} | {s['ingested']} | {s['unchanged']} | "
                     f"{s['failed']} | {s['duplicates']} | {s['skipped']} |")
    lines += [
        f"| no-op re-run via `councilplans ingest --quiet` (process start and imports included) | {cli_seconds:.2f} | "
        f"{100 * cli_seconds / first:.2f}% | | {cli_run[0]} | {cli_run[1]} | {cli_run[2]} | {cli_run[3]} | {cli_run[4]} |",
        "",
    ]
    if cli_run[5] != extractor_version():
        lines += [f"The command-line re-run found extractor version {cli_run[5]}: the extractor or loader files were "
                  "edited while the benchmark ran, so it rightly read every document again.", ""]
    lines += [
        "",
        f"Changed file: `{changed.relative_to(Path(tmp))}` (one line appended). A no-op re-run hashes every file "
        "(SHA-256) and looks up its location and fingerprint (content, extractor version, manifest entry) in "
        "`documents`; nothing is loaded and no worker is started.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
