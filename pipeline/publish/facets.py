"""Facets that stay fast on a table of a million rows (issue 11), registered by the plugin.

Datasette's own facets count every row the page shows: a table's page without filters reads
the whole table for each facet, and its array facet (`{array: themes}`) builds a distinct copy of
every row first, so at a million commitments the themes facet timed out and vanished and the
others took most of two seconds. These are the same facets with the same results, toggles and
labels, counted differently:

- `counted` (one value a row, like `column`) and `counted_array` (a JSON list a row, like
  `array`): on a page without filters, the counts come from `facet_counts`, which the store keeps
  per document (pipeline/publish/enrich.py: `FACETS`): a few rows per document, not every row.
- With a filter or a search they count the rows shown, as Datasette does, within
  `facet_time_limit_ms`; the array facet counts with `json_each` alone (the store writes each
  list without repeats). A search matching very many rows is bounded before it gets here
  (pipeline/publish/search.py).

metadata.yaml names them like any facet: `facets: [{counted: council_code}, {counted_array: themes}]`.
"""

from __future__ import annotations

import json
import re

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from pipeline.publish.search import filters

# Per database file and version: the facets it has counts for ({table: {column: kind}}).
_counted: dict[tuple, dict] = {}


async def counted_facets(datasette, database: str) -> dict[str, dict[str, str]]:
    """The facets `facet_counts` holds counts for in this database (empty for an older one)."""
    db = datasette.get_database(database)
    key = (db.path, db.hash)
    if key not in _counted:
        try:
            row = (await db.execute("select value from store_meta where key = 'facet_counts'")).first()
            _counted[key] = json.loads(row[0]) if row else {}
        except Exception:  # no store_meta (not a councilplans database), or unreadable
            _counted[key] = {}
    return _counted[key]


class CountedFacet(Facet):
    """`counted`: a column facet; without filters, counted from `facet_counts`."""

    type = "counted"
    shown_as = "column"  # the type the page and the JSON show, as Datasette's own facet would
    kind = "column"

    async def suggest(self):
        return []

    def _unfiltered(self) -> bool:
        """The page shows the whole table: no filter, no search (a later page of it included:
        Datasette adds the page's start to the facets' SQL as if it were a filter)."""
        if not self.table or any(filters(key) for key, _ in self.get_querystring_pairs()):
            return False
        table = escape_sqlite(self.table)
        return "_next" in self.request.args or (not self.params and re.fullmatch(
            rf"select .* from {re.escape(table)}\s*", self.sql, re.S) is not None)

    def _sql(self, column: str, limit: int) -> str:
        """The facet counted over the page's rows, as Datasette counts them."""
        col = escape_sqlite(column)
        if self.kind == "array":
            # Each row's list holds a value once (the store writes them so): count the rows.
            return (f"select j.value as value, count(*) as count from rows, "
                    f"json_each(case when json_valid(rows.{col}) then rows.{col} end) j "
                    f"group by j.value order by count desc, value limit {limit}")
        return f"select {col} as value, count(*) as count from rows where {col} is not null group by {col} order by count desc, value limit {limit}"

    async def _all_rows(self, columns: list[str], limit: int) -> dict[str, list]:
        """Each column's facet rows (value, count), in one query for them all: read from
        `facet_counts` when the page shows the whole table, else counted over its rows. Raises
        QueryInterrupted past `facet_time_limit_ms`."""
        counted = (await counted_facets(self.ds, self.database)).get(self.table, {}) if self._unfiltered() else {}
        stored = [c for c in columns if counted.get(c) == self.kind]
        out: dict[str, list] = {c: [] for c in columns}
        limit_ms = self.ds.setting("facet_time_limit_ms")
        if stored:
            marks = ", ".join(f":f{k}" for k in range(len(stored)))
            result = await self.ds.execute(
                self.database, "select facet, value, sum(count) as count from facet_counts where table_name = :table "
                f"and facet in ({marks}) group by facet, value",
                {"table": self.table, **{f"f{k}": c for k, c in enumerate(stored)}}, truncate=False, custom_time_limit=limit_ms)
            for facet, value, count in result.rows:
                out[facet].append({"value": value, "count": count})
        rest = [c for c in columns if c not in stored]
        if rest:
            names = ", ".join(dict.fromkeys(escape_sqlite(c) for c in rest))
            parts = " union all ".join(f"select {k} as facet, * from ({self._sql(c, limit)})" for k, c in enumerate(rest))
            result = await self.ds.execute(
                self.database, f"with rows as materialized (select {names} from ({self.sql})) {parts}", self.params,
                truncate=False, custom_time_limit=limit_ms)
            for facet, value, count in result.rows:
                out[rest[facet]].append({"value": value, "count": count})
        # As SQLite orders them: by count, then numbers before text.
        return {c: sorted(rows, key=lambda r: (-r["count"], isinstance(r["value"], str), r["value"]))[:limit]
                for c, rows in out.items()}

    def _toggle(self, column: str, value) -> tuple[str, str]:
        """The query-string key and value that select `value`."""
        if self.kind == "array":
            return f"{column}__arraycontains", str(value)
        return (f"{column}__exact" if column.startswith("_") else column), str(value)

    async def facet_results(self):
        facet_results, facets_timed_out = [], []
        pairs = self.get_querystring_pairs()
        facet_size = self.get_facet_size()
        configs = [(c["config"].get("column") or c["config"]["simple"], c["source"]) for c in self.get_configs()]
        if not configs:
            return [], []
        try:
            counts = await self._all_rows([column for column, _ in configs], facet_size + 1)
        except QueryInterrupted:
            return [], [column for column, _ in configs]
        for column, source in configs:
            rows = counts[column]
            shown = rows[:facet_size]
            labels = {}
            if self.table and self.kind == "column":
                labels = await self.ds.expand_foreign_keys(self.database, self.table, column, [r["value"] for r in shown])
            values = []
            for row in shown:
                key, value = self._toggle(column, row["value"])
                selected = (key, value) in pairs
                toggle = (path_with_removed_args(self.request, {key: value}) if selected
                          else path_with_added_args(self.request, {key: row["value"] if self.kind == "column" else value}))
                values.append({
                    "value": row["value"] if self.kind == "column" else value,
                    "label": labels.get((column, row["value"]), row["value"] if self.kind == "column" else value),
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                    "selected": selected,
                })
            facet_results.append({
                "name": column,
                "type": self.shown_as,
                "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
                "results": values,
                "truncated": len(rows) > facet_size,
            })
        return facet_results, facets_timed_out


class CountedArrayFacet(CountedFacet):
    """`counted_array`: an array facet (a JSON list in each row); without filters, counted from
    `facet_counts`."""

    type = "counted_array"
    shown_as = "array"
    kind = "array"


FACET_CLASSES = [CountedFacet, CountedArrayFacet]
