"""How fast the PDF path is, against pdfplumber's own text extraction, and how much memory it takes.

    python benchmarks/bench_pdf.py [--corpus ../shared/corpus/real] [--out benchmarks/RESULTS.md]

Every configuration runs in a fresh subprocess over every PDF in the corpus folder, so timings do
not share caches and the peak resident set size (ru_maxrss) is that configuration's own:

1. pdfplumber: `page.extract_text()` on every page (the baseline);
2. pypdfium2: the text of every page;
3. our loader: `pipeline.loaders.load(path)` for every file;
4. the full pipeline: `pipeline.ingest.ingest(paths, db, workers=1)`;
5. the same with `workers=2` (peak is of the largest process: the parent or one worker).

Then the loader alone on the largest document. Prints a Markdown table and writes it to --out.
Timings are for reading, not for asserting: nothing here fails on a slow run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "real"
DEFAULT_OUT = ROOT / "benchmarks" / "RESULTS.md"
LARGEST = "westsussex_vulnerable_lac_needs_assessment_2008.pdf"

CONFIGS = {
    "pdfplumber": "pdfplumber `page.extract_text()` (baseline)",
    "pypdfium2": "pypdfium2 text of every page",
    "loader": "our loader `pipeline.loaders.load`",
    "pipeline-1": "full pipeline `ingest(..., workers=1)`",
    "pipeline-2": "full pipeline `ingest(..., workers=2)`",
}


# --------------------------------------------------------------------------- in the subprocess


def page_count(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for f in files:
        pdf = pdfium.PdfDocument(f)
        total += len(pdf)
        pdf.close()
    return total


def run_pdfplumber(files: list[Path]) -> None:
    import pdfplumber

    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def run_pypdfium2(files: list[Path]) -> None:
    import pypdfium2 as pdfium

    for f in files:
        pdf = pdfium.PdfDocument(f)
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        pdf.close()


def run_loader(files: list[Path]) -> None:
    from pipeline.loaders import LoadError, load

    for f in files:
        try:
            load(f)
        except LoadError:
            pass  # a file with no text layer is a stated failure, not a crash


def run_pipeline(files: list[Path], workers: int) -> None:
    from pipeline.ingest import ingest  # may not exist yet: reported as "not available"

    with tempfile.TemporaryDirectory() as tmp:
        ingest(files, Path(tmp) / "bench.db", workers=workers)


def child(config: str, files: list[Path]) -> dict:
    """Run one configuration; report pages, seconds and peak RSS (MB) as a dict."""
    runners = {
        "pdfplumber": run_pdfplumber,
        "pypdfium2": run_pypdfium2,
        "loader": run_loader,
        "pipeline-1": lambda fs: run_pipeline(fs, 1),
        "pipeline-2": lambda fs: run_pipeline(fs, 2),
    }
    pages = page_count(files)
    start = time.perf_counter()
    try:
        runners[config](files)
    except (ImportError, TypeError) as exc:
        return {"status": f"not available ({type(exc).__name__}: {exc})", "pages": pages}
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"status": "ok", "pages": pages, "seconds": seconds, "peak_mb": max(own, workers), "own_mb": own,
            "workers_mb": workers}


# --------------------------------------------------------------------------- in the parent


def measure(config: str, files: list[Path]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", config, *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"status": f"failed: {tail}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[tuple[str, str, dict]], baseline: float | None) -> str:
    lines = [
        "| configuration | files | pages | seconds | pages/s | vs baseline | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, files, r in results:
        if r.get("status") != "ok":
            lines.append(f"| {label} | {files} | {r.get('pages', '')} | {r['status']} | | | |")
            continue
        rate = r["pages"] / r["seconds"] if r["seconds"] else float("inf")
        ratio = f"{rate / baseline:.2f}x" if baseline else ""
        lines.append(f"| {label} | {files} | {r['pages']} | {r['seconds']:.2f} | {rate:.1f} | {ratio} | {r['peak_mb']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder of PDFs (default: %(default)s)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="Markdown file to write (default: %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, [Path(f) for f in args.files])))
        return 0

    corpus = Path(args.corpus)
    files = sorted(corpus.glob("*.pdf"))
    if not files:
        print(f"no PDFs in {corpus}", file=sys.stderr)
        return 1
    results: list[tuple[str, str, dict]] = []
    baseline = None
    for config, label in CONFIGS.items():
        print(f"running {config} ...", file=sys.stderr, flush=True)
        r = measure(config, files)
        if config == "pdfplumber" and r.get("status") == "ok":
            baseline = r["pages"] / r["seconds"]
        results.append((label, str(len(files)), r))
    largest = corpus / LARGEST
    if largest.exists():
        print("running loader on the largest document ...", file=sys.stderr, flush=True)
        results.append((f"our loader, `{LARGEST}` alone", "1", measure("loader", [largest])))

    report = "\n".join([
        "# PDF benchmark",
        "",
        f"Corpus: `{corpus}` ({len(files)} PDFs). Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs. Each row ran in a fresh process; peak RSS is `ru_maxrss` of the largest process "
        "(for workers=2, the parent or one worker, whichever is larger). Produced by `benchmarks/bench_pdf.py`.",
        "",
        table(results, baseline),
        "",
    ])
    print(report)
    Path(args.out).write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
