"""Serving safely: what the plugin applies to every connection, response and error.

- Every SQLite connection Datasette opens is bounded in memory as well as time (Datasette's
  `sql_time_limit_ms`): no string or blob over `MAX_VALUE_BYTES` (`randomblob(999999999)`, a
  doubling recursive CTE or a huge `group_concat` fail with "string or blob too big"), and all
  of SQLite's memory in the process under `HEAP_LIMIT_BYTES` (`PRAGMA hard_heap_limit`).
- An authorizer makes every connection read-only (no writes, no ATTACH) and reads
  `documents.path`, the server's own file path, as NULL: the plugin reads it through its own
  connection to serve the file, and it is published nowhere.
- Anonymous visitors run the stored queries and table pages, not arbitrary SQL (metadata.yaml:
  `allow_sql`), since a result of 1,000 rows of large values would be built in Python's memory.
- Security headers on every response; HTML pages get a Content-Security-Policy; CSV downloads as
  a file.
- A request that cannot be answered is a 400 or 404 page that names the problem, never a 500
  with a traceback or a server path.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from urllib.parse import unquote

MAX_VALUE_BYTES = 5_000_000
MAX_SQL_BYTES = 100_000
HEAP_LIMIT_BYTES = 512 * 1024 * 1024
HIDDEN_COLUMNS = {("documents", "path")}
WRITE_ACTIONS = {
    getattr(sqlite3, name) for name in (
        "SQLITE_INSERT", "SQLITE_DELETE", "SQLITE_ATTACH", "SQLITE_DETACH", "SQLITE_ALTER_TABLE", "SQLITE_REINDEX",
        "SQLITE_CREATE_INDEX", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TEMP_INDEX", "SQLITE_CREATE_TEMP_TABLE",
        "SQLITE_CREATE_TEMP_TRIGGER", "SQLITE_CREATE_TEMP_VIEW", "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW",
        "SQLITE_CREATE_VTABLE", "SQLITE_DROP_INDEX", "SQLITE_DROP_TABLE", "SQLITE_DROP_TEMP_INDEX",
        "SQLITE_DROP_TEMP_TABLE", "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_TEMP_VIEW", "SQLITE_DROP_TRIGGER",
        "SQLITE_DROP_VIEW", "SQLITE_DROP_VTABLE",
    )
}
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'")
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def _authorize(action, arg1, arg2, database, source):
    if action == sqlite3.SQLITE_READ and (arg1, arg2) in HIDDEN_COLUMNS:
        return sqlite3.SQLITE_IGNORE  # the column reads as NULL
    if action in WRITE_ACTIONS or (action == sqlite3.SQLITE_UPDATE and arg1 != "sqlite_master"):
        return sqlite3.SQLITE_DENY  # (FTS5 reports declaring its table as an update of sqlite_master)
    return sqlite3.SQLITE_OK


def prepare(conn: sqlite3.Connection) -> None:
    """Bound one connection's memory and make it read-only."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")
    conn.set_authorizer(_authorize)


def _filename(path: str) -> str:
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1]) or "councilplans.csv"
    return re.sub(r"[^\w.-]+", "_", name)


def wrap(app):
    """ASGI middleware: security headers on every response, CSV as a download."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        path = scope.get("path", "")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k.lower(), v) for k, v in message.get("headers", [])]
                have = {k.decode("latin-1") for k, _ in headers}
                content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), "")
                extra = {k: v for k, v in HEADERS.items() if k not in have}
                if content_type.startswith("text/html") and "content-security-policy" not in have:
                    extra["content-security-policy"] = CSP
                if path.endswith(".csv") and message.get("status") == 200:
                    headers = [(k, v) for k, v in headers if k not in (b"content-type", b"content-disposition")]
                    extra["content-type"] = "text/csv; charset=utf-8"
                    extra["content-disposition"] = f'attachment; filename="{_filename(path)}"'
                headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, send_with_headers)

    return wrapped


# Errors Datasette raises as 500 that are a visitor's bad request ("Cannot sort table by nope",
# `_timelimit=abc`, `_through={`, an invalid `_next` token).
BAD_REQUEST = (ValueError, TypeError, KeyError, IndexError, UnicodeError, json.JSONDecodeError, sqlite3.Error)


async def error_response(datasette, request, exception):
    """The page for an exception no view handled: 404 or 400 with a plain message, 500 (without
    details, which may hold server paths) only for what is really the server's fault."""
    from datasette.utils.asgi import Base400, Response
    from datasette.views.base import DatasetteError

    title = None
    if isinstance(exception, Base400):
        status, message = exception.status, str(exception.args[0]) if exception.args else "Not found"
    elif isinstance(exception, DatasetteError):
        status = exception.status if exception.status < 500 else 400
        message, title = exception.message, exception.title
        if getattr(exception, "message_is_html", False):
            from markupsafe import Markup

            message = Markup(message)
    elif isinstance(exception, BAD_REQUEST):
        status = 400
        message = f"This address asks for something that cannot be answered ({type(exception).__name__}); check its parameters."
    else:
        status = 500
        message = f"Something went wrong on the server ({type(exception).__name__})."
    print(f"councilplans: {status} for {request.path}: {type(exception).__name__}: {exception}", file=sys.stderr)
    info = {"ok": False, "error": str(message), "status": status, "title": title}
    if request.path.endswith(".json"):
        return Response.json(info, status=status)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async(
        dict(info, error=message, urls=datasette.urls, app_css_hash=datasette.app_css_hash(), menu_links=lambda: [])
    )
    return Response.html(html, status=status)
