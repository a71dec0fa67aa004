"""Loaders: one per format, each a function `load_x(path) -> Document`.

`load(path)` picks the loader by file suffix (and sniffs content when the suffix is unknown) and
turns every failure into a `LoadError` that names the file and the problem.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from schemas.document import Document


class LoadError(Exception):
    """A file that cannot be read as a document. The message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str, hint: str | None = None):
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        message = f"{Path(path).name}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


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


def sniff_format(path: Path) -> str:
    """The format of a file from its suffix, else from its first bytes."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt:
        return fmt
    head = path.read_bytes()[:1024]
    if head.startswith(b"%PDF"):
        return "pdf"
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
# `councilplans ingest --max-mb / --max-pages` (or the keyword arguments of `load`).
MAX_MEGABYTES = 200
MAX_PAGES = 1500


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
    except Exception:
        return None


def load(path: Path | str, *, max_megabytes: float = MAX_MEGABYTES, max_pages: int = MAX_PAGES) -> Document:
    """Load any supported file into the document model, or raise `LoadError`."""
    path = Path(path)
    if not path.exists():
        raise LoadError(path, "file not found")
    if not path.is_file():
        raise LoadError(path, "not a file")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(path, "the file is empty")
    if size > max_megabytes * 1_000_000:
        raise LoadError(path, f"the file is {size / 1_000_000:.3g} MB, over the limit of {max_megabytes:g} MB",
                        "raise the limit with --max-mb if this is really a plan")
    fmt = sniff_format(path)
    if fmt == "pdf":
        pages = _pdf_page_count(path)
        if pages is not None and pages > max_pages:
            raise LoadError(path, f"the PDF has {pages} pages, over the limit of {max_pages}",
                            "raise the limit with --max-pages if this is really a plan")
    try:
        loader = get_loader(fmt)
    except ImportError as exc:
        raise LoadError(path, f"the {fmt} loader is not available: {exc}", "reinstall councilplans with its dependencies") from exc
    try:
        document = loader(path)
    except LoadError:
        raise
    except Exception as exc:  # a loader bug or a library failure on a malformed file
        raise LoadError(path, f"could not be read as {fmt}: {type(exc).__name__}: {exc}") from exc
    if not any(True for _ in document.blocks):
        raise LoadError(path, "no text could be extracted", "is it a scanned image without a text layer?")
    return document
