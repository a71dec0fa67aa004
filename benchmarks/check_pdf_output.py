"""Dump what the PDF loader makes of every PDF we have, canonically, and compare two dumps.

    python benchmarks/check_pdf_output.py dump OUT_DIR          # one JSON file per PDF
    python benchmarks/check_pdf_output.py compare DIR_A DIR_B   # exit 1 on any difference

For checking that a speed-up changes nothing: dump before, change the code, dump again, compare.
The learned extraction model downstream depends on the exact output, so any difference is a bug.

The PDFs: /work/shared/corpus/real/*.pdf (or --real), tests/fixtures/*/documents/*.pdf and the
bundled corpus typeset as PDFs (build/pdf-corpus/*.pdf, made by scripts/make_pdf_corpus.py) when
present. Each dump is the whole Document as pydantic dumps it (pages, blocks with kind, text, level,
marker, font size, bold, bbox; tables with header, rows, cells, lines, fills, bboxes; warnings and
metadata), boxes rounded to 0.01 and every other float written at full precision, keys sorted;
a file the loader refuses is dumped as its error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEFAULT_REAL = ROOT.parent / "shared" / "corpus" / "real"
BBOX_KEYS = {"x0", "top", "x1", "bottom"}


def pdf_files(real: Path) -> list[Path]:
    files = sorted(real.glob("*.pdf"))
    files += sorted(ROOT.glob("tests/fixtures/*/documents/*.pdf"))
    files += sorted((ROOT / "build" / "pdf-corpus").glob("*.pdf"))
    return files


def _canonical(value):
    """Boxes rounded to 0.01 (they already are: rounding again changes nothing); the rest as is."""
    if isinstance(value, dict):
        if set(value) == BBOX_KEYS:
            return {k: round(v, 2) for k, v in value.items()}
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def dump_one(path: Path) -> str:
    from pipeline.loaders import LoadError, load

    try:
        doc = load(path)
    except LoadError as exc:
        return json.dumps({"error": str(exc)}, ensure_ascii=False, indent=1) + "\n"
    data = doc.model_dump(mode="python")
    data.pop("path", None)  # where it was read from: not the loader's output
    return json.dumps(_canonical(data), ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def dump_name(path: Path) -> str:
    """A unique file name per PDF: its folder's name and its own."""
    return f"{path.parent.parent.name}__{path.parent.name}__{path.stem}.json"


def dump(out: Path, real: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    files = pdf_files(real)
    for path in files:
        (out / dump_name(path)).write_text(dump_one(path), encoding="utf-8")
    print(f"dumped {len(files)} PDFs to {out}")
    return 0


def compare(a: Path, b: Path) -> int:
    names_a = {p.name for p in a.glob("*.json")}
    names_b = {p.name for p in b.glob("*.json")}
    bad = 0
    for name in sorted(names_a ^ names_b):
        print(f"only in {'the first' if name in names_a else 'the second'}: {name}")
        bad += 1
    for name in sorted(names_a & names_b):
        if (a / name).read_bytes() != (b / name).read_bytes():
            print(f"DIFFERS: {name}")
            bad += 1
    print(f"{len(names_a & names_b)} dumps compared, {bad} differences")
    return 1 if bad or not names_a else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out")
    d.add_argument("--real", default=str(DEFAULT_REAL))
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(Path(args.out), Path(args.real))
    return compare(Path(args.a), Path(args.b))


if __name__ == "__main__":
    sys.exit(main())
