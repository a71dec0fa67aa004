"""Ingestion: discover -> load -> extract -> store, one document at a time.

A file that cannot be read becomes a row in `problems` (file, stage, reason) and the run goes on;
each document is written in its own transaction, so nothing already stored is lost or left
half-written. Loading and extraction can run in worker processes; writing is in this process.
"""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from extractors.cleaners import clean_text
from pipeline.councils import UnknownCouncil, register
from pipeline.extract import extract
from pipeline.loaders import MAX_MEGABYTES, MAX_PAGES, SUFFIXES, LoadError, load
from pipeline.manifest import ManifestEntry, find_manifest, load_manifest
from pipeline.store import clear_file_problems, open_db, store_extraction, store_problems
from schemas.document import Document
from schemas.records import Council, DocumentInfo, Extraction, Problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus" / "documents"
SKIP_NAMES = {"readme.txt", "license.txt"}
PERIOD = re.compile(r"\b((?:19|20)\d{2})\s*(?:[-–/]|to)\s*((?:19|20)?\d{2})\b")
KINDS = [
    ("operational_plan", re.compile(r"operational plan|action plan|delivery plan", re.I)),
    ("corporate_plan", re.compile(r"corporate (?:plan|strategy)|council plan", re.I)),
    ("strategy", re.compile(r"strateg", re.I)),
    ("plan", re.compile(r"\bplan\b", re.I)),
    ("report", re.compile(r"report|assessment|inspection|minutes", re.I)),
]


class IngestError(ValueError):
    """A problem with the request itself (no files, bad council), not with one document."""


@dataclass
class FileResult:
    path: str
    source: str
    extraction: Extraction | None = None
    council: Council | None = None
    warnings: tuple[str, ...] = ()
    problem: Problem | None = None


@dataclass
class IngestReport:
    documents: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0


def discover(paths: Iterable[Path | str]) -> list[Path]:
    """Files to ingest: files as given, folders searched recursively for supported formats."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES and child.name.lower() not in SKIP_NAMES:
                    found.append(child)
        elif path.exists():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return list(dict.fromkeys(p.resolve() for p in found))


def _period(text: str) -> tuple[int | None, int | None]:
    """First and last year of a title's period.

    >>> _period("Children's Services Strategic Plan 2021– 2031"), _period("priorities - 2025-27")
    ((2021, 2031), (2025, 2027))
    """
    match = PERIOD.search(text)
    if not match:
        return None, None
    first, last = int(match.group(1)), match.group(2)
    last_year = int(last) if len(last) == 4 else (first // 100) * 100 + int(last)
    if last_year < first or last_year - first > 20:
        return None, None
    return first, last_year


def describe(document: Document, entry: ManifestEntry | None, council_name: str | None) -> tuple[DocumentInfo, Council | None]:
    """Document facts from the manifest where it has them, otherwise read from the document."""
    headings = [b.text for b in document.blocks if b.kind == "heading" and len(b.text.split()) >= 2]
    title = (entry.title if entry and entry.title else None) or document.metadata.get("title") or (clean_text(headings[0]) if headings else None)
    period = entry.period if entry and any(entry.period) else _period(" ".join(headings[:3]) if headings else "")
    kind = entry.kind if entry and entry.kind else next((k for k, rx in KINDS if title and rx.search(title)), "other")
    council = None
    name = council_name or (entry.council if entry else None)
    reg = register()
    if name:
        council = reg.resolve(name)
    else:
        first_pages = " ".join(b.text for b in document.blocks if b.page <= 3)
        council = reg.find_in_text(first_pages)
    info = DocumentInfo(
        source=document.source, council=council.name if council else None, title=title, kind=kind,
        period_start=period[0], period_end=period[1], source_url=entry.source_url if entry else None,
        format=document.format, pages=document.page_count, sha256=document.sha256,
    )
    return info, council


def process_file(path: str, council_name: str | None = None, limits: dict | None = None) -> FileResult:
    """Load and extract one file. Never raises for a bad document: returns its problem.
    `limits`: keyword arguments for `load` (max_megabytes, max_pages)."""
    source = Path(path).name
    try:
        document = load(path, **(limits or {}))
        manifest_path = find_manifest(Path(path))
        entry = load_manifest(manifest_path).find(source) if manifest_path else None
        info, council = describe(document, entry, council_name)
        extraction = extract(document, info)
        return FileResult(path=path, source=source, extraction=extraction, council=council, warnings=document.warnings)
    except LoadError as exc:
        return FileResult(path=path, source=source, problem=Problem(source=source, stage="load", reason=exc.problem, detail=str(exc)))
    except UnknownCouncil as exc:
        return FileResult(path=path, source=source, problem=Problem(source=source, stage="council", reason=str(exc)))
    except Exception as exc:  # an extractor bug must not stop the run; it is recorded
        return FileResult(path=path, source=source, problem=Problem(source=source, stage="extract", reason=f"{type(exc).__name__}: {exc}"))


def ingest(
    paths: Iterable[Path | str] | None,
    db_path: Path | str,
    *,
    council: str | None = None,
    workers: int = 1,
    on_result: Callable[[FileResult], None] | None = None,
    max_megabytes: float = MAX_MEGABYTES,
    max_pages: int = MAX_PAGES,
) -> IngestReport:
    """Ingest files or folders (default: the bundled corpus) into the database at `db_path`.
    A file over `max_megabytes` or (PDF) `max_pages` is reported as a problem and skipped."""
    files = discover(paths or [BUNDLED_CORPUS])
    if not files:
        raise IngestError("no documents found (supported: " + ", ".join(sorted(SUFFIXES)) + ")")
    if council:
        register().resolve(council)  # fail before the run, not in the middle of it
    db = open_db(db_path)
    report = IngestReport()
    names = [str(f) for f in files]
    limits = {"max_megabytes": max_megabytes, "max_pages": max_pages}
    if workers > 1 and len(names) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = pool.map(process_file, names, [council] * len(names), [limits] * len(names), chunksize=1)
            for result in results:
                _store(db, result, report, on_result)
    else:
        for name in names:
            _store(db, process_file(name, council, limits), report, on_result)
    return report


def _store(db, result: FileResult, report: IngestReport, on_result) -> None:
    if result.problem is not None:
        store_problems(db, [result.problem])
        report.failed.append(result.problem)
    else:
        clear_file_problems(db, result.source)
        extraction = result.extraction
        store_extraction(db, extraction, council=result.council, path=result.path, warnings=result.warnings)
        report.documents.append(result.source)
        report.pages += extraction.document.pages or 0
        report.counts[result.source] = {
            "priorities": len(extraction.priorities),
            "actions": len(extraction.actions),
            "measures": len(extraction.measures),
        }
    if on_result:
        on_result(result)
