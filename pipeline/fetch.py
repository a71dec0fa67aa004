"""Fetching: check every source of a sources file, archive what it publishes, record what was found.

For each source (pipeline/sources.py):

- a `url` is downloaded with httpx, conditionally: the ETag and Last-Modified stored from the last
  answer are sent as If-None-Match and If-Modified-Since (only while the archived copy they
  describe is still in the archive), so a 304 costs nothing. Redirects are followed (at most
  `MAX_REDIRECTS`); the body is streamed into a temporary file under the size limit and checked
  against what was expected (`check_content`: an HTML error page where a PDF was expected is
  refused; bytes decide over a wrong Content-Type).
- a `path` is read from disk and hashed.

Each distinct file is stored once in the archive, named by its SHA-256 (`DIR/ab/abcdef....pdf`),
written to a temporary file and renamed into place, so the archive never holds half a file. A
newer edition never replaces an older one: both stay.

The outcome of each check is one of `STATUSES`: new (a first file), changed (a file with another
SHA-256 than the last one), unchanged (304, or the same bytes), not found (404, 410, an empty
body, a missing local file), failed (anything else: timeouts, network errors, other HTTP errors,
a wrong content type, over the size limit; with the reason). Each check is a row of `fetches`;
`sources` holds each source's latest state, and the `coverage` view sums it up per council and
series (pipeline/store.py, migration 4). A failure concerns only its own source: the run goes on.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import httpx
import sqlite_utils

from pipeline.sources import Source, SourceIssue, load_sources
from pipeline.store import StoreError, open_db, stable_id

STATUSES = ("new", "unchanged", "changed", "not found", "failed")
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_MEGABYTES = 200.0
CHUNK = 64 * 1024
SNIFF_BYTES = 1024
USER_AGENT = "councilplans-fetch (archiving published council plans)"

# Content types of each format, and the suffix an archived file of that format gets.
CONTENT_TYPES = {
    "application/pdf": "pdf", "application/x-pdf": "pdf", "application/acrobat": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/html": "html", "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown", "text/x-markdown": "markdown",
}
# Content types that say nothing about the file: the bytes decide.
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/force-download",
                 "application/download", "application/x-download", "application/zip"}
ARCHIVE_SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt", "markdown": ".md"}
URL_SUFFIX = {".pdf": "pdf", ".docx": "docx", ".txt": "text", ".md": "markdown", ".markdown": "markdown",
              ".html": "html", ".htm": "html", ".xhtml": "html"}
LABEL = {"pdf": "a PDF", "docx": "a Word document (DOCX)", "html": "a web page", "text": "a text file",
         "markdown": "a Markdown file"}


@dataclass
class FetchResult:
    """What one check of one source found."""

    source: Source
    status: str
    reason: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    archive_path: str | None = None
    size: int | None = None
    conditional: bool = False
    seconds: float = 0.0

    @property
    def checked(self) -> bool:
        """The source answered (a file, or that there is none): not a failure."""
        return self.status != "failed"

    @property
    def found(self) -> bool:
        return self.status in ("new", "changed", "unchanged")


@dataclass
class FetchReport:
    run_id: str
    results: list[FetchResult] = field(default_factory=list)
    issues: list[SourceIssue] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[FetchResult]:
        return [r for r in self.results if r.status == "failed"]


class Rejected(Exception):
    """A source's answer is refused: the status ("failed" or "not found") and the reason."""

    def __init__(self, status: str, reason: str, **facts):
        super().__init__(reason)
        self.status, self.reason, self.facts = status, reason, facts


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- content checks


def expected_format(source: Source) -> str | None:
    """What the source should give: its `format`, else what its URL or path ends with; None for
    an address that does not say (".../download?id=3", ".aspx"): any supported document will do."""
    if source.format:
        return source.format
    suffix = Path(httpx.URL(source.url).path if source.url else str(source.path)).suffix.lower()
    return URL_SUFFIX.get(suffix)


def sniff(head: bytes) -> str | None:
    """The format the first bytes of a file show: pdf, docx (any zip), html, or None."""
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (start.startswith(b"<") and b"<html" in start[:SNIFF_BYTES]):
        return "html"
    return None


def check_content(expected: str | None, content_type: str | None, head: bytes) -> str:
    """The format of a body given what was expected, its Content-Type and its first bytes; raises
    `Rejected` for a wrong content type. A PDF or DOCX is recognised by its bytes, whatever the
    server calls it (and an HTML page called a PDF is refused); a web page, text or Markdown by
    its content type."""
    declared_type = (content_type or "").split(";")[0].strip().lower()
    declared = CONTENT_TYPES.get(declared_type)
    if declared is None and declared_type.startswith("text/"):
        declared = "text"
    seen = sniff(head)
    shown = f"{declared_type or 'no content type'}" + (" (an HTML page)" if seen == "html" and declared != "html" else "")

    def wrong() -> Rejected:
        return Rejected("failed", f"wrong content type: expected {LABEL[expected] if expected else 'a document'}, got {shown}",
                        content_type=content_type)

    if expected in ("pdf", "docx"):
        if seen == expected:
            return expected
        raise wrong()
    if seen in ("pdf", "docx"):  # a document where a page (or anything) was expected: keep it
        return seen
    if declared_type in GENERIC_TYPES:
        declared = seen or (expected if expected in ("text", "markdown") else None)
    if declared is None or declared in ("pdf", "docx"):  # an image, JSON, a PDF type on HTML bytes...
        raise wrong()
    if expected is None or expected == "html":
        return declared
    # text or Markdown expected: an HTML page (an error page, a login page) is not it
    if declared == "html" or seen == "html":
        raise wrong()
    return expected


# --------------------------------------------------------------------------- the archive


class Archive:
    """Files stored once each, by SHA-256: `root/ab/abcdef....pdf`."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def find(self, sha256: str) -> Path | None:
        folder = self.root / sha256[:2]
        if not folder.is_dir():
            return None
        return next((p for p in sorted(folder.glob(f"{sha256}.*")) if p.is_file()), None) or (
            folder / sha256 if (folder / sha256).is_file() else None)

    def temporary(self) -> tuple[int, Path]:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.root, prefix=".fetch-", suffix=".part")
        return handle, Path(name)

    def keep(self, temporary: Path, sha256: str, suffix: str) -> Path:
        """Move a complete temporary file into place (atomically), or drop it when the archive
        already holds those bytes; returns the archived path."""
        existing = self.find(sha256)
        if existing is not None:
            temporary.unlink(missing_ok=True)
            return existing
        target = self.root / sha256[:2] / f"{sha256}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return target


def _safe_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


# --------------------------------------------------------------------------- one source


def fetch_url(source: Source, previous: dict | None, archive: Archive, client: httpx.Client, *,
              max_bytes: int, timeout: float) -> FetchResult:
    """Check one `url` source against what was stored last time (`previous`, its `sources` row)."""
    previous = previous or {}
    headers = {}
    archived = bool(previous.get("sha256")) and archive.find(previous["sha256"]) is not None
    if archived:  # validators describe the archived copy: only worth sending while it is there
        if previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
    result = FetchResult(source=source, status="failed", conditional=bool(headers))
    try:
        with client.stream("GET", source.url, headers=headers) as response:
            result.http_status = response.status_code
            result.final_url = str(response.url)
            result.content_type = response.headers.get("content-type")
            if response.status_code == 304:
                if not headers:
                    raise Rejected("failed", "the server answered 304 Not Modified to a request that was not conditional")
                result.etag = response.headers.get("etag") or previous.get("etag")
                result.last_modified = response.headers.get("last-modified") or previous.get("last_modified")
                result.sha256 = previous["sha256"]
                result.archive_path = str(archive.find(previous["sha256"]))
                result.size = previous.get("size")
                result.content_type = previous.get("content_type")
                result.status = "unchanged"
                return result
            if response.status_code in (404, 410):
                raise Rejected("not found", f"HTTP {response.status_code} {response.reason_phrase}".strip())
            if response.status_code >= 400 or response.status_code < 200:
                raise Rejected("failed", f"HTTP {response.status_code} {response.reason_phrase}".strip())
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise Rejected("failed", f"over the size limit: {int(length):,} bytes (Content-Length), limit {max_bytes:,}")
            handle, temporary = archive.temporary()
            try:
                digest, size, kind = hashlib.sha256(), 0, None
                head = b""
                with os.fdopen(handle, "wb") as out:
                    for chunk in response.iter_bytes(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise Rejected("failed", f"over the size limit: more than {max_bytes:,} bytes")
                        if kind is None:
                            head += chunk
                            if len(head) >= SNIFF_BYTES:
                                kind = check_content(expected_format(source), result.content_type, head)
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                if size == 0:
                    raise Rejected("not found", "the server answered with an empty file")
                if kind is None:
                    kind = check_content(expected_format(source), result.content_type, head)
                result.sha256 = digest.hexdigest()
                result.size = size
                result.archive_path = str(archive.keep(temporary, result.sha256, ARCHIVE_SUFFIX[kind]))
            finally:
                temporary.unlink(missing_ok=True)
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
    except Rejected as exc:
        result.status, result.reason = exc.status, exc.reason
        return result
    except httpx.TimeoutException as exc:
        result.reason = f"timed out after {timeout:g} s ({type(exc).__name__})"
        return result
    except httpx.TooManyRedirects:
        result.reason = f"more than {MAX_REDIRECTS} redirects"
        return result
    except httpx.HTTPError as exc:
        result.reason = f"network error: {type(exc).__name__}: {exc}"
        return result
    except OSError as exc:
        result.reason = f"could not write to the archive {archive.root}: {exc}"
        return result
    result.status = _compared(result.sha256, previous.get("sha256"))
    return result


def fetch_path(source: Source, previous: dict | None, archive: Archive, *, max_bytes: int) -> FetchResult:
    """Check one `path` source: hash the local file and archive it."""
    previous = previous or {}
    path = source.path
    result = FetchResult(source=source, status="failed", final_url=str(path))
    try:
        if not path.exists():
            raise Rejected("not found", f"no file at {path}")
        if not path.is_file():
            raise Rejected("failed", f"{path} is not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise Rejected("failed", f"over the size limit: {size:,} bytes, limit {max_bytes:,}")
        if size == 0:
            raise Rejected("not found", f"{path} is empty")
        handle, temporary = archive.temporary()
        try:
            digest, head = hashlib.sha256(), b""
            with path.open("rb") as src, os.fdopen(handle, "wb") as out:
                while chunk := src.read(CHUNK):
                    if len(head) < SNIFF_BYTES:
                        head += chunk[:SNIFF_BYTES]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            expected = expected_format(source)
            if expected in ("pdf", "docx"):
                check_content(expected, None, head)
            result.sha256 = digest.hexdigest()
            result.size = size
            result.archive_path = str(archive.keep(temporary, result.sha256, _safe_suffix(path)))
        finally:
            temporary.unlink(missing_ok=True)
    except Rejected as exc:
        result.status, result.reason = exc.status, exc.reason
        return result
    except OSError as exc:
        result.reason = f"could not read {path} or write to the archive: {exc}"
        return result
    result.status = _compared(result.sha256, previous.get("sha256"))
    return result


def _compared(sha256: str, before: str | None) -> str:
    return "new" if not before else ("unchanged" if sha256 == before else "changed")


# --------------------------------------------------------------------------- the database


def record(db: sqlite_utils.Database, run_id: str, result: FetchResult, at: str) -> None:
    """One check: a `fetches` row, and the source's latest state in `sources` (one transaction)."""
    source = result.source
    row = db["sources"].get(source.id)  # registered before any check (register_sources)
    update = {
        "last_attempt": at, "status": result.status, "reason": result.reason, "http_status": result.http_status,
        "final_url": result.final_url,
    }
    if result.checked:
        update["last_checked"] = at
        update["found"] = int(result.found)
    if result.found:
        update.update(sha256=result.sha256, archive_path=result.archive_path, size=result.size,
                      content_type=result.content_type, etag=result.etag, last_modified=result.last_modified)
        if not row.get("first_seen"):
            update["first_seen"] = at
        if result.status in ("new", "changed"):
            update["last_changed"] = at
    with db.conn:
        db["sources"].update(source.id, update)
        db["fetches"].insert({
            "run_id": run_id, "source_id": source.id, "at": at, "status": result.status, "reason": result.reason,
            "conditional": int(result.conditional), "http_status": result.http_status, "final_url": result.final_url,
            "content_type": result.content_type, "etag": result.etag, "last_modified": result.last_modified,
            "sha256": result.sha256, "archive_path": result.archive_path, "size": result.size,
            "seconds": round(result.seconds, 3),
        })


def _has(db: sqlite_utils.Database, source_id: str) -> bool:
    return db.conn.execute("SELECT 1 FROM sources WHERE id = ?", [source_id]).fetchone() is not None


def register_sources(db: sqlite_utils.Database, sources: Iterable[Source], at: str) -> None:
    """Every source of the file in `sources` (added now if new; its description brought up to date),
    so that a source never checked shows as "not checked"."""
    with db.conn:
        for s in sources:
            described = {
                "council_code": s.council.code, "council_name": s.council.name, "gss_code": s.council.gss_code,
                "series": s.series, "series_key": s.series_key, "url": s.url, "path": str(s.path) if s.path else None,
                "format": s.format, "cadence": s.cadence, "cadence_months": s.cadence_months,
                "sources_file": s.sources_file, "entry": s.entry,
            }
            if _has(db, s.id):
                db["sources"].update(s.id, described)
            else:
                db["sources"].insert({"id": s.id, **described, "added": at, "status": "not checked"})


# --------------------------------------------------------------------------- a run


def fetch_sources(sources_file: Path | str, archive_dir: Path | str, db_path: Path | str, *,
                  timeout: float = DEFAULT_TIMEOUT, max_megabytes: float = DEFAULT_MAX_MEGABYTES,
                  now: Callable[[], str] = utc_now, on_result: Callable[[FetchResult], None] | None = None,
                  transport: httpx.BaseTransport | None = None) -> FetchReport:
    """Check every source of `sources_file`, archive into `archive_dir`, record in `db_path`.
    Raises `SourcesError` (the file as a whole) or `StoreError` (the database); a problem with
    one entry or one source is in the report, and the run goes on."""
    loaded = load_sources(sources_file)
    archive = Archive(archive_dir)
    archive.root.mkdir(parents=True, exist_ok=True)
    db = open_db(db_path)
    started = now()
    report = FetchReport(run_id=stable_id("fetch", started, time.time_ns()), issues=list(loaded.issues))
    max_bytes = int(max_megabytes * 1_000_000)
    try:
        register_sources(db, loaded.sources, started)
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=httpx.Timeout(timeout),
                          headers={"User-Agent": USER_AGENT}, transport=transport) as client:
            for source in loaded.sources:
                previous = db["sources"].get(source.id)
                began = time.monotonic()
                if source.url is not None:
                    result = fetch_url(source, previous, archive, client, max_bytes=max_bytes, timeout=timeout)
                else:
                    result = fetch_path(source, previous, archive, max_bytes=max_bytes)
                result.seconds = time.monotonic() - began
                record(db, report.run_id, result, now())
                report.results.append(result)
                if on_result:
                    on_result(result)
    except Exception as exc:
        import sqlite3

        if isinstance(exc, sqlite3.Error):
            raise StoreError.of(exc, db_path, "recording a fetch") from exc
        raise
    finally:
        db.close()
    return report
