"""Loaders: one per format, each a function `load_x(path) -> Document`.

`load(path)` picks the loader by file suffix (and sniffs content when the suffix is unknown),
checks the per-file `Limits` that can be checked before reading (size, PDF pages, text bytes
and form-feed pages, zip entries and unzipped size), and turns every failure into a `LoadError`
that names the file, the problem and what to do, with a code ("[E201]") a person can look up in
`ERRORS`. The document it returns is bounded: no block longer than `Limits.max_block_chars`
(longer ones are split at sentence ends, as spaCy refuses texts over a million characters) and no
NUL characters (invisible, and they break full-text search).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.document import Block, Cell, Document

# Every coded problem a run can report: code -> what it means. The codes appear in problem reasons
# ("[E201] the file is 250 MB, over the limit of 200 MB (raise the limit with --max-mb ...)").
ERRORS: dict[str, str] = {
    "E100": "the file could not be read in its format (damaged, or another format under this name)",
    "E101": "the file is empty",
    "E102": "the file could not be opened (missing, not a regular file, or no permission)",
    "E103": "a format councilplans does not read (.doc, .odt, .rtf, spreadsheets, backups ...)",
    "E104": "binary content where text was expected",
    "E106": "the document is encrypted (password protected)",
    "E108": "no text layer (a scanned image): needs OCR first",
    "E109": "no page of the PDF could be read",
    "E110": "the document is nested too deeply to read (RecursionError)",
    "E201": "the file is over the size limit (--max-mb)",
    "E202": "the document has more pages than the limit (--max-pages)",
    "E203": "a text, Markdown or HTML file over the text size limit",
    "E204": "a zip package (DOCX) with more entries than the limit",
    "E205": "a zip package (DOCX) that unpacks to more than the limit",
    "E206": "reading the file took longer than the time limit (--max-seconds)",
    "E207": "reading the file needed more memory than the limit (--max-memory-mb)",
    "E208": "the worker reading the file died (a crash in a reader library)",
    "E301": "a link that points outside the folders given (--follow-links to allow)",
    "E302": "a link loop (a folder link that points back to a folder above it)",
    "E303": "a link whose target does not exist",
    "E304": "a folder that could not be searched",
    "E305": "a path given on the command line that does not exist",
    "E401": "a manifest entry with a wrong or missing field",
    "E402": "a manifest that could not be read as YAML",
    "E403": "a manifest entry that concerns no file of the run",
    "E501": "an extractor failed on the document (a bug: please report it with the file)",
    "E502": "the council could not be found in the register",
    "E600": "SQLite failed for another reason (pipeline.store.StoreError)",
    "E601": "the disk is full (or failing) while writing the database",
    "E602": "another process holds the database's write lock",
    "E603": "the database file is not a SQLite database, or is damaged",
    "E604": "the database cannot be opened for writing",
    "E605": "the database's schema is newer than this councilplans",
    "E606": "a schema migration failed (the database is left unchanged)",
    "E607": "the database has tables but no councilplans schema version",
}


class LoadError(Exception):
    """A file that cannot be read as a document. The message names the file, the problem, its
    code and what to do; `problem` is the problem alone."""

    stage = "load"

    def __init__(self, path: Path | str, problem: str, hint: str | None = None, *, code: str = "E100"):
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        self.code = code
        message = f"{Path(path).name}: [{code}] {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    @property
    def reason(self) -> str:
        """The problem as recorded in the `problems` table: code, problem and hint."""
        return f"[{self.code}] {self.problem}" + (f" ({self.hint})" if self.hint else "")


class LimitError(LoadError):
    """A file over one of the per-file `Limits`: the message names the limit and the value reached."""

    stage = "limit"


Loader = Callable[[Path], Document]

SUFFIXES: dict[str, str] = {
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def document_of(path: Path, fmt: str, pages, *, warnings=(), metadata: dict | None = None) -> Document:
    """The `Document` a loader returns: provenance (name, path, content hash) filled in once."""
    return Document(
        source=path.name,
        path=str(path),
        format=fmt,
        sha256=sha256_of(path),
        pages=tuple(pages),
        warnings=tuple(warnings),
        metadata=metadata or {},
    )


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# Content that would pass for text but is certainly something else: magic bytes -> what it is.
# (Images, archives and Office files hold NUL bytes early and are refused as binary content.)
NOT_TEXT = {b"%PDF": "a PDF", b"{\\rtf": "an RTF document"}


def sniff_format(path: Path) -> str:
    """The format of a file from its suffix, else from its first bytes. A text-like suffix on
    content that is certainly something else (a PDF called .txt) is a `LoadError`."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt in ("pdf", "docx") or (fmt and not path.is_file()):
        return fmt
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if fmt:
        what = next((name for magic, name in NOT_TEXT.items() if head.startswith(magic)), None)
        if what:
            raise LoadError(path, f"the file is {what}, not {fmt} as its name says",
                            "rename it to .pdf" if what == "a PDF" else "save it as .docx or PDF", code="E103")
    if fmt:
        return fmt
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        raise LoadError(path, "a legacy Office file (.doc, .xls or .ppt) or an encrypted Office file",
                        "save it as .docx or PDF without a password", code="E103")
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        return "html"
    return "text"


def get_loader(fmt: str) -> Loader:
    if fmt == "pdf":
        from pipeline.loaders.pdf import load_pdf

        return load_pdf
    if fmt == "text":
        from pipeline.loaders.text import load_text

        return load_text
    if fmt == "html":
        from pipeline.loaders.html import load_html

        return load_html
    if fmt == "docx":
        from pipeline.loaders.docx import load_docx

        return load_docx
    if fmt == "markdown":
        from pipeline.loaders.markdown import load_markdown

        return load_markdown
    raise LoadError("?", f"unknown format {fmt!r}", "known formats: " + ", ".join(sorted(set(SUFFIXES.values()))))


# Limits that keep one runaway file from exhausting an unattended run; raise them per run with
# `councilplans ingest --max-mb / --max-pages / --max-seconds / --max-memory-mb` (or `Limits`).
MAX_MEGABYTES = 200
MAX_PAGES = 1500
# Text-like files (text, Markdown, HTML) are read whole and parsed line by line: 20 MB of text is
# thousands of pages, far beyond any plan.
MAX_TEXT_MEGABYTES = 20
# A DOCX is a zip: its entries and unpacked size are checked before anything is unpacked.
MAX_ZIP_ENTRIES = 5000
MAX_UNZIPPED_MEGABYTES = 300
# No block longer than this reaches the extractors (spaCy refuses more than 1,000,000 characters,
# and a real paragraph or table cell is a few thousand at most).
MAX_BLOCK_CHARS = 50_000
# Each file is read in a worker process with this much address space and this much time: the
# base time plus a little per page once the page count is known.
MAX_MEMORY_MEGABYTES = 1500
MAX_SECONDS = 120.0
SECONDS_PER_PAGE = 0.5
# A worker needs this much address space just to start (Python, spaCy, pdfium).
MIN_MEMORY_MEGABYTES = 600


class Limits(BaseModel):
    """Per-file limits for an ingestion run, validated when built.

    >>> Limits(max_seconds=60).seconds_for(100)
    110.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_megabytes: float = Field(MAX_MEGABYTES, gt=0)
    max_pages: int = Field(MAX_PAGES, ge=1)
    max_text_megabytes: float = Field(MAX_TEXT_MEGABYTES, gt=0)
    max_zip_entries: int = Field(MAX_ZIP_ENTRIES, ge=1)
    max_unzipped_megabytes: float = Field(MAX_UNZIPPED_MEGABYTES, gt=0)
    max_block_chars: int = Field(MAX_BLOCK_CHARS, ge=1000, le=900_000)
    # 0 switches the memory limit off.
    max_memory_megabytes: int = Field(MAX_MEMORY_MEGABYTES, ge=0)
    max_seconds: float = Field(MAX_SECONDS, gt=0)
    seconds_per_page: float = Field(SECONDS_PER_PAGE, ge=0)

    @model_validator(mode="after")
    def _memory_enough_to_start(self) -> "Limits":
        if 0 < self.max_memory_megabytes < MIN_MEMORY_MEGABYTES:
            raise ValueError(
                f"max_memory_megabytes={self.max_memory_megabytes} is below the {MIN_MEMORY_MEGABYTES} MB a worker needs "
                "to start; give at least that, or 0 for no memory limit"
            )
        return self

    def seconds_for(self, pages: int | None) -> float:
        """The time allowed for a file of `pages` pages (None: not known yet)."""
        return self.max_seconds + self.seconds_per_page * (pages or 0)


def _pdf_page_count(path: Path) -> int | None:
    """The page count pypdfium2 reads from the PDF's page tree, or None if it cannot (the loader
    then reports what is wrong with the file)."""
    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
    except MemoryError:
        raise
    except Exception:
        return None


def _count_byte(path: Path, byte: bytes) -> int:
    count = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            count += chunk.count(byte)
    return count


def _check_zip(path: Path, limits: Limits) -> None:
    """Entry count and unpacked size of a zip package, from its directory, before unpacking.
    (zipfile never unpacks an entry past the size its directory declares.)"""
    if not zipfile.is_zipfile(path):
        return  # the loader says what is wrong with it
    try:
        with zipfile.ZipFile(path) as archive:
            with open(path, "rb") as handle:
                end = zipfile._EndRecData(handle)  # the declared entry count, before reading them all
            declared = end[zipfile._ECD_ENTRIES_TOTAL] if end else 0
            if declared > limits.max_zip_entries:
                raise LimitError(path, f"the zip package has {declared:,} entries, over the limit of {limits.max_zip_entries:,}",
                                 "a Word file has a few dozen; is it a zip bomb?", code="E204")
            entries = archive.infolist()
            if len(entries) > limits.max_zip_entries:
                raise LimitError(path, f"the zip package has {len(entries):,} entries, over the limit of {limits.max_zip_entries:,}",
                                 "a Word file has a few dozen; is it a zip bomb?", code="E204")
            unpacked = sum(info.file_size for info in entries)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # damaged: the loader reports it
    if unpacked > limits.max_unzipped_megabytes * 1_000_000:
        raise LimitError(path, f"the zip package unpacks to {unpacked / 1_000_000:,.0f} MB, over the limit of "
                         f"{limits.max_unzipped_megabytes:g} MB", "is it a zip bomb? a Word plan unpacks to a few MB", code="E205")


def check_limits(path: Path, fmt: str, limits: Limits, on_pages: Callable[[int], None] | None = None) -> None:
    """The limits that can be checked before a file is read; raises `LimitError`. `on_pages` is
    told the page count when it is known (PDF page tree, form feeds in text)."""
    size = path.stat().st_size
    if size > limits.max_megabytes * 1_000_000:
        raise LimitError(path, f"the file is {size / 1_000_000:.3g} MB, over the limit of {limits.max_megabytes:g} MB",
                         "raise the limit with --max-mb if this is really a plan", code="E201")
    if fmt in ("text", "markdown", "html") and size > limits.max_text_megabytes * 1_000_000:
        raise LimitError(path, f"the {fmt} file is {size / 1_000_000:.3g} MB, over the limit of {limits.max_text_megabytes:g} MB "
                         "for text", "is it really one document? split it, or raise Limits.max_text_megabytes", code="E203")
    pages = None
    if fmt == "pdf":
        pages = _pdf_page_count(path)
        if pages is not None and pages > limits.max_pages:
            raise LimitError(path, f"the PDF has {pages} pages, over the limit of {limits.max_pages}",
                             "raise the limit with --max-pages if this is really a plan", code="E202")
    elif fmt == "text":
        pages = _count_byte(path, b"\f") + 1
        if pages > limits.max_pages:
            raise LimitError(path, f"the text has {pages:,} pages (form feeds), over the limit of {limits.max_pages}",
                             "raise the limit with --max-pages if this is really a plan", code="E202")
    elif fmt == "docx":
        _check_zip(path, limits)
    if pages is not None and on_pages is not None:
        on_pages(pages)


def _split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut after a sentence end where there is one, else at
    a space.

    >>> _split_text("One two. Three four five. Six.", 12)
    ['One two.', 'Three four', 'five. Six.']
    """
    pieces = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > limit // 4 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].strip())
        text = text[cut:].lstrip()
    if text.strip():
        pieces.append(text.strip())
    return [p for p in pieces if p]


NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def bounded(document: Document, max_chars: int = MAX_BLOCK_CHARS) -> Document:
    """The document with no NUL characters and no block or cell text longer than `max_chars`:
    longer paragraphs (headings, list items) become several blocks, split at sentence ends; longer
    table cells are cut, with a warning naming the page."""
    dumped = document.model_dump_json()
    if "\\u0000" in dumped:  # JSON escapes NUL as \u0000 (and a literal backslash as \\)
        document = Document.model_validate_json(NUL_ESCAPE.sub(r"\1", dumped))
    warnings: list[str] = []
    pages = []
    changed = False
    for page in document.pages:
        blocks: list[Block] = []
        for block in page.blocks:
            if block.kind != "table" and len(block.text) > max_chars:
                pieces = _split_text(block.text, max_chars)
                warnings.append(f"page {block.page}: a {block.kind} of {len(block.text):,} characters was split into "
                                f"{len(pieces)} blocks of at most {max_chars:,}")
                blocks.extend(block.model_copy(update={"id": f"{block.id}.{k + 1}", "text": piece})
                              for k, piece in enumerate(pieces))
                changed = True
            elif block.table is not None and any(len(c.text) > max_chars for r in block.table.rows for c in r.cells):
                rows = tuple(r.model_copy(update={"cells": tuple(_cut_cell(c, max_chars) for c in r.cells)}) for r in block.table.rows)
                warnings.append(f"page {block.page}: table cells longer than {max_chars:,} characters were cut")
                blocks.append(block.model_copy(update={"table": block.table.model_copy(update={"rows": rows})}))
                changed = True
            else:
                blocks.append(block)
        same = len(blocks) == len(page.blocks) and all(a is b for a, b in zip(blocks, page.blocks))
        pages.append(page if same else page.model_copy(update={"blocks": tuple(blocks)}))
    if not changed:
        return document
    return document.model_copy(update={"pages": tuple(pages), "warnings": document.warnings + tuple(warnings)})


def _cut_cell(cell: Cell, limit: int) -> Cell:
    if len(cell.text) <= limit:
        return cell
    return cell.model_copy(update={"text": cell.text[:limit], "lines": tuple(line[:limit] for line in cell.lines)})


def load(
    path: Path | str,
    *,
    max_megabytes: float | None = None,
    max_pages: int | None = None,
    limits: Limits | None = None,
    on_pages: Callable[[int], None] | None = None,
) -> Document:
    """Load any supported file into the document model, or raise `LoadError` (`LimitError` for a
    file over one of the `limits`; `max_megabytes` and `max_pages` override those two)."""
    limits = limits or Limits()
    override = {k: v for k, v in (("max_megabytes", max_megabytes), ("max_pages", max_pages)) if v is not None}
    if override:
        limits = limits.model_copy(update=override)
    path = Path(path)
    if not path.exists():
        raise LoadError(path, "file not found", code="E102")
    if not path.is_file():
        raise LoadError(path, "not a regular file (a folder, pipe or device)", code="E102")
    try:
        if path.stat().st_size == 0:
            raise LoadError(path, "the file is empty", "download it again", code="E101")
        fmt = sniff_format(path)
        check_limits(path, fmt, limits, on_pages)
    except OSError as exc:
        raise LoadError(path, f"could not be opened: {exc.strerror or exc}", "check the file's permissions", code="E102") from exc
    try:
        loader = get_loader(fmt)
    except ImportError as exc:
        raise LoadError(path, f"the {fmt} loader is not available: {exc}", "reinstall councilplans with its dependencies") from exc
    try:
        document = loader(path)
    except LoadError:
        raise
    except MemoryError:
        raise  # the worker reports it against the memory limit
    except RecursionError as exc:
        raise LoadError(path, f"the {fmt} document is nested too deeply to read", "is it generated junk? open and re-save it",
                        code="E110") from exc
    except OSError as exc:
        raise LoadError(path, f"could not be opened: {exc.strerror or exc}", "check the file's permissions", code="E102") from exc
    except Exception as exc:  # a loader bug or a library failure on a malformed file
        raise LoadError(path, f"could not be read as {fmt}: {type(exc).__name__}: {exc}") from exc
    if not any(True for _ in document.blocks):
        raise LoadError(path, "no text could be extracted", "is it a scanned image without a text layer?", code="E108")
    return bounded(document, limits.max_block_chars)
