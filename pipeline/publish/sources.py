"""The documents behind the records, served safely.

- `resolve(...)`: the file recorded for a document, only if it is inside the corpus: no `..` in
  the recorded path, and the real path (symlinks followed) inside one of the source roots, which
  are `COUNCILPLANS_SOURCE_ROOTS` (folders separated by the OS path separator) when set, else the
  folders the recorded documents are in. A file whose SHA-256 differs from the one recorded at
  ingest (or with none recorded) is refused: its pages may not match.
- `FileStream`: the file sent in 64 kB chunks (never read whole); the SHA-256 is checked once
  per file version, streaming, and shared by concurrent requests.
- `document_text(...)`: the document's own text (as the loader reads it: no HTML fragments, no
  tool notes) for the text source view, with the block a record came from marked.
- `region_png(...)`: a PDF page region rendered as PNG with the record's box highlighted.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CHUNK = 64 * 1024
MAX_TEXT_VIEW_BYTES = 10 * 1024 * 1024
ROOTS_ENV = "COUNCILPLANS_SOURCE_ROOTS"


class SourceRefused(Exception):
    """A recorded file that will not be served: `status` and a message without server paths."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def source_roots(recorded: list[str], base: Path | None) -> list[Path]:
    configured = os.environ.get(ROOTS_ENV)
    if configured:
        return [Path(p).resolve() for p in configured.split(os.pathsep) if p.strip()]
    roots = set()
    for raw in recorded:
        path = _absolute(raw, base)
        if path is not None:
            roots.add(Path(os.path.realpath(path.parent)))
    return sorted(roots)


def _absolute(raw: str | None, base: Path | None) -> Path | None:
    if not raw or "\x00" in raw:
        return None
    path = Path(raw)
    if ".." in path.parts:
        return None
    if not path.is_absolute():
        if base is None:
            return None
        path = base / path
    return path


def resolve(raw: str | None, source: str, roots: list[Path], base: Path | None) -> Path:
    """The real path of a recorded file that may be served, or SourceRefused."""
    path = _absolute(raw, base)
    if path is None:
        raise SourceRefused(404, f"{source}: the path recorded for this document is not one that can be served.")
    real = Path(os.path.realpath(path))
    if not any(real == root or root in real.parents for root in roots):
        raise SourceRefused(404, f"{source}: the recorded file is outside the corpus folders, so it is not served.")
    if not real.is_file():
        raise SourceRefused(404, f"{source}: the file recorded for this document is not there any more.\n"
                                 "Re-run `councilplans ingest` where the documents are.")
    return real


_hashes: dict[tuple, str] = {}
_hash_locks: dict[tuple, threading.Lock] = {}
_locks_lock = threading.Lock()


def file_key(path: Path) -> tuple:
    stat = path.stat()
    return (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def sha256_of(path: Path) -> tuple[tuple, str]:
    """(the file's version key, its SHA-256), computed by streaming once per version; concurrent
    callers for the same version wait for one computation. Call in a thread."""
    key = file_key(path)
    with _locks_lock:
        lock = _hash_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _hashes:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            _hashes[key] = digest.hexdigest()
    return key, _hashes[key]


def check_unchanged(path: Path, recorded: str | None, source: str) -> tuple:
    if not recorded:
        raise SourceRefused(409, f"{source}: no checksum was recorded for this document, so the file cannot be "
                                 "checked against what was ingested.\nRe-run `councilplans ingest`.")
    key, digest = sha256_of(path)
    if digest != recorded:
        raise SourceRefused(409, f"{source}: the file has changed since it was ingested, so its pages may not match.\n"
                                 "Re-run `councilplans ingest` to update the database.")
    return key


class FileStream:
    """An ASGI response that sends a file in chunks, refusing it if it changed after checking."""

    def __init__(self, path: Path, key: tuple, content_type: str, headers: dict[str, str]):
        self.path, self.key, self.content_type, self.headers = path, key, content_type, headers

    async def asgi_send(self, send):
        import asyncio

        handle = await asyncio.to_thread(open, self.path, "rb")
        try:
            stat = os.fstat(handle.fileno())
            if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != self.key[1:]:
                body = b"The file changed while it was being sent; reload the page.\n"
                await send({"type": "http.response.start", "status": 409,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": body})
                return
            headers = {**self.headers, "content-type": self.content_type, "content-length": str(stat.st_size)}
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]})
            while True:
                chunk = await asyncio.to_thread(handle.read, CHUNK)
                more = len(chunk) == CHUNK
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    break
        finally:
            handle.close()


# --- the text source view ---------------------------------------------------------------

@dataclass
class Piece:
    text: str
    marked: bool = False


@dataclass
class ViewBlock:
    id: str
    kind: str
    page: int
    level: int | None = None
    pieces: list[Piece] = field(default_factory=list)
    rows: list[list[list[Piece]]] = field(default_factory=list)  # tables: rows of cells of pieces
    marked_rows: set[int] = field(default_factory=set)
    evidence: bool = False


def _norm(text: str) -> str:
    return " ".join((text or "").split()).lower()


def _pieces(text: str, quote: str | None) -> tuple[list[Piece], bool]:
    """`text` split around the first occurrence of `quote` (ignoring case and spacing)."""
    if not quote or not text:
        return [Piece(text or "")], False
    words = quote.split()
    if not words:
        return [Piece(text)], False
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.I)
    match = pattern.search(text)
    if not match:
        return [Piece(text)], False
    return [Piece(text[: match.start()]), Piece(match.group(), True), Piece(text[match.end():])], True


@lru_cache(maxsize=3)
def _load(path: str, key: tuple):
    from pipeline.loaders import load

    return load(path, max_megabytes=MAX_TEXT_VIEW_BYTES / 1e6)


def document_text(path: Path, key: tuple, block_id: str | None, quotes: list[str]) -> tuple[list[ViewBlock], bool]:
    """The document's blocks for the text view, the record's block marked as the evidence and
    the first of `quotes` found in it highlighted. Returns (blocks, whether the quote was found).
    Call in a thread."""
    if path.stat().st_size > MAX_TEXT_VIEW_BYTES:
        raise SourceRefused(413, "This document is too large to show as text here; open the file itself.")
    document = _load(str(path), key)
    quotes = [q for q in quotes if q and q.strip()]
    blocks: list[ViewBlock] = []
    found_any = False
    target = block_id if any(b.id == block_id for b in document.blocks) else None
    for block in document.blocks:
        view = ViewBlock(id=block.id, kind=block.kind, page=block.page, level=block.level)
        candidate = (block.id == target) if target else (not found_any)
        if block.table is not None:
            for r, row in enumerate(block.table.rows):
                cells = []
                for cell in row.cells:
                    pieces, hit = ([Piece(cell.text)], False)
                    if candidate and not found_any:
                        for quote in quotes:
                            pieces, hit = _pieces(cell.text, quote)
                            if hit:
                                break
                    if hit:
                        found_any = True
                        view.marked_rows.add(r)
                        view.evidence = True
                    cells.append(pieces)
                view.rows.append(cells)
        else:
            pieces, hit = [Piece(block.text)], False
            if candidate and not found_any:
                for quote in quotes:
                    pieces, hit = _pieces(block.text, quote)
                    if hit:
                        break
            view.pieces = pieces
            if hit:
                found_any = True
                view.evidence = True
        if target and block.id == target and not view.evidence:
            view.evidence = True  # the block itself, even where the quote's words differ
        blocks.append(view)
    return blocks, found_any


# --- PDF regions -----------------------------------------------------------------------------

_render_lock = threading.Semaphore(2)


def region_png(path: Path, page: int, bbox: tuple[float, float, float, float] | None, *, scale: float = 2.0,
               margin: float = 36.0) -> bytes:
    """PNG of a PDF page around `bbox` (points, top-left origin) with the box highlighted.
    Call in a thread; at most two renders at a time."""
    import io

    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    with _render_lock:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise SourceRefused(404, f"The document has no page {page}.")
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            if width * height * scale * scale > 40_000_000:
                scale = (40_000_000 / (width * height)) ** 0.5
            image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        finally:
            pdf.close()
    if bbox:
        x0, top, x1, bottom = bbox
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        box = [x0 * scale, top * scale, x1 * scale, bottom * scale]
        draw.rectangle(box, fill=(255, 221, 0, 90), outline=(224, 160, 0, 255), width=3)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
        crop = (max(0, (x0 - margin) * scale), max(0, (top - margin) * scale),
                min(image.width, (x1 + margin) * scale), min(image.height, (bottom + margin) * scale))
        if crop[2] > crop[0] and crop[3] > crop[1]:
            image = image.crop(tuple(int(v) for v in crop))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
