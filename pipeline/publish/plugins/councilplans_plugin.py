"""councilplans' Datasette plugin: what the journeys need beyond metadata.yaml.

- The database is published as /councilplans whatever its file is called, so the stored queries,
  links and descriptions in metadata.yaml apply (when Datasette serves exactly one database).
- `page` cells of commitments, priorities, measures (and stored-query rows with a `document_id`)
  link to the source document at that page: `/-/source/{document_id}#page={page}`. Id columns of
  stored-query rows link to their record.
- `/-/source/{document_id}` serves the file recorded for that document in `documents.path` (and
  nothing else): PDF inline as application/pdf so the browser's viewer honours `#page=N`, text
  and Markdown as text/plain. A file that changed since it was ingested is refused, since its
  pages may no longer match.
- `/-/compare?council=GAT&council=RCC&q=attendance`: the chosen councils' priorities side by side
  with the number of commitments under each, and which councils have commitments on a topic.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

DATABASE = "councilplans"
SOURCE_PAGE_TABLES = {"actions", "priorities", "measures", "problems", None}  # None: stored queries
RECORD_LINKS = {"action_id": "actions", "measure_id": "measures", "priority_id": "priorities", "document_id": "documents"}
# Foreign keys that record pages (which Datasette does not label) show by name: column -> (table, label).
LABELS = {
    "council_code": ("councils", "code", "name"),
    "document_id": ("documents", "id", "title"),
    "parent_id": ("priorities", "id", "title"),
}
CONTENT_TYPES = {
    ".pdf": ("application/pdf", "inline"),
    ".txt": ("text/plain; charset=utf-8", "inline"),
    ".text": ("text/plain; charset=utf-8", "inline"),
    ".md": ("text/plain; charset=utf-8", "inline"),  # Markdown source, shown as written
    ".markdown": ("text/plain; charset=utf-8", "inline"),
    ".html": ("text/html; charset=utf-8", "inline"),
    ".htm": ("text/html; charset=utf-8", "inline"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
}
_verified: dict[tuple, str] = {}  # (path, size, mtime) -> sha256, so a file is hashed once


@hookimpl
def startup(datasette):
    names = [name for name in datasette.databases if name != "_internal"]
    if DATABASE not in names and len(names) == 1:
        db = datasette.databases[names[0]]
        datasette.remove_database(names[0])
        datasette.add_database(db, name=DATABASE)


def _plain(value):
    """A cell's raw value: foreign keys arrive expanded as {"value": ..., "label": ...}."""
    return value["value"] if isinstance(value, dict) else value


def source_url(datasette, document_id: str, page=None) -> str:
    url = datasette.urls.path(f"/-/source/{quote(str(document_id))}")
    return f"{url}#page={int(page)}" if page else url


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or value in (None, ""):
        return None
    keys = row.keys()
    if column == "page" and table in SOURCE_PAGE_TABLES and "document_id" in keys:
        document_id = _plain(row["document_id"])
        if document_id and isinstance(value, int):
            return Markup('<a class="source-page" href="{}" title="Open the source document at page {}">p.&nbsp;{}</a>').format(
                source_url(datasette, document_id, value), value, value
            )
    if table == "documents" and column == "path" and "id" in keys:
        return Markup('<a class="source-file" href="{}" title="{}">{}</a>').format(
            source_url(datasette, row["id"]), value, Path(str(value)).name
        )
    if table is None and column in RECORD_LINKS:
        return Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(DATABASE, RECORD_LINKS[column], quote(str(value))), value
        )
    if table is not None and column in LABELS and isinstance(value, str):
        return _labelled_link(datasette, column, value)
    return None


async def _labelled_link(datasette, column: str, value: str):
    other, pk, label_column = LABELS[column]
    sql = f"select {label_column} from {other} where {pk} = ?"
    row = (await datasette.get_database(DATABASE).execute(sql, [value])).first()
    label = row[0] if row and row[0] else value
    return Markup('<a href="{}">{}</a> <span class="fk-value">{}</span>').format(
        datasette.urls.row(DATABASE, other, quote(value)), label, value
    )


async def _check_view(datasette, request, table: str) -> None:
    await datasette.ensure_permissions(
        request.actor, [("view-table", (DATABASE, table)), ("view-database", DATABASE), "view-instance"]
    )


def _database(datasette):
    try:
        return datasette.get_database(DATABASE)
    except KeyError:
        raise NotFound(f"No database called {DATABASE!r} is being served")


async def serve_source(datasette, request):
    """The file recorded in documents.path for this document id, with the right content type."""
    document_id = request.url_vars["document_id"]
    db = _database(datasette)
    await _check_view(datasette, request, "documents")
    row = (await db.execute("select path, sha256, source from documents where id = ?", [document_id])).first()
    if row is None or not row["path"]:
        raise NotFound(f"No document with id {document_id!r}")
    path = Path(row["path"])
    if not path.is_absolute() and db.path:
        path = Path(db.path).parent / path
    if not path.is_file():
        return Response.text(
            f"{row['source']}: the file {path} recorded for this document is not there any more.\n"
            "Re-run `councilplans ingest` where the documents are.", status=404
        )
    stat = path.stat()
    body = await asyncio.to_thread(path.read_bytes)
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _verified.get(key) or hashlib.sha256(body).hexdigest()
    if row["sha256"] and digest != row["sha256"]:
        return Response.text(
            f"{row['source']}: {path} has changed since it was ingested, so its pages may not match.\n"
            "Re-run `councilplans ingest` to update the database.", status=409
        )
    _verified[key] = digest
    content_type, disposition = CONTENT_TYPES.get(path.suffix.lower(), ("application/octet-stream", "attachment"))
    headers = {
        "content-disposition": f'{disposition}; filename="{quote(path.name)}"',
        "x-content-type-options": "nosniff",
        "cache-control": "max-age=3600",
    }
    if content_type.startswith("text/html"):
        headers["content-security-policy"] = "sandbox"  # a council's HTML page must not run script here
    return Response(body, content_type=content_type, headers=headers)


COMPARE_PRIORITIES_SQL = """
select p.id, p.council_code, p.document_id, d.title as document, p.number, p.level, p.title, p.page,
       (select count(*) from action_priorities ap where ap.priority_id = p.id) as commitments
from priorities p join documents d on d.id = p.document_id
where p.council_code = :code
order by d.title, p.ordinal
"""
UNLINKED_SQL = """
select count(*) from actions a
where a.council_code = :code and not exists (select 1 from action_priorities ap where ap.action_id = a.id)
"""
TOPIC_SQL = """
select 'actions' as kind, council_code, count(*) as n from actions
 where rowid in (select rowid from actions_fts where actions_fts match escape_fts(:q)) group by council_code
union all
select 'measures', council_code, count(*) from measures
 where rowid in (select rowid from measures_fts where measures_fts match escape_fts(:q)) group by council_code
"""


async def compare(datasette, request):
    """Priorities of the chosen councils side by side, and who has commitments on a topic."""
    db = _database(datasette)
    for table in ("councils", "priorities", "actions"):
        await _check_view(datasette, request, table)
    councils = [
        dict(r) for r in await db.execute(
            "select c.code, c.name, (select count(*) from actions a where a.council_code = c.code) as commitments "
            "from councils c where exists (select 1 from documents d where d.council_code = c.code) order by c.name"
        )
    ]
    by_code = {c["code"]: c for c in councils}
    wanted = [code.strip().upper() for value in request.args.getlist("council") for code in value.split(",")]
    chosen = [by_code[code] for code in dict.fromkeys(wanted) if code in by_code]
    unknown = [code for code in wanted if code and code not in by_code]
    q = (request.args.get("q") or "").strip()
    columns = []
    for council in chosen:
        rows = [dict(r) for r in await db.execute(COMPARE_PRIORITIES_SQL, {"code": council["code"]})]
        documents: dict[str, dict] = {}
        for r in rows:
            doc = documents.setdefault(r["document_id"], {"id": r["document_id"], "title": r["document"], "priorities": []})
            r["source_url"] = source_url(datasette, r["document_id"], r["page"])
            r["commitments_url"] = datasette.urls.query(DATABASE, "search_commitments") + "?" + urlencode({"priority": r["id"]})
            doc["priorities"].append(r)
        unlinked = (await db.execute(UNLINKED_SQL, {"code": council["code"]})).first()[0]
        columns.append({**council, "documents": list(documents.values()), "unlinked": unlinked})
    topic = []
    if q:
        counts = {(r["kind"], r["council_code"]): r["n"] for r in await db.execute(TOPIC_SQL, {"q": q})}
        for council in chosen or councils:
            topic.append({
                **council,
                "matching": counts.get(("actions", council["code"]), 0),
                "measures": counts.get(("measures", council["code"]), 0),
                "url": datasette.urls.query(DATABASE, "search_commitments") + "?" + urlencode({"q": q, "council": council["code"]}),
            })
    return Response.html(
        await datasette.render_template(
            "compare.html",
            {
                "councils": councils, "chosen": chosen, "chosen_codes": {c["code"] for c in chosen},
                "columns": columns, "unknown": unknown, "q": q, "topic": topic, "database": DATABASE,
                "table_url": lambda table: datasette.urls.table(DATABASE, table),
                "row_url": lambda table, pk: datasette.urls.row(DATABASE, table, quote(str(pk))),
            },
            request=request,
        )
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/source/(?P<document_id>[0-9A-Za-z_-]{1,64})$", serve_source),
        (r"^/-/compare$", compare),
    ]
