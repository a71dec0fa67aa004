"""Ingestion: discover -> load -> extract -> store, one document at a time.

Every file found is accounted for, in the report and in the `files` table of the run: it is
*ingested*; *unchanged* (the same content, read by the same extractor version with the same
manifest entry, as the document already stored from its location: not read again; `force` reads
it all the same); a *duplicate* (the same content as another file of the run: stored once, both names
recorded); *failed* (a problem row naming the file, the stage and a coded reason: unreadable,
unsupported format, over a limit, a link outside the folders given or in a loop, a wrong manifest
entry); or *skipped* because it is not a document (a manifest, gold answers, hidden files).

Each document is read in a worker process under the per-file `Limits` (time, memory, size, pages,
zip entries): a file over a limit, or one that kills its worker, is reported and a fresh worker
takes over, so one bad file never stops the run or loses another file. Each document is written
in its own transaction, so nothing already stored is lost or left half-written. With `atomic`, the
run writes into a copy of the database (`DB.tmp-<pid>`) that replaces it (a rename) only when the
run is complete: a reader never sees a half-written run, and a killed run leaves the previous
database as it was.

A document's *location* is its path within the folder given ("councils/kent/corporate_plan.txt",
as shown to people; the file's own name when it was given directly): what identifies it from run
to run (pipeline/store.py). Its row id stays the start of its content's SHA-256.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import re
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from extractors.cleaners import clean_text
from pipeline.councils import UnknownCouncil, register
from pipeline.extract import extract
from pipeline.loaders import SUFFIXES, Limits, LoadError, load, sha256_of
from pipeline.manifest import Manifest, ManifestEntry, ManifestIssue, find_manifest, load_manifest, missing_files
from pipeline.store import (
    StoreError, clear_file_problems, finish_run, open_db, recover_hot_journal, record_file, stable_id, start_run,
    store_extraction, store_problems,
)
from pipeline.workers import Failure, WorkerPool, peak_rss_megabytes
from schemas.document import Document
from schemas.records import Council, DocumentInfo, Extraction, Problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus" / "documents"

# The extractor version stored on each document: a stored document whose content and extractor
# version are unchanged is not read again. It is EXTRACTOR_RELEASE (bump it by hand for a change
# that the files below do not show, e.g. in `describe` in this module) and a digest of everything
# that decides what is extracted from a file: the loaders, the extractors and their committed
# model and vocabularies, the record schemas, the council register and the enrichment cues. Any
# edit to those files therefore re-extracts every document on the next run.
EXTRACTOR_RELEASE = "5"
EXTRACTOR_INPUTS = ("extractors", "pipeline/loaders", "pipeline/extract.py", "schemas", "pipeline/councils.py",
                    "pipeline/data", "pipeline/publish/enrich.py", "pipeline/publish/strength.yaml")
_EXTRACTOR_VERSION: str | None = None


def extractor_version() -> str:
    """"<release>-<12 hex digits of the digest of EXTRACTOR_INPUTS>" (computed once per process)."""
    global _EXTRACTOR_VERSION
    if _EXTRACTOR_VERSION is None:
        digest = hashlib.sha256()
        for name in EXTRACTOR_INPUTS:
            root = PROJECT_ROOT / name
            files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
            for path in files:
                if "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"} or not path.exists():
                    continue
                digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _EXTRACTOR_VERSION = f"{EXTRACTOR_RELEASE}-{digest.hexdigest()[:12]}"
    return _EXTRACTOR_VERSION

SKIP_NAMES = {"readme.txt", "license.txt"}
PERIOD = re.compile(r"\b((?:19|20)\d{2})\s*(?:[-–/]|to)\s*((?:19|20)?\d{2})\b")
KINDS = [
    ("operational_plan", re.compile(r"operational plan|action plan|delivery plan", re.I)),
    ("corporate_plan", re.compile(r"corporate (?:plan|strategy)|council plan", re.I)),
    ("strategy", re.compile(r"strateg", re.I)),
    ("plan", re.compile(r"\bplan\b", re.I)),
    ("report", re.compile(r"report|assessment|inspection|minutes", re.I)),
]
# Files in a corpus folder that are not documents: skipped, and said so.
NOT_DOCUMENTS = {
    ".yaml": "metadata (YAML: a manifest or gold answers)", ".yml": "metadata (YAML)", ".json": "metadata (JSON)",
    ".jsonl": "metadata (JSON lines)", ".py": "a script", ".sh": "a script", ".db": "a database", ".sqlite": "a database",
    ".sqlite3": "a database", ".db-journal": "a database journal", ".log": "a log", ".lock": "a lock file",
    ".md5": "a checksum", ".sha256": "a checksum",
}
NOT_DOCUMENT_NAMES = {"thumbs.db": "a Windows thumbnail cache", "desktop.ini": "Windows folder settings",
                      "readme.txt": "a readme", "license.txt": "a licence"}
# Formats a council may publish that councilplans does not read: what to do about each.
UNSUPPORTED = {
    ".doc": "Word 97-2003: save it as .docx or PDF", ".dot": "a Word template: save it as .docx or PDF",
    ".odt": "OpenDocument text: save it as .docx or PDF", ".rtf": "Rich Text: save it as .docx or PDF",
    ".xlsx": "a spreadsheet: save the plan as PDF", ".xls": "a spreadsheet: save the plan as PDF",
    ".ods": "a spreadsheet: save the plan as PDF", ".csv": "a spreadsheet (CSV): save the plan as PDF",
    ".tsv": "a spreadsheet (TSV): save the plan as PDF", ".pptx": "slides: save them as PDF",
    ".ppt": "slides: save them as PDF", ".odp": "slides: save them as PDF", ".epub": "an e-book: save it as PDF",
    ".xml": "XML: save the plan as PDF or HTML", ".zip": "an archive: unpack it first", ".gz": "an archive: unpack it first",
    ".7z": "an archive: unpack it first", ".rar": "an archive: unpack it first",
    ".png": "an image: run OCR and save as PDF", ".jpg": "an image: run OCR and save as PDF",
    ".jpeg": "an image: run OCR and save as PDF", ".tif": "an image: run OCR and save as PDF",
    ".tiff": "an image: run OCR and save as PDF", ".gif": "an image", ".svg": "an image",
    ".bak": "a backup copy: rename it if it is the document", ".tmp": "a temporary file", ".part": "an unfinished download",
    ".crdownload": "an unfinished download", ".orig": "a backup copy: rename it if it is the document",
}


class IngestError(ValueError):
    """A problem with the request itself (no files, bad council), not with one document."""


@dataclass
class FileResult:
    """What became of one file found: `outcome` is ingested, unchanged, duplicate, failed or skipped.
    An ingested file's `change` says how its location's document changed: new (nothing stored
    there before), changed (other content was), re-extracted (the same content, read again: a new
    extractor version, a changed manifest entry, or --force)."""

    path: str
    source: str
    extraction: Extraction | None = None
    council: Council | None = None
    warnings: tuple[str, ...] = ()
    problem: Problem | None = None
    shown: str | None = None  # the path as shown to people: relative to the folder given
    outcome: str = "ingested"
    note: str | None = None  # why it was skipped, or whose duplicate it is
    duplicate_of: str | None = None
    document_id: str | None = None
    seconds: float | None = None
    size: int | None = None
    retire: bool = False  # the worker that read it should make way for a fresh one
    location: str | None = None  # where the document came from (see the module's docstring)
    sha256: str | None = None
    fingerprint: str | None = None
    change: str | None = None  # ingested: new, changed or re-extracted
    counts: dict[str, int] | None = None  # ingested or unchanged: priorities, actions, measures

    def __post_init__(self) -> None:
        if self.problem is not None:
            self.outcome = "failed"
        self.shown = self.shown or self.source


@dataclass
class IngestReport:
    documents: list[str] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0
    duplicates: list[FileResult] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)  # every file found, in the order found
    notes: list[str] = field(default_factory=list)  # about the run: manifest issues, repairs to the database
    run_id: str | None = None
    editions: list = field(default_factory=list)  # pipeline.editions.SeriesSummary of the councils this run touched
    unchanged: list[FileResult] = field(default_factory=list)  # stored before, same content and extractor: not read
    extractor_version: str | None = None
    forced: bool = False
    seconds: float | None = None
    commitments_added: int = 0  # actions, by council and normalised text, in the database after but not before
    commitments_removed: int = 0
    _commitment_tally: object = field(default=None, repr=False)  # store_extraction's: removed -1, added +1

    def changes(self, change: str) -> int:
        """How many documents this run stored with this `change` (new, changed, re-extracted)."""
        return sum(1 for r in self.files if r.outcome == "ingested" and r.change == change)

    def summary(self) -> dict[str, int]:
        return {"found": len(self.files), "ingested": len(self.documents), "unchanged": len(self.unchanged),
                "duplicates": len(self.duplicates), "failed": len(self.failed), "skipped": len(self.skipped)}

    def run_row(self) -> dict:
        """The run's row in `runs` (beside its status, times and notes)."""
        return {**self.summary(), "extractor_version": self.extractor_version, "forced": int(self.forced),
                "seconds": round(self.seconds, 3) if self.seconds is not None else None,
                "documents_new": self.changes("new"), "documents_changed": self.changes("changed"),
                "documents_reextracted": self.changes("re-extracted"),
                "commitments_added": self.commitments_added, "commitments_removed": self.commitments_removed}


# --------------------------------------------------------------------------- discovery


@dataclass
class Found:
    path: Path  # absolute, where it was found (through links, if any)
    real: Path  # the file itself
    shown: str
    size: int


@dataclass
class Survey:
    documents: list[Found] = field(default_factory=list)
    others: list[FileResult] = field(default_factory=list)  # failed or skipped without being read
    order: dict[str, int] = field(default_factory=dict)  # shown path -> position, for reporting in order


def _failed(path: Path | str, shown: str, code: str, stage: str, problem: str, hint: str | None = None) -> FileResult:
    reason = f"[{code}] {problem}" + (f" ({hint})" if hint else "")
    name = Path(path).name
    return FileResult(path=str(path), source=name, shown=shown, problem=Problem(source=name, stage=stage, reason=reason, detail=shown))


def _skipped(path: Path | str, shown: str, why: str) -> FileResult:
    return FileResult(path=str(path), source=Path(path).name, shown=shown, outcome="skipped", note=why)


def _not_a_document(name: str) -> str | None:
    lowered = name.lower()
    if lowered.startswith("."):
        return "a hidden file"
    if lowered in NOT_DOCUMENT_NAMES:
        return NOT_DOCUMENT_NAMES[lowered]
    if lowered.startswith("manifest."):
        return "a manifest"
    if lowered.endswith("~"):
        return "an editor's backup copy"
    return NOT_DOCUMENTS.get(Path(lowered).suffix)


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def survey(paths: Iterable[Path | str], *, follow_links: bool = False) -> Survey:
    """Every file under `paths`, each either a document to read or an outcome already known
    (skipped, unsupported, a link outside the folders given or in a loop). Links are followed
    only to targets inside the folders given (any target with `follow_links`)."""
    result = Survey()
    given = [Path(p) for p in paths]
    allowed = [Path(os.path.realpath(p)) for p in given if Path(p).is_dir()]
    searched: dict[tuple[int, int], str] = {}
    seen_files: dict[Path, str] = {}
    # Links are followed after everything reachable without them, so that a file or folder found
    # both ways is read under its own name and the link is the duplicate.
    links: list[tuple[Path, str, frozenset[tuple[int, int]]]] = []

    def other(outcome: FileResult) -> None:
        result.order.setdefault(outcome.shown, len(result.order))
        result.others.append(outcome)

    def add_file(path: Path, shown: str, explicit: bool) -> None:
        name = path.name
        why = None if explicit else _not_a_document(name)
        if why:
            return other(_skipped(path, shown, f"not a document: {why}"))
        suffix = Path(name.lower()).suffix
        if suffix not in SUFFIXES and (suffix in UNSUPPORTED or not explicit):
            hint = UNSUPPORTED.get(suffix, "supported: " + ", ".join(sorted(SUFFIXES)))
            return other(_failed(path, shown, "E103", "discover", f"unsupported format {suffix or '(no suffix)'}", hint))
        try:
            info = os.stat(path)
        except OSError as exc:
            return other(_failed(path, shown, "E102", "discover", f"could not be opened: {exc.strerror}"))
        if not stat.S_ISREG(info.st_mode):
            return other(_failed(path, shown, "E102", "discover", "not a regular file (a pipe, socket or device)"))
        real = Path(os.path.realpath(path))
        if real in seen_files:
            dup = FileResult(path=str(path), source=name, shown=shown, outcome="duplicate", duplicate_of=seen_files[real],
                             note=f"the same file as {seen_files[real]} (reached through a link)", size=info.st_size)
            return other(dup)
        seen_files[real] = shown
        result.order.setdefault(shown, len(result.order))
        result.documents.append(Found(path=Path(os.path.abspath(path)), real=real, shown=shown, size=info.st_size))

    def walk(folder: Path, shown: str, above: frozenset[tuple[int, int]]) -> None:
        info = os.stat(folder)
        key = (info.st_dev, info.st_ino)
        searched[key] = shown
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            return other(_failed(folder, shown, "E304", "discover", f"the folder could not be searched: {exc.strerror}"))
        for entry in entries:
            child = f"{shown}/{entry.name}"
            path = Path(entry.path)
            if entry.name.startswith(".") and entry.is_dir():
                other(_skipped(path, child, "a hidden folder: not searched"))
                continue
            if entry.is_symlink():
                result.order.setdefault(child, len(result.order))
                links.append((path, child, above | {key}))
            elif entry.is_dir(follow_symlinks=False):
                if Path(entry.name.lower()).suffix in SUFFIXES:
                    other(_skipped(path, child, "a folder named like a document: searched as a folder"))
                walk(path, child, above | {key})
            elif entry.is_file(follow_symlinks=False):
                add_file(path, child, explicit=False)
            else:
                other(_failed(path, child, "E102", "discover", "not a regular file (a pipe, socket or device)"))

    def follow(path: Path, child: str, above: frozenset[tuple[int, int]]) -> None:
        target = Path(os.path.realpath(path))
        if not target.exists():
            other(_failed(path, child, "E303", "discover", "a link whose target does not exist"))
        elif not follow_links and not _inside(target, allowed):
            other(_failed(path, child, "E301", "discover", "a link to a file or folder outside the folders given: not followed",
                          "copy the file in, or pass --follow-links"))
        elif target.is_dir():
            target_info = os.stat(target)
            target_key = (target_info.st_dev, target_info.st_ino)
            if target_key in above:
                other(_failed(path, child, "E302", "discover", "a link loop: it points back to a folder above it"))
            elif target_key in searched:
                other(_skipped(path, child, f"a link to a folder already searched ({searched[target_key]})"))
            else:
                walk(path, child, above)
        else:
            add_file(path, child, explicit=False)

    for path in given:
        shown = path.name or Path(os.path.realpath(path)).name
        if path.is_symlink() and not path.exists():
            other(_failed(path, shown, "E303", "discover", "a link whose target does not exist"))
        elif not path.exists():
            other(_failed(path, str(path), "E305", "discover", "no such file or folder", "check the path"))
        elif path.is_dir():
            info = os.stat(path)
            if (info.st_dev, info.st_ino) in searched:
                continue  # given twice
            walk(path, shown, frozenset())
        else:
            add_file(path, shown, explicit=True)
    while links:
        follow(*links.pop(0))
    return result


def discover(paths: Iterable[Path | str], *, follow_links: bool = False) -> list[Path]:
    """The document files under `paths` (what `ingest` will read)."""
    return [f.real for f in survey(paths, follow_links=follow_links).documents]


# --------------------------------------------------------------------------- describing


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


# --------------------------------------------------------------------------- reading one file

_FIND_MANIFEST = object()


def _limits_of(limits: Limits | dict | None) -> Limits:
    if isinstance(limits, Limits):
        return limits
    return Limits(**{k: v for k, v in (limits or {}).items() if v is not None})


def process_file(path: str, council_name: str | None = None, limits: Limits | dict | None = None, *,
                 entry: ManifestEntry | None | object = _FIND_MANIFEST, on_pages: Callable[[int], None] | None = None) -> FileResult:
    """Load and extract one file. Never raises for a bad document: returns its problem.
    `limits`: the `Limits` (or a dict of some of them); `entry`: its manifest entry, looked up
    beside the file when not given."""
    source = Path(path).name
    limits = _limits_of(limits)
    started = time.monotonic()

    def failed(stage: str, reason: str, detail: str | None = None, **extra) -> FileResult:
        return FileResult(path=path, source=source, problem=Problem(source=source, stage=stage, reason=reason, detail=detail),
                          seconds=time.monotonic() - started, **extra)

    try:
        document = load(path, limits=limits, on_pages=on_pages)
        if entry is _FIND_MANIFEST:
            manifest_path = find_manifest(Path(path))
            manifest = load_manifest(manifest_path) if manifest_path else None
            issue = manifest.issue_for(source) if manifest else None
            if issue:
                return failed("manifest", str(issue))
            entry = manifest.find(source) if manifest else None
        info, council = describe(document, entry, council_name)
        extraction = extract(document, info)
        return FileResult(path=path, source=source, extraction=extraction, council=council, warnings=document.warnings,
                          seconds=time.monotonic() - started)
    except LoadError as exc:
        return failed(exc.stage, exc.reason, str(exc))
    except UnknownCouncil as exc:
        return failed("council", f"[E502] {exc}")
    except MemoryError:
        return failed("limit", f"[E207] needed more memory than the limit of {limits.max_memory_megabytes:,} MB "
                      f"(peak {peak_rss_megabytes():,.0f} MB resident) (is it really a plan? raise --max-memory-mb if so)",
                      retire=True)
    except RecursionError:
        return failed("extract", "[E110] the document is nested too deeply to read (open and re-save it)")
    except Exception as exc:  # an extractor bug must not stop the run; it is recorded
        return failed("extract", f"[E501] {type(exc).__name__}: {exc} (an extractor failed: please report it with the file)")


@dataclass(frozen=True)
class Task:
    """One file for a worker: where it is, and what the parent already knows about it."""

    path: str
    shown: str
    size: int
    council: str | None
    entry: ManifestEntry | None
    limits: Limits


def process_task(task: Task, on_pages: Callable[[int], None] | None = None) -> FileResult:
    """`process_file` for a worker: the manifest entry comes from the parent."""
    result = process_file(task.path, task.council, task.limits, entry=task.entry, on_pages=on_pages)
    result.shown, result.size = task.shown, task.size
    if result.problem is not None:
        result.problem = result.problem.model_copy(update={"detail": task.shown})
    return result


def _failure_result(task: Task, failure: Failure | MemoryError) -> FileResult:
    """The problem for a file whose worker was killed at its time limit, or died."""
    source = Path(task.path).name
    limits = task.limits
    if isinstance(failure, MemoryError):
        stage, reason, seconds = "limit", f"[E207] needed more memory than the limit of {limits.max_memory_megabytes:,} MB", None
    elif failure.kind == "timeout":
        pages = f" for {failure.pages:,} page{'s' if failure.pages > 1 else ''}" if failure.pages else ""
        stage, seconds = "limit", failure.seconds
        reason = (f"[E206] stopped after {failure.seconds:,.1f} s: over the time limit of {failure.limit:,.4g} s{pages} "
                  "(raise --max-seconds if this is really a plan)")
    else:
        how = failure.signal_name or f"exit code {failure.exitcode}"
        memory = f", or memory ran out under the limit of {limits.max_memory_megabytes:,} MB" if limits.max_memory_megabytes else ""
        stage, seconds = "worker", failure.seconds
        reason = (f"[E208] the worker reading it stopped ({how}) after {failure.seconds:,.1f} s: a crash in a reader "
                  f"library{memory} (open and re-save the file)")
    return FileResult(path=task.path, source=source, shown=task.shown, seconds=seconds, size=task.size,
                      problem=Problem(source=source, stage=stage, reason=reason, detail=task.shown))


# --------------------------------------------------------------------------- the run


def _hashes(found: list[Found], limits: Limits) -> dict[str, str]:
    """shown path -> SHA-256 of the content, for every file that may be read (not empty, not over
    the size limit, readable: the reader reports the others)."""
    digests: dict[str, str] = {}
    for f in found:
        if 0 < f.size <= limits.max_megabytes * 1_000_000:  # empty files are each reported as empty
            try:
                digests[f.shown] = sha256_of(f.real)
            except OSError:
                continue
    return digests


def _duplicates(found: list[Found], digests: dict[str, str]) -> dict[str, str]:
    """shown path -> shown path of the first file with the same content."""
    first: dict[str, str] = {}
    duplicate_of: dict[str, str] = {}
    for f in found:
        digest = digests.get(f.shown)
        if digest is None:
            continue
        if digest in first:
            duplicate_of[f.shown] = first[digest]
        else:
            first[digest] = f.shown
    return duplicate_of


def _locations(found: list[Found]) -> dict[str, str]:
    """shown path -> the document's location: its path within the folder given, or (when two
    folders given have one name, so that two files would share it) the file's absolute path."""
    counts = collections.Counter(f.shown for f in found)
    return {f.shown: f.shown if counts[f.shown] == 1 else str(f.path) for f in found}


def fingerprint(sha256: str, version: str, entry: ManifestEntry | None, council: str | None) -> str:
    """What a stored document was made from: its content, the extractor version, its manifest
    entry and the --council given. The same fingerprint at the same location: nothing to redo."""
    entry_json = entry.model_dump_json() if entry is not None else None
    return stable_id(sha256, version, entry_json, council)


def _unchanged(db, f: Found, location: str, digest: str, print_: str) -> FileResult | None:
    """The outcome of a file whose document is already stored from `location` with the same
    fingerprint, or None when it must be read."""
    row = db.conn.execute(
        "SELECT id, priorities_count, actions_count, measures_count FROM documents WHERE location = ? AND fingerprint = ?",
        [location, print_]).fetchone()
    if row is None:
        return None
    return FileResult(path=str(f.path), source=f.path.name, shown=f.shown, outcome="unchanged", document_id=row[0],
                      size=f.size, location=location, sha256=digest, fingerprint=print_, seconds=0.0,
                      note="unchanged since it was stored (same content and extractor version): not read again",
                      counts={"priorities": row[1] or 0, "actions": row[2] or 0, "measures": row[3] or 0})


def _manifests(found: list[Found], council: str | None) -> tuple[dict[str, ManifestEntry | ManifestIssue | None], list[ManifestIssue]]:
    """Each document's manifest entry (or the issue with it), and the issues that concern no
    document of the run."""
    manifests: dict[Path, Manifest | None] = {}
    per_file: dict[str, ManifestEntry | ManifestIssue | None] = {}
    used: set[tuple[str, str]] = set()
    for f in found:
        location = find_manifest(f.path)
        if location not in manifests:
            manifests[location] = load_manifest(location, check_councils=council is None) if location else None
        manifest = manifests[location]
        name = f.path.name
        if manifest is None:
            per_file[f.shown] = None
            continue
        used.add((str(location), name))
        per_file[f.shown] = manifest.issue_for(name) or manifest.find(name)
    loose = [issue for location, manifest in manifests.items() if manifest is not None
             for issue in manifest.issues + missing_files(manifest, location)
             if issue.file is None or (str(location), issue.file) not in used]
    return per_file, loose


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ingest(
    paths: Iterable[Path | str] | None,
    db_path: Path | str,
    *,
    council: str | None = None,
    workers: int = 1,
    on_result: Callable[[FileResult], None] | None = None,
    max_megabytes: float | None = None,
    max_pages: int | None = None,
    limits: Limits | None = None,
    follow_links: bool = False,
    on_found: Callable[[int], None] | None = None,
    force: bool = False,
    atomic: bool = False,
    engine=None,
) -> IngestReport:
    """Ingest files or folders (default: the bundled corpus) into the database at `db_path`.

    Every file is read in one of `workers` worker processes under `limits` (`max_megabytes` and
    `max_pages` override those two); `workers=0` reads in this process, without the time and
    memory limits (for debugging). `on_found(n)` is told how many files were found, and
    `on_result` gets every file's `FileResult` as its outcome is known. A file already stored
    with the same content, extractor version and manifest entry is *unchanged* and not read,
    unless `force`. With `atomic`, the run builds into a copy of the database and renames it into
    place when complete (see `atomic_database`). `engine`: read the files elsewhere instead of in
    `workers` local processes, e.g. a started `pipeline.dask_engine.DaskEngine` (docs/dask.md);
    this process still writes the database."""
    started = time.monotonic()
    limits = limits or Limits()
    override = {k: v for k, v in (("max_megabytes", max_megabytes), ("max_pages", max_pages)) if v is not None}
    if override:
        limits = Limits(**{**limits.model_dump(), **override})
    found = survey(paths or [BUNDLED_CORPUS], follow_links=follow_links)
    if not found.documents and not found.others:
        raise IngestError("no files found (supported: " + ", ".join(sorted(SUFFIXES)) + ")")
    if council:
        register().resolve(council)  # fail before the run, not in the middle of it
    report = IngestReport(extractor_version=extractor_version(), forced=force)
    with atomic_database(db_path, atomic, notes=report.notes) as write_path:
        _ingest_into(write_path, db_path, found, report, council=council, workers=workers, limits=limits,
                     on_result=on_result, on_found=on_found, force=force, started=started, engine=engine)
    return report


def _ingest_into(write_path, db_path, found: Survey, report: IngestReport, *, council, workers, limits, on_result, on_found,
                 force, started, engine=None) -> None:
    db = open_db(write_path, notes=report.notes)
    report.run_id = stable_id(_now(), os.getpid(), db_path, time.time_ns())  # two runs in one second differ
    start_run(db, report.run_id, _now())
    if on_found:
        on_found(len(found.documents) + len(found.others))
    status = "interrupted"
    try:
        _run(db, write_path, found, report, council=council, workers=workers, limits=limits, on_result=on_result, force=force,
             engine=engine)
        _compare_editions(db, report)
        _count_commitments(db, report)
        status = "finished"
    except StoreError:
        status = "failed"
        raise
    finally:
        _in_order(report, found.order)
        report.seconds = time.monotonic() - started
        try:
            finish_run(db, report.run_id, finished=_now(), status=status, counts=report.run_row(), notes=report.notes)
        except sqlite3.Error:
            pass  # the database is what failed; the error being raised says so
        finally:
            db.conn.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_database(path: Path) -> None:
    for name in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            name.unlink()
        except FileNotFoundError:
            pass


@contextlib.contextmanager
def atomic_database(db_path: Path | str, atomic: bool = True, *, notes: list[str] | None = None):
    """The path a run should write to. Not `atomic`: `db_path` itself. `atomic`: a copy of it,
    `DB.tmp-<pid>` beside it (made with SQLite's backup API, so a consistent copy even while
    another process reads it), renamed over `db_path` when the run completes; on an error the
    copy is removed and `db_path` is untouched. Copies left by runs that were killed (their
    process no longer exists) are removed first."""
    if not atomic:
        yield db_path
        return
    target = Path(db_path)
    for left in target.parent.glob(f"{target.name}.tmp-*"):
        pid = left.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            _remove_database(left)
            if notes is not None:
                notes.append(f"{left.name}: the copy left by a run that was stopped (process {pid}) was removed")
    temporary = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    _remove_database(temporary)
    try:
        if target.exists():
            note = recover_hot_journal(target)
            if note and notes is not None:
                notes.append(note)
            source = sqlite3.connect(str(target))
            copy = sqlite3.connect(str(temporary))
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
    except sqlite3.Error as exc:
        _remove_database(temporary)
        raise StoreError.of(exc, target, "copying the database for an atomic run") from exc
    try:
        yield temporary
    except BaseException:
        _remove_database(temporary)
        raise
    os.replace(temporary, target)  # the run is complete: readers now see it, all at once


def _count_commitments(db, report: IngestReport) -> None:
    """Commitments added and removed by this run (nothing to count when no document was stored),
    by council and normalised text, from what the stored documents removed and wrote (issue 11:
    not by reading every commitment in the database before and after)."""
    tally = report._commitment_tally
    if tally is None:
        return
    report.commitments_added = sum(n for n in tally.values() if n > 0)
    report.commitments_removed = -sum(n for n in tally.values() if n < 0)


def _compare_editions(db, report: IngestReport) -> None:
    """Recompute what changed between editions (`changes`) for the councils of the documents this
    run stored. Failure-safe: the documents are already committed, so an error here is a note."""
    ids = [r.document_id for r in report.files if r.outcome == "ingested" and r.document_id]
    if not ids:
        return
    try:
        from pipeline.editions import compute_changes

        codes = [row[0] for row in db.conn.execute(
            "SELECT DISTINCT council_code FROM documents WHERE council_code IS NOT NULL AND id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)])]
        report.editions = compute_changes(db, codes, documents=ids) if codes else []
    except Exception as exc:  # noqa: BLE001 - the stored documents must not be lost to this step
        report.notes.append(f"comparing editions failed ({type(exc).__name__}: {exc}); the documents are stored: "
                            "run `councilplans changes` to try again")


def _in_order(report: IngestReport, order: dict[str, int]) -> None:
    """The report's lists in the order the files were found (workers finish in any order)."""
    report.files.sort(key=lambda r: order.get(r.shown, len(order)))
    files = report.files
    report.documents = [r.source for r in files if r.outcome == "ingested"]
    report.counts = {name: report.counts[name] for name in report.documents if name in report.counts}
    report.failed = [r.problem for r in files if r.outcome == "failed"]
    report.duplicates = [r for r in files if r.outcome == "duplicate"]
    report.skipped = [r for r in files if r.outcome == "skipped"]
    report.unchanged = [r for r in files if r.outcome == "unchanged"]


def _run(db, db_path, found: Survey, report: IngestReport, *, council, workers, limits, on_result, force=False,
         engine=None) -> None:
    # Duplicates wait for the file they copy, to point at its document (or say it was not stored).
    waiting: dict[str, list[FileResult]] = {}
    for outcome in found.others:
        if outcome.outcome == "duplicate" and outcome.duplicate_of:
            waiting.setdefault(outcome.duplicate_of, []).append(outcome)
        else:
            _account(db, db_path, outcome, report, on_result)
    entries, loose = _manifests(found.documents, council)
    report.notes.extend(str(issue) for issue in loose)  # kept with the run (runs.notes), shown by the CLI
    digests = _hashes(found.documents, limits)
    copies = _duplicates(found.documents, digests)
    locations = _locations(found.documents)
    version = report.extractor_version or extractor_version()
    tasks: list[Task] = []
    known: dict[str, tuple[str, str | None, str | None]] = {}  # shown -> (location, sha256, fingerprint)
    for f in found.documents:
        if f.shown in copies:
            waiting.setdefault(copies[f.shown], []).append(FileResult(
                path=str(f.path), source=f.path.name, shown=f.shown, outcome="duplicate", duplicate_of=copies[f.shown],
                size=f.size, note="the same content as", sha256=digests.get(f.shown)))
            continue
        entry = entries.get(f.shown)
        if isinstance(entry, ManifestIssue):
            _account(db, db_path, _failed(f.path, f.shown, entry.code, "manifest", entry.text), report, on_result, waiting)
            continue
        location, digest = locations[f.shown], digests.get(f.shown)
        print_ = fingerprint(digest, version, entry, council) if digest else None
        known[f.shown] = (location, digest, print_)
        if print_ and not force:
            started = time.monotonic()
            same = _unchanged(db, f, location, digest, print_)
            if same is not None:
                same.seconds = time.monotonic() - started
                _account(db, db_path, same, report, on_result, waiting)
                continue
        tasks.append(Task(path=str(f.path), shown=f.shown, size=f.size, council=council, entry=entry, limits=limits))

    def account(result: FileResult) -> None:
        result.location, result.sha256, result.fingerprint = known.get(result.shown, (None, None, None))
        _account(db, db_path, result, report, on_result, waiting)

    if engine is not None:  # e.g. Dask (pipeline/dask_engine.py): yields (task, FileResult) as files are read
        for _, outcome in _same_names_in_found_order(list(tasks), engine.map(tasks, report.notes)):
            account(outcome)
    elif workers <= 0:
        for task in tasks:
            account(process_task(task))
    elif tasks:
        in_found_order = list(tasks)
        if workers > 1:
            # Largest files first, so that the last file is not a large one running alone while
            # the other workers wait (the report keeps the order the files were found).
            tasks.sort(key=lambda task: -(task.size or 0))
        with WorkerPool(process_task, size=min(workers, max(1, len(tasks))), memory_megabytes=limits.max_memory_megabytes,
                        seconds_for=lambda task, pages: task.limits.seconds_for(pages)) as pool:
            for task, outcome in _same_names_in_found_order(in_found_order, pool.map(tasks)):
                account(outcome if isinstance(outcome, FileResult) else _failure_result(task, outcome))
    for copies_left in waiting.values():  # twins that were never read (cannot happen; accounted all the same)
        for duplicate in copies_left:
            _account(db, db_path, duplicate, report, on_result)


def _same_names_in_found_order(found: list[Task], results: Iterable[tuple[Task, Any]]) -> Iterator[tuple[Task, Any]]:
    """`results` as they come, except that a file waits for the files of the same name found
    before it: which of two same-named documents of a council is stored first decides whose
    record ids follow the file name (pipeline/store.py), so a run with several workers stores
    them as a run with one does."""
    names = [Path(task.path).name for task in found]
    position = {id(task): k for k, task in enumerate(found)}
    queues: dict[str, collections.deque[int]] = collections.defaultdict(collections.deque)
    for k, name in enumerate(names):
        queues[name].append(k)
    done: dict[int, tuple[Task, Any]] = {}
    for task, outcome in results:
        k = position[id(task)]
        done[k] = (task, outcome)
        queue = queues[names[k]]
        while queue and queue[0] in done:
            yield done.pop(queue.popleft())


def _account(db, db_path, result: FileResult, report: IngestReport, on_result,
             waiting: dict[str, list[FileResult]] | None = None) -> None:
    """Store one file's outcome (and record the duplicates that were waiting for it)."""
    try:
        _store(db, result, report)
        record_file(db, _file_row(result, report.run_id))
    except sqlite3.Error as exc:
        raise StoreError.of(exc, db_path, f"storing {result.shown}") from exc
    report.files.append(result)
    if on_result:
        on_result(result)
    for duplicate in (waiting or {}).pop(result.shown, []):
        same = "file (reached through a link)" if duplicate.note and "link" in duplicate.note else "content"
        if result.outcome in ("ingested", "unchanged"):
            duplicate.note = f"the same {same} as {result.shown}: stored once, under {result.source}"
        else:
            duplicate.note = f"the same {same} as {result.shown}, which was not stored ({result.outcome})"
        duplicate.document_id = result.document_id
        _account(db, db_path, duplicate, report, on_result)


def _file_row(result: FileResult, run_id: str | None) -> dict:
    reason = result.problem.reason if result.problem else result.note
    return {"id": stable_id("file", os.path.abspath(result.path)), "path": result.shown, "name": result.source,
            "outcome": result.outcome, "document_id": result.document_id, "duplicate_of": result.duplicate_of,
            "reason": reason, "size": result.size, "seconds": round(result.seconds, 3) if result.seconds is not None else None,
            "run_id": run_id, "sha256": result.sha256}


NO_COUNCIL = ("the council could not be determined (no manifest entry names it, --council was not given, and no "
              "council of the register is named on its first pages): stored without a council; add it to a "
              "manifest.yaml beside the file (council: ...) or pass --council")


def _store(db, result: FileResult, report: IngestReport) -> None:
    if result.outcome == "skipped":
        report.skipped.append(result)
    elif result.outcome == "unchanged":
        report.unchanged.append(result)
    elif result.outcome == "duplicate":
        report.duplicates.append(result)
    elif result.problem is not None:
        clear_file_problems(db, result.source, result.shown)
        store_problems(db, [result.problem], path=result.shown)
        report.failed.append(result.problem)
    else:
        clear_file_problems(db, result.source, result.shown)
        extraction = result.extraction
        real = os.path.realpath(result.path)
        if report._commitment_tally is None:  # the first document this run stores
            report._commitment_tally = collections.Counter()
        result.change = _change(db, extraction, result.location, real)
        result.document_id = store_extraction(db, extraction, council=result.council, path=real, warnings=result.warnings,
                                              location=result.location, extractor_version=report.extractor_version,
                                              fingerprint=result.fingerprint, commitments=report._commitment_tally)
        if result.council is None:
            result.note = NO_COUNCIL
        report.documents.append(result.source)
        report.pages += extraction.document.pages or 0
        result.counts = {
            "priorities": len(extraction.priorities),
            "actions": len(extraction.actions),
            "measures": len(extraction.measures),
        }
        report.counts[result.source] = result.counts
        # Stored: the report keeps the counts, not the records (a run of thousands of files would
        # otherwise hold every extraction in the parent until it ends).
        result.extraction = None


def _change(db, extraction: Extraction, location: str | None, real: str) -> str:
    """new, changed or re-extracted: what storing this document does to what its location held."""
    document_id = (extraction.document.sha256 or stable_id(extraction.document.source))[:16]
    if db.conn.execute("SELECT 1 FROM documents WHERE id = ?", [document_id]).fetchone():
        return "re-extracted"
    if db.conn.execute("SELECT 1 FROM documents WHERE (location IS NOT NULL AND location = ?) OR path = ?",
                       [location, real]).fetchone():
        return "changed"
    return "new"
