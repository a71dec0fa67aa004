"""councilplans' Datasette plugin: what the journeys need beyond metadata.yaml. The work is in
the modules beside this folder (pipeline/publish/): sqlfunctions, safety, sources, similar.

- The database is published as /councilplans whatever its file is called, so the stored queries,
  links and descriptions in metadata.yaml apply (when Datasette serves exactly one database).
- Every connection: the cp_* SQL functions the stored queries use (themes of a question, council
  names and abbreviations, years such as 2021/22), memory limits and a read-only authorizer that
  hides server paths (safety.py). Every response: security headers; CSV as a download.
- `page` cells link to the source document at that page: `/-/source/{document_id}#page={page}`.
  `/-/source/{document_id}` streams the file recorded for that document (only inside the corpus
  folders, and only if unchanged since ingest); `/-/source/{document_id}/text?action=ID` shows a
  text, HTML, Markdown or Word document's own text with the record highlighted and scrolled to;
  `/-/source/{document_id}/page/{n}.png?action=ID` renders a PDF page region with the record's box.
- `/-/compare`: chosen councils' priorities side by side, and which have commitments on a topic.
- `/-/themes`: councils x themes. `/-/councils/{code}`: one council's documents, priorities,
  commitments by theme and measures (codes, names, abbreviations and GSS codes all work).
- Record pages show themes with their evidence, strength and SMART flags, and similar
  commitments elsewhere (similar.py).
- At a million commitments (issue 11): the `counted` and `counted_array` facets (facets.py) read
  a table's facets without filters from the counts the store keeps per document, and a search
  matching more rows than the window is answered from its newest matches (search.py).
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from pipeline.publish import enrich, facets, safety, search, similar, sources, sqlfunctions

DATABASE = "councilplans"
SOURCE_PAGE_TABLES = {"actions", "priorities", "measures", "problems", None}  # None: stored queries
RECORD_LINKS = {"action_id": "actions", "measure_id": "measures", "priority_id": "priorities", "document_id": "documents"}
RECORD_KINDS = {"action": "actions", "priority": "priorities", "measure": "measures"}
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
MARKED = re.compile(r"\*\*(.+?)\*\*", re.S)
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@hookimpl
def startup(datasette):
    sqlfunctions.topic_themes("foster care")  # build the theme matcher now, not on the first visitor's question
    names = [name for name in datasette.databases if name != "_internal"]
    if DATABASE not in names and len(names) == 1:
        db = datasette.databases[names[0]]
        datasette.remove_database(names[0])
        datasette.add_database(db, name=DATABASE)


@hookimpl
def prepare_connection(conn, database):
    if database in ("_internal", "_memory"):
        return
    sqlfunctions.register(conn)
    safety.prepare(conn)


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: safety.wrap(search.wrap(datasette, app))


@hookimpl
def register_facet_classes():
    return facets.FACET_CLASSES


@hookimpl
def filters_from_request(request, database, table, datasette):
    async def inner():
        return await search.filters_from_request(request, database, table, datasette)

    return inner


@hookimpl
def handle_exception(datasette, request, exception):
    async def inner():
        return await safety.error_response(datasette, request, exception)

    return inner


def _plain(value):
    """A cell's raw value: foreign keys arrive expanded as {"value": ..., "label": ...}."""
    return value["value"] if isinstance(value, dict) else value


def source_url(datasette, document_id: str, page=None) -> str:
    url = datasette.urls.path(f"/-/source/{quote(str(document_id))}")
    return f"{url}#page={int(page)}" if page else url


def highlighted(value: str) -> Markup:
    """`**word**` (from cp_mark) as <mark>word</mark>, everything else escaped."""
    parts, last = [], 0
    for match in MARKED.finditer(value):
        parts.append(escape(value[last:match.start()]))
        parts.append(Markup("<mark>{}</mark>").format(match.group(1)))
        last = match.end()
    parts.append(escape(value[last:]))
    return Markup("").join(parts)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or value in (None, ""):
        return None
    keys = row.keys()
    if table is None and column == "matched" and isinstance(value, str):
        return Markup('<span class="matched">{}</span>').format(highlighted(value))
    if column == "page" and table in SOURCE_PAGE_TABLES and "document_id" in keys:
        document_id = _plain(row["document_id"])
        if document_id and isinstance(value, int):
            record = _record_of(row, table)
            return _page_link(datasette, document_id, value, record)
    if table == "documents" and column == "source" and "id" in keys:
        return Markup('<a class="source-file" href="{}" title="Open the document">{}</a>').format(
            source_url(datasette, row["id"]), value
        )
    if table is None and column in RECORD_LINKS:
        return Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(DATABASE, RECORD_LINKS[column], quote(str(value))), value
        )
    if table is None and column == "code" and "council" in keys:
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"/-/councils/{quote(str(value))}"), value)
    if table == "councils" and column == "code":
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"/-/councils/{quote(str(value))}"), value)
    if table is not None and column in LABELS and isinstance(value, str):
        return _labelled_link(datasette, column, value)
    return None


def _record_of(row, table: str | None) -> tuple[str, str] | None:
    """(kind, id) of the record a row is, for a link to it in the document's text."""
    keys = row.keys()
    if table in ("actions", "priorities", "measures") and "id" in keys:
        return {"actions": "action", "priorities": "priority", "measures": "measure"}[table], _plain(row["id"])
    for column, kind in (("action_id", "action"), ("measure_id", "measure"), ("priority_id", "priority")):
        if table is None and column in keys and row[column]:
            return kind, row[column]
    return None


_formats: dict[tuple, dict[str, str]] = {}


async def _page_link(datasette, document_id: str, page: int, record: tuple[str, str] | None):
    """p. N: a PDF opens at that page; a text, HTML, Markdown or Word document opens as its own text
    with the record highlighted and scrolled to."""
    db = datasette.get_database(DATABASE)
    key = (db.path, db.hash)
    if key not in _formats:
        _formats.clear()
        _formats[key] = {r[0]: r[1] for r in await db.execute("select id, format from documents")}
    if record and _formats[key].get(document_id) not in (None, "pdf"):
        kind, record_id = record
        href = datasette.urls.path(f"/-/source/{quote(str(document_id))}/text?" + urlencode({kind: record_id})) + "#evidence"
        title = f"Show it in the document's text (page {page})"
    else:
        href, title = source_url(datasette, document_id, page), f"Open the source document at page {page}"
    return Markup('<a class="source-page" href="{}" title="{}">p.&nbsp;{}</a>').format(href, title, page)


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


def _private_rows(db, sql: str, params) -> list[dict]:
    """Rows read through a connection of our own (without the authorizer that hides
    documents.path from everything Datasette runs). Call in a thread."""
    conn = sqlite3.connect(f"file:{db.path}?immutable=1", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


_roots: dict[str, list[Path]] = {}


async def _document_file(datasette, request, document_id: str) -> tuple[dict, Path, tuple]:
    """The document's row, the real path of its file and the file's version key, or
    SourceRefused / NotFound."""
    db = _database(datasette)
    await _check_view(datasette, request, "documents")
    rows = await asyncio.to_thread(_private_rows, db, "select id, path, sha256, source, format from documents where id = ?", [document_id])
    if not rows or not rows[0]["path"]:
        raise NotFound(f"No document with id {document_id!r}")
    row = rows[0]
    base = Path(db.path).parent if db.path else None
    key = str(db.hash or db.path)
    if key not in _roots:
        recorded = await asyncio.to_thread(_private_rows, db, "select path from documents", [])
        _roots[key] = sources.source_roots([r["path"] for r in recorded], base)
    path = await asyncio.to_thread(sources.resolve, row["path"], row["source"], _roots[key], base)
    version = await asyncio.to_thread(sources.check_unchanged, path, row["sha256"], row["source"])
    return row, path, version


async def serve_source(datasette, request):
    """The file recorded in documents.path for this document id, streamed, with the right type."""
    try:
        row, path, version = await _document_file(datasette, request, request.url_vars["document_id"])
    except sources.SourceRefused as refused:
        return Response.text(refused.message + "\n", status=refused.status)
    content_type, disposition = CONTENT_TYPES.get(path.suffix.lower(), ("application/octet-stream", "attachment"))
    name = re.sub(r'[^\w.() -]+', "_", row["source"] or path.name)
    headers = {
        "content-disposition": f"{disposition}; filename=\"{name}\"",
        "x-content-type-options": "nosniff",
        "cache-control": "max-age=3600",
    }
    if content_type.startswith("text/html"):
        headers["content-security-policy"] = "sandbox"  # a council's HTML page must not run script here
    return sources.FileStream(path, version, content_type, headers)


def _record_arg(request) -> tuple[str, str] | None:
    for kind, table in RECORD_KINDS.items():
        value = request.args.get(kind)
        if value:
            return table, value
    return None


async def _record(db, table: str, record_id: str) -> dict | None:
    text_column = {"actions": "text", "priorities": "title", "measures": "name"}[table]
    row = (await db.execute(
        f"select id, document_id, {text_column} as text, page, block_id, bbox, source_text from {table} where id = ?",
        [record_id])).first()
    return dict(row) if row else None


async def source_text_view(datasette, request):
    """A document's own text with one record's source highlighted and scrolled to."""
    db = _database(datasette)
    document_id = request.url_vars["document_id"]
    wanted = _record_arg(request)
    record = None
    if wanted:
        await _check_view(datasette, request, wanted[0])
        record = await _record(db, *wanted)
        if record is None or record["document_id"] != document_id:
            raise NotFound("No such record in this document")
    try:
        row, path, version = await _document_file(datasette, request, document_id)
    except sources.SourceRefused as refused:
        return Response.text(refused.message + "\n", status=refused.status)
    doc = dict((await db.execute("select d.id, d.title, d.source, d.format, d.council_code, c.name as council "
                                 "from documents d left join councils c on c.code = d.council_code where d.id = ?",
                                 [document_id])).first())
    context = {"doc": doc, "record": record, "record_table": wanted[0] if wanted else None,
               "file_url": source_url(datasette, document_id, record["page"] if record else None),
               "blocks": [], "found": False, "message": None, "region_url": None}
    if doc["format"] == "pdf":
        if record and record["page"]:
            context["region_url"] = datasette.urls.path(
                f"/-/source/{quote(document_id)}/page/{int(record['page'])}.png?" + urlencode({wanted[0][:-1] if wanted[0] != "priorities" else "priority": record["id"]}))
        context["message"] = "This is a PDF: the picture shows the part of the page the record was taken from."
    else:
        quotes = [record["source_text"], record["text"]] if record else []
        try:
            blocks, found = await asyncio.to_thread(sources.document_text, path, version, record["block_id"] if record else None, quotes)
        except sources.SourceRefused as refused:
            return Response.text(refused.message + "\n", status=refused.status)
        except Exception as exc:  # the loader could not read it now: say so, never a traceback
            context["message"] = f"The document's text could not be read ({type(exc).__name__}); open the file itself."
            blocks, found = [], False
        context.update(blocks=blocks, found=found)
        if record and not found:
            context["message"] = "The record's exact words were not found in the text; its block is marked."
    return Response.html(await datasette.render_template("source_text.html", context, request=request))


async def source_region(datasette, request):
    """A PDF page (or the region one record came from) as PNG, the record's box highlighted."""
    db = _database(datasette)
    document_id, page = request.url_vars["document_id"], int(request.url_vars["page"])
    bbox = None
    wanted = _record_arg(request)
    if wanted:
        await _check_view(datasette, request, wanted[0])
        record = await _record(db, *wanted)
        if record is None or record["document_id"] != document_id:
            raise NotFound("No such record in this document")
        if record["bbox"] and record["page"] == page:
            box = json.loads(record["bbox"])
            bbox = (box["x0"], box["top"], box["x1"], box["bottom"])
    try:
        row, path, _ = await _document_file(datasette, request, document_id)
        if row["format"] != "pdf":
            raise NotFound("Only PDF pages can be shown as pictures")
        png = await asyncio.to_thread(sources.region_png, path, page, bbox)
    except sources.SourceRefused as refused:
        return Response.text(refused.message + "\n", status=refused.status)
    return Response(png, content_type="image/png", headers={"cache-control": "max-age=3600"})


# --- topic questions ---------------------------------------------------------------------------

async def topic_rows(datasette, q: str, theme: str = "") -> list[dict]:
    """The topic_coverage stored query's answer (the same SQL, so every page answers alike)."""
    query = await datasette.get_canned_query(DATABASE, "topic_coverage", None)
    db = _database(datasette)
    return [dict(r) for r in await db.execute(query["sql"], {"q": q, "theme": theme})]


async def theme_options(datasette) -> list[dict]:
    db = _database(datasette)
    return [dict(r) for r in await db.execute("select name, label, theme_group, description from themes order by position")]


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
COUNCILS_SQL = f"""
select c.code, c.name, c.gss_code,
       (select count(*) from actions a where a.council_code = c.code) as commitments,
       (select count(*) from documents d where d.council_code = c.code) as documents,
       (select count(*) from documents d where d.council_code = c.code
          and (d.kind in ({", ".join(repr(k) for k in enrich.PLAN_KINDS)})
               or (coalesce(d.kind, 'other') = 'other' and d.actions_count > 0))) as plans
from councils c where exists (select 1 from documents d where d.council_code = c.code) order by c.name
"""


async def _councils(db) -> list[dict]:
    return [dict(r) for r in await db.execute(COUNCILS_SQL)]


async def compare(datasette, request):
    """Priorities of the chosen councils side by side, and who has commitments on a topic."""
    db = _database(datasette)
    for table in ("councils", "priorities", "actions"):
        await _check_view(datasette, request, table)
    councils = await _councils(db)
    by_code = {c["code"]: c for c in councils}
    wanted_text = ",".join(request.args.getlist("council"))
    known = [(c["code"], c["name"], c["gss_code"]) for c in councils]
    wanted = sqlfunctions.council_codes(wanted_text, known) if wanted_text.strip() else []
    chosen = [by_code[code] for code in wanted if code in by_code]
    unknown = [p.strip() for p in wanted_text.split(",") if p.strip()
               and sqlfunctions.council_codes(p, known) == ["?"]]
    q = (request.args.get("q") or "").strip()[:200]
    theme = (request.args.get("theme") or "").strip()[:100]
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
    if q or theme:
        chosen_codes = {c["code"] for c in chosen}
        for r in await topic_rows(datasette, q, theme):
            if chosen_codes and r["code"] not in chosen_codes:
                continue
            r["url"] = datasette.urls.query(DATABASE, "search_commitments") + "?" + urlencode({"q": q, "theme": theme, "council": r["code"]})
            topic.append(r)
    themes_named = json.loads(sqlfunctions.topic_themes(f"{q} {theme}")) if (q or theme) else []
    return Response.html(
        await datasette.render_template(
            "compare.html",
            {
                "councils": councils, "chosen": chosen, "chosen_codes": {c["code"] for c in chosen},
                "columns": columns, "unknown": unknown, "q": q, "theme": theme, "topic": topic, "database": DATABASE,
                "themes": await theme_options(datasette), "themes_named": themes_named,
                "rest": sqlfunctions.topic_rest(f"{q} {theme}") if (q or theme) else "",
                "table_url": lambda table: datasette.urls.table(DATABASE, table),
                "row_url": lambda table, pk: datasette.urls.row(DATABASE, table, quote(str(pk))),
            },
            request=request,
        )
    )


THEME_MATRIX_SQL = """
select theme, council_code,
       count(distinct case when kind = 'action' then record_id end) as commitments,
       count(distinct case when kind = 'priority' then record_id end) as priorities,
       count(distinct case when kind = 'measure' then record_id end) as measures
from theme_matches group by theme, council_code
"""


async def themes_page(datasette, request):
    """Councils x themes: how many commitments (and priorities) each council has under each theme."""
    db = _database(datasette)
    for table in ("councils", "actions", "theme_matches"):
        await _check_view(datasette, request, table)
    councils = await _councils(db)
    themes = await theme_options(datasette)
    cells = {(r["theme"], r["council_code"]): dict(r) for r in await db.execute(THEME_MATRIX_SQL)}
    search = datasette.urls.query(DATABASE, "search_commitments")
    rows = []
    for t in themes:
        row_cells = []
        for c in councils:
            cell = cells.get((t["name"], c["code"]), {"commitments": 0, "priorities": 0, "measures": 0})
            row_cells.append({**cell, "council": c, "url": search + "?" + urlencode({"theme": t["name"], "council": c["code"]})})
        total = sum(cell["commitments"] for cell in row_cells)
        rows.append({**t, "cells": row_cells, "total": total,
                     "councils_with": sum(1 for cell in row_cells if cell["commitments"]),
                     "url": search + "?" + urlencode({"theme": t["name"]})})
    return Response.html(await datasette.render_template(
        "themes.html", {"councils": councils, "rows": rows, "database": DATABASE,
                        "council_url": lambda code: datasette.urls.path(f"/-/councils/{quote(code)}")},
        request=request))


COUNCIL_ACTIONS_SQL = """
select a.id, a.document_id, a.text, a.page, a.themes, a.strength, a.deadline_text, a.deadline_end, a.progress, a.rag,
       d.title as document
from actions a join documents d on d.id = a.document_id
where a.council_code = :code order by d.title, a.ordinal
"""


async def council_page(datasette, request):
    """One council: its documents, priorities, commitments by theme and measures."""
    db = _database(datasette)
    for table in ("councils", "documents", "actions", "priorities", "measures"):
        await _check_view(datasette, request, table)
    councils = await _councils(db)
    asked = unquote(tilde_decode(request.url_vars["code"]))
    codes = sqlfunctions.council_codes(asked, [(c["code"], c["name"], c["gss_code"]) for c in councils])
    if len(codes) != 1 or codes[0] == "?":
        raise NotFound(f"No council in this database matches {asked!r}")
    if codes[0] != asked:
        return Response.redirect(datasette.urls.path(f"/-/councils/{quote(codes[0])}"))
    council = dict((await db.execute("select * from councils where code = ?", [codes[0]])).first())
    council.update(next(c for c in councils if c["code"] == codes[0]))
    documents = [dict(r) for r in await db.execute(
        "select id, title, source, kind, format, period_start, period_end, pages, source_url, priorities_count, "
        "actions_count, measures_count from documents where council_code = ? order by title", [council["code"]])]
    for d in documents:
        d["file_url"] = source_url(datasette, d["id"])
        d["web_url"] = d["source_url"] if re.match(r"https?://", d["source_url"] or "", re.I) else None
        d["plan"] = d["kind"] in enrich.PLAN_KINDS or (d["kind"] in (None, "other") and d["actions_count"])
    priorities = [dict(r) for r in await db.execute(
        "select p.id, p.document_id, p.number, p.level, p.title, p.page, p.themes, "
        "(select count(*) from action_priorities ap where ap.priority_id = p.id) as commitments "
        "from priorities p join documents d on d.id = p.document_id where p.council_code = ? order by d.title, p.ordinal",
        [council["code"]])]
    actions = [dict(r) for r in await db.execute(COUNCIL_ACTIONS_SQL, {"code": council["code"]})]
    by_id = {a["id"]: a for a in actions}
    index = await _similarity(datasette)
    groups = index.groups([a["id"] for a in actions]) if index else [[a["id"]] for a in actions]
    folded = []
    for group in groups:
        first = dict(by_id[group[0]])
        first["also"] = [by_id[g] for g in group[1:] if g in by_id]
        folded.append(first)
    themes = await theme_options(datasette)
    by_theme = []
    for t in themes:
        items = [a for a in folded if t["name"] in json.loads(a["themes"] or "[]")]
        if items:
            by_theme.append({**t, "items": items})
    no_theme = [a for a in folded if not json.loads(a["themes"] or "[]")]
    measures = [dict(r) for r in await db.execute(
        "select id, document_id, name, value, as_at, target, target_date, status, page from measures "
        "where council_code = ? order by document_id, ordinal", [council["code"]])]
    return Response.html(await datasette.render_template(
        "council.html",
        {"council": council, "documents": documents, "priorities": priorities, "by_theme": by_theme,
         "no_theme": no_theme, "measures": measures, "commitments": len(actions), "folded": len(actions) - len(folded),
         "database": DATABASE,
         "row_url": lambda table, pk: datasette.urls.row(DATABASE, table, quote(str(pk))),
         "page_url": lambda doc, page: source_url(datasette, doc, page),
         "search_url": datasette.urls.query(DATABASE, "search_commitments") + "?" + urlencode({"council": council["code"]})},
        request=request))


async def _similarity(datasette):
    db = _database(datasette)

    def rows():
        return [(r["id"], r["council_code"], r["document_id"], r["text"])
                for r in _private_rows(db, "select id, council_code, document_id, text from actions order by rowid", [])]

    try:
        return await asyncio.to_thread(similar.index_for, (db.path, db.hash), rows)
    except Exception:  # no similar commitments is better than no page
        return None


async def databases_json(datasette, request):
    """/-/databases without the server's file paths."""
    data = [{"name": name, "route": db.route, "is_mutable": db.is_mutable, "is_memory": db.is_memory, "hash": db.hash}
            for name, db in datasette.databases.items() if name != "_internal"]
    if request.url_vars.get("format") == ".json":
        return Response.json(data)
    return Response.text("\n".join(d["name"] for d in data) + "\n")


async def not_published(datasette, request):
    raise NotFound("Not published")


def _answered(view):
    """A route whose NotFound / Forbidden becomes the plain error page (no traceback in the log)."""
    from datasette.utils.asgi import Base400

    async def route(datasette, request):
        try:
            return await view(datasette, request)
        except Base400 as exc:
            return await safety.error_response(datasette, request, exc)

    route.__name__ = view.__name__
    return route


@hookimpl
def register_routes():
    return [
        (r"^/-/source/(?P<document_id>[0-9A-Za-z_-]{1,64})$", _answered(serve_source)),
        (r"^/-/source/(?P<document_id>[0-9A-Za-z_-]{1,64})/text$", _answered(source_text_view)),
        (r"^/-/source/(?P<document_id>[0-9A-Za-z_-]{1,64})/page/(?P<page>[0-9]{1,5})\.png$", _answered(source_region)),
        (r"^/-/compare$", _answered(compare)),
        (r"^/-/themes$", _answered(themes_page)),
        (r"^/-/councils/(?P<code>[^/]{1,100})$", _answered(council_page)),
        (r"^/-/databases(?P<format>\.json)?$", _answered(databases_json)),
        (r"^/-/threads(\.json)?$", _answered(not_published)),
    ]


# --- what templates get ---------------------------------------------------------------------------

def _quality() -> list[dict]:
    """Measured extraction quality from the committed metrics (metrics/*.json), honest numbers first."""
    out = []
    for name, label, note in [
        ("cv", "Unseen documents (leave-one-document-out over all gold)", "the best estimate for a new council's plan"),
        ("real", "Real council documents, hand-checked", "mostly reports rather than plans"),
        ("quality", "The bundled corpus", "what the extractors were developed on: a regression check"),
    ]:
        path = PROJECT_ROOT / "metrics" / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kinds = data.get("all", data).get("kinds", {})
        except (OSError, ValueError, AttributeError):
            continue
        if kinds:
            out.append({"label": label, "note": note, "kinds": {k: v.get("f1") for k, v in kinds.items()},
                        "recall": {k: v.get("recall") for k, v in kinds.items()},
                        "precision": {k: v.get("precision") for k, v in kinds.items()}})
    return out


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        if datasette is None or DATABASE not in datasette.databases:
            return {}
        db = datasette.get_database(DATABASE)
        if view_name == "index":
            coverage = dict((await db.execute(
                "select (select count(*) from councils where code in (select council_code from documents)) as councils, "
                "(select count(*) from documents) as documents, (select count(*) from actions) as commitments, "
                "(select count(*) from priorities) as priorities, (select count(*) from measures) as measures, "
                "(select min(period_start) from documents) as first_year, (select max(period_end) from documents) as last_year"
            )).first())
            council_rows = await _councils(db)
            documents = [dict(r) for r in await db.execute(
                "select d.id, d.title, d.kind, d.period_start, d.period_end, d.council_code, d.actions_count "
                "from documents d order by d.council_code, d.title")]
            return {"coverage": coverage, "coverage_councils": council_rows, "coverage_documents": documents,
                    "quality": _quality(), "themes": await theme_options(datasette)}
        if template.startswith("query") and database == DATABASE:  # stored queries (and any SQL)
            config = datasette.plugin_config("councilplans") or {}
            year = request.args.get("year") if request else None
            bad_years = [name for name in ("year", "start", "end")
                         if request and (request.args.get(name) or "").strip() and sqlfunctions.period(request.args.get(name)) is None]
            q = (request.args.get("q") or "") if request else ""
            theme = (request.args.get("theme") or "") if request else ""
            named = json.loads(sqlfunctions.topic_themes(f"{q} {theme}")) if (q or theme) else []
            return {"param_help": config.get("params", {}), "themes": await theme_options(datasette),
                    "bad_years": bad_years, "year_asked": year, "themes_named": named,
                    "rest_words": sqlfunctions.topic_rest(f"{q} {theme}") if (q or theme) else ""}
        if view_name == "row" and database == DATABASE and table in ("actions", "priorities", "measures") and request:
            return await _record_extra(datasette, db, table, tilde_decode(request.url_vars.get("pks", "")))
        return {}

    return inner


async def _record_extra(datasette, db, table: str, record_id: str) -> dict:
    kind = {"actions": "action", "priorities": "priority", "measures": "measure"}[table]
    record = await _record(db, table, record_id)
    if record is None:
        return {}
    evidence = {}
    for r in await db.execute("select m.theme, t.label, m.evidence from theme_matches m join themes t on t.name = m.theme "
                              "where m.record_id = ? and m.kind = ? order by t.position, m.span_start", [record_id, kind]):
        evidence.setdefault((r["theme"], r["label"]), []).append(r["evidence"])
    fmt = (await db.execute("select format from documents where id = ?", [record["document_id"]])).first()
    view_url = datasette.urls.path(f"/-/source/{quote(record['document_id'])}/text?" + urlencode({kind: record_id})) + "#evidence"
    extra = {"record_themes": [{"name": k[0], "label": k[1], "evidence": list(dict.fromkeys(v)),
                                "url": datasette.urls.query(DATABASE, "search_commitments") + "?" + urlencode({"theme": k[0]})}
                               for k, v in evidence.items()],
             "evidence_url": view_url, "record_format": fmt[0] if fmt else None, "record_kind": kind,
             "region_url": None, "similar": [], "same_pledge": []}
    if fmt and fmt[0] == "pdf" and record["page"] and record["bbox"]:
        extra["region_url"] = datasette.urls.path(
            f"/-/source/{quote(record['document_id'])}/page/{int(record['page'])}.png?" + urlencode({kind: record_id}))
    if table == "actions":
        index = await _similarity(datasette)
        if index:
            elsewhere, same = index.similar(record_id)
            ids = [s.id for s in elsewhere + same]
            info = {}
            if ids:
                marks = ",".join("?" * len(ids))
                for r in await db.execute(f"select a.id, a.page, a.document_id, c.name as council, d.title as document "
                                          f"from actions a join documents d on d.id = a.document_id "
                                          f"left join councils c on c.code = a.council_code where a.id in ({marks})", ids):
                    info[r["id"]] = dict(r)
            def item(s):
                return {**info.get(s.id, {}), "text": s.text, "score": s.score,
                        "url": datasette.urls.row(DATABASE, "actions", quote(s.id))}
            extra["similar"] = [item(s) for s in elsewhere]
            extra["same_pledge"] = [item(s) for s in same]
    return extra
