"""Searching a table of a million rows (issue 11): a search that matches very many rows is
answered from its most recently stored matches, in bounded time.

Datasette answers `?_search=` on a table page with `rowid in (select rowid from <fts> where <fts>
match ...)`: the page's rows, its count and each facet read every matching row, so a search
matching a third of a million commitments ("children") took seconds, whatever the page shows.

Here, before Datasette sees the request, the full-text index is asked whether the search matches
more than `window` rows (it stops counting there: a cheap question). If it does, and the search is
the page's only filter, the request's `_search=Q` becomes `_newest=Q`: the page shows the `window`
most recently stored matches (full-text order, newest first, which the index gives without
sorting), counted, sorted and faceted as usual, and says so ("the 2,000 most recently published
of more than 2,000 matches: add words or a filter"). A search with other filters, a narrower one
and a CSV export are left to Datasette, exact. `_newest=Q` may be used directly, too.

The stored query `search_commitments` bounds itself the same way in its SQL (metadata.yaml).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode

from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, tilde_decode

DATABASE = "councilplans"  # as the plugin publishes it
PLUGIN = "councilplans"  # metadata.yaml: plugins.councilplans
PARAM = "_newest"
WINDOW = 2000  # metadata.yaml may set plugins.councilplans.search_window


def window(datasette) -> int:
    config = datasette.plugin_config(PLUGIN) or {}
    try:
        return max(1, int(config.get("search_window", WINDOW)))
    except (TypeError, ValueError):
        return WINDOW


def _match(raw: bool, name: str) -> str:
    return f":{name}" if raw else f"escape_fts(:{name})"


def _raw(datasette, table: str, args) -> bool:
    mode = args.get("_searchmode") or (datasette.table_metadata(DATABASE, table) or {}).get("searchmode")
    return mode == "raw"


_fts_tables: dict[tuple, str | None] = {}  # (database file, version, table) -> its full-text table


async def _fts_table(datasette, table: str) -> str | None:
    try:
        db = datasette.get_database(DATABASE)
    except KeyError:
        return None
    named = (datasette.table_metadata(DATABASE, table) or {}).get("fts_table")
    if named:
        return named
    key = (db.path, db.hash, table)
    if key not in _fts_tables or db.is_mutable:
        _fts_tables[key] = await db.fts_table(table)
    return _fts_tables[key]


async def matches_more_than(datasette, table: str, q: str, limit: int, raw: bool = False) -> bool | None:
    """Whether the search `q` matches more than `limit` rows of `table` (None: it cannot be asked,
    e.g. a raw query that is not valid FTS5 syntax, which Datasette then reports)."""
    fts = await _fts_table(datasette, table)
    if not fts:
        return None
    sql = (f"select count(*) from (select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)} "
           f"match {_match(raw, 'q')} limit :limit)")
    try:
        count = (await datasette.get_database(DATABASE).execute(sql, {"q": q, "limit": limit + 1})).single_value()
    except Exception:
        return None
    return count > limit


# Query-string keys that filter a table page, besides column filters (which have no leading _).
FILTERING = {"_where", "_through", "_fts_table", "_fts_pk"}


def filters(key: str) -> bool:
    """Whether a query-string key filters a table page's rows (a search included)."""
    return (not key.startswith("_") or "__" in key or key.startswith(("_search", "_filter_")) or key == PARAM
            or key in FILTERING)


def _only_a_search(pairs: list[tuple[str, str]]) -> bool:
    """The query string filters by the search and nothing else."""
    return all(key == "_search" or not filters(key) for key, _ in pairs)


def wrap(datasette, app):
    """ASGI middleware: a table page or JSON (not CSV) whose only filter is a search matching more
    than `window` rows is asked as `_newest=Q` instead of `_search=Q`."""
    prefix = f"/{DATABASE}/"

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method") == "GET" and scope.get("path", "").startswith(prefix):
            await datasette.invoke_startup()  # (once: the plugin's startup names the database)
            scope = await _rewrite(datasette, scope)
        return await app(scope, receive, send)

    return wrapped


async def _rewrite(datasette, scope):
    rest = scope["path"][len(DATABASE) + 2:]
    if not rest or "/" in rest or rest.endswith(".csv"):
        return scope
    table = tilde_decode(unquote(rest[:-5] if rest.endswith(".json") else rest))
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(query, keep_blank_values=True)
    keys = [k for k, _ in pairs]
    if "_search" not in keys:
        return scope
    kept = [(k, v) for k, v in pairs if k != PARAM]  # a new search replaces an earlier bounded one
    q = next(v for k, v in pairs if k == "_search").strip()
    if q and keys.count("_search") == 1 and _only_a_search(kept):
        raw = _raw(datasette, table, dict(kept))
        if await matches_more_than(datasette, table, q, window(datasette), raw):
            kept = [(k, v) if k != "_search" else (PARAM, v) for k, v in kept]
    if kept != pairs:
        scope = dict(scope, query_string=urlencode(kept).encode("latin-1"))
    return scope


async def filters_from_request(request, database, table, datasette):
    """`_newest=Q`: the `window` most recently stored rows matching Q (full-text order)."""
    q = request.args.get(PARAM)
    if database != DATABASE or not table or q is None:
        return None
    fts = await _fts_table(datasette, table)
    if not fts:
        return None
    size = window(datasette)
    raw = _raw(datasette, table, request.args)
    clause = (f"rowid in (select rowid from {escape_sqlite(fts)} where {escape_sqlite(fts)} match {_match(raw, 'newest')} "
              f"order by rowid desc limit {size})")
    description = (f'search matches "{q}": the {size:,} most recently published of more than {size:,} matches '
                   "(add words or a filter to narrow it)")
    return FilterArguments([clause], {"newest": q}, [description], {"search": q, "supports_search": True})
