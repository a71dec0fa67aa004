"""Serving a million commitments (issue 11): what keeps the table pages and the search bounded.

These check the structure (where facet counts come from, which rows a broad search reads, the
stored query's plan), not timings: benchmarks/bench_search.py measures those.
"""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
import yaml
from datasette.app import Datasette
from datasette.utils import escape_fts

from pipeline.publish import METADATA, PLUGINS_DIR, SETTINGS, STATIC_DIR, STATIC_MOUNT, TEMPLATES_DIR, search, sqlfunctions
from pipeline.publish.enrich import FACETS


def datasette_with(path, **plugin_config) -> Datasette:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["plugins"]["councilplans"].update(plugin_config)
    return Datasette(immutables=[str(path)], metadata=metadata, plugins_dir=str(PLUGINS_DIR), template_dir=str(TEMPLATES_DIR),
                     static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))], settings=SETTINGS)


def facets_of(body: dict) -> dict[str, dict]:
    return {name: {str(v["value"]): v["count"] for v in facet["results"]} for name, facet in body["facet_results"].items()}


@pytest.mark.parametrize("table", sorted(FACETS))
async def test_a_table_page_shows_its_default_facets_with_datasettes_own_counts(ds, table):
    # The counted facets without filters (from facet_counts) against Datasette's own facets,
    # which count every row: the same values and counts, under the same names and types.
    ours = (await ds.client.get(f"/councilplans/{table}.json", params={"_facet_size": "max"})).json()
    asked = [("_facet" if kind == "column" else "_facet_array", column) for column, kind in FACETS[table].items()]
    theirs = (await ds.client.get(f"/councilplans/{table}.json", params=[*asked, ("_facet_size", "max")])).json()
    counted, builtin = facets_of(ours), facets_of(theirs)
    for column, kind in FACETS[table].items():
        assert counted[column] == builtin[f"{column}_2"], column
        assert ours["facet_results"][column]["type"] == kind
    assert counted["council_code"] and counted["themes"]


async def test_without_filters_the_facets_are_read_from_the_counts_the_store_keeps(publish_db_path, tmp_path):
    # Change the stored counts (and nothing else): the page's facets follow them, so the page did
    # not count the rows themselves. With a filter, the rows are counted.
    path = tmp_path / "changed.db"
    shutil.copyfile(publish_db_path, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE facet_counts SET count = count + 1000 WHERE rowid = (SELECT min(rowid) FROM facet_counts "
                     "WHERE table_name = 'actions' AND facet = 'strength' AND value = 'firm')")
    real = conn.execute("SELECT count(*) FROM actions WHERE strength = 'firm'").fetchone()[0]
    code = conn.execute("SELECT council_code FROM actions WHERE strength = 'firm' LIMIT 1").fetchone()[0]
    in_council = conn.execute("SELECT count(*) FROM actions WHERE strength = 'firm' AND council_code = ?", [code]).fetchone()[0]
    conn.close()
    ds = datasette_with(path)
    unfiltered = facets_of((await ds.client.get("/councilplans/actions.json")).json())
    assert unfiltered["strength"]["firm"] == real + 1000
    filtered = facets_of((await ds.client.get("/councilplans/actions.json", params={"council_code": code})).json())
    assert filtered["strength"]["firm"] == in_council


async def test_facet_links_select_and_unselect_a_value(ds):
    body = (await ds.client.get("/councilplans/actions.json")).json()
    theme = body["facet_results"]["themes"]["results"][0]
    assert "themes__arraycontains=" in theme["toggle_url"]
    council = body["facet_results"]["council_code"]["results"][0]
    assert council["label"] != council["value"]  # the council's name, as Datasette's own facet shows it
    chosen = (await ds.client.get(council["toggle_url"].replace("http://localhost", ""))).json()
    selected = [v for v in chosen["facet_results"]["council_code"]["results"] if v["selected"]]
    assert [v["value"] for v in selected] == [council["value"]] and chosen["filtered_table_rows_count"] == council["count"]


def fts_rowids(path, q: str) -> list[int]:
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, escape_fts)
    try:
        return [r[0] for r in conn.execute("SELECT rowid FROM actions_fts WHERE actions_fts MATCH escape_fts(?) ORDER BY rowid DESC", [q])]
    finally:
        conn.close()


async def test_a_search_matching_more_than_the_window_reads_only_its_newest_matches(publish_db_path):
    matches = fts_rowids(publish_db_path, "children")
    assert len(matches) > 3
    ds = datasette_with(publish_db_path, search_window=3)
    body = (await ds.client.get("/councilplans/actions.json", params={"_search": "children", "_col": "text"})).json()
    assert body["filtered_table_rows_count"] == 3
    assert "3 most recently published of more than 3 matches" in body["human_description_en"]
    assert body["next_url"] is None or "_newest=children" in body["next_url"]
    assert set(body["facet_results"]) == {"council_code", "themes", "strength"}  # counted over those 3
    assert sum(v["count"] for v in body["facet_results"]["strength"]["results"]) == 3
    newest = await ds.client.get("/councilplans/actions.json", params={"_newest": "children", "_shape": "array", "_col": "text"})
    conn = sqlite3.connect(publish_db_path)
    shown = {conn.execute("SELECT rowid FROM actions WHERE id = ?", [r["id"]]).fetchone()[0] for r in newest.json()}
    conn.close()
    assert shown == set(matches[:3])
    html = (await ds.client.get("/councilplans/actions", params={"_search": "children"})).text
    assert 'value="children"' in html and "most recently published" in html


async def test_a_narrow_search_a_filtered_search_and_a_csv_are_exact(publish_db_path):
    ds = datasette_with(publish_db_path, search_window=3)
    few = "signs of safety"
    assert 0 < len(fts_rowids(publish_db_path, few)) <= 3
    body = (await ds.client.get("/councilplans/actions.json", params={"_search": few})).json()
    assert body["filtered_table_rows_count"] == len(fts_rowids(publish_db_path, few))
    assert "most recently" not in body["human_description_en"]
    conn = sqlite3.connect(publish_db_path)
    code, = conn.execute("SELECT council_code FROM actions WHERE text LIKE '%children%' GROUP BY 1 ORDER BY count(*) DESC").fetchone()
    conn.close()
    body = (await ds.client.get("/councilplans/actions.json", params={"_search": "children", "council_code": code})).json()
    assert body["filtered_table_rows_count"] > 3 and "most recently" not in body["human_description_en"]
    csv = await ds.client.get("/councilplans/actions.csv", params={"_search": "children", "_size": "max"})
    assert csv.text.count("\n") - 1 == len(fts_rowids(publish_db_path, "children"))
    # A new search from a page of an earlier broad one replaces it.
    body = (await ds.client.get("/councilplans/actions.json", params={"_newest": "children", "_search": few})).json()
    assert body["filtered_table_rows_count"] == len(fts_rowids(publish_db_path, few))


def test_the_stored_search_and_the_table_pages_bound_a_search_alike():
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    sql = metadata["databases"]["councilplans"]["queries"]["search_commitments"]["sql"]
    window = metadata["plugins"]["councilplans"].get("search_window", search.WINDOW)
    assert f"then {window} else -1 end as window" in sql


def stored_query_plan(path, **params) -> list[str]:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    sql = metadata["databases"]["councilplans"]["queries"]["search_commitments"]["sql"]
    conn = sqlite3.connect(path)
    sqlfunctions.register(conn)
    conn.create_function("escape_fts", 1, escape_fts)
    params = {"q": "", "theme": "", "council": "", "priority": "", "year": "", **params}
    try:
        return [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    finally:
        conn.close()


@pytest.mark.parametrize("q", ["children", "foster carers", ""])
def test_the_stored_search_reads_candidates_through_the_index_and_never_a_whole_table(publish_db_path, q):
    plan = stored_query_plan(publish_db_path, q=q)
    scans = [d for d in plan if re.match(r"SCAN (actions|theme_matches|action_priorities|priorities|documents)\b", d)
             and "USING" not in d]
    # (the newest actions, when nothing is asked, are read backwards by rowid with a limit: a SCAN
    # of actions without a sort; every other read of a table is a SEARCH through an index)
    assert all(d == "SCAN actions" for d in scans), scans
    assert "SCAN actions_fts VIRTUAL TABLE INDEX" in " ".join(plan)
    assert not any("USE TEMP B-TREE FOR ORDER BY" in d and "words" in d for d in plan)


async def test_the_stored_search_lists_word_matches_by_rank(ds, publish_db_path):
    # Best first: FTS5's rank (bm25, lower is better) of each listed commitment, in order.
    rows = (await ds.client.get("/councilplans/search_commitments.json", params={"q": "children", "_shape": "array"})).json()
    conn = sqlite3.connect(publish_db_path)
    conn.create_function("escape_fts", 1, escape_fts)
    rank = dict(conn.execute("SELECT a.id, f.rank FROM actions_fts f JOIN actions a ON a.rowid = f.rowid "
                             "WHERE actions_fts MATCH escape_fts('children')"))
    conn.close()
    ranks = [rank[r["action_id"]] for r in rows]
    assert len(ranks) > 3 and ranks == sorted(ranks)


async def test_a_later_page_of_the_table_shows_the_whole_tables_facets(ds):
    first = (await ds.client.get("/councilplans/actions.json")).json()
    later = (await ds.client.get(first["next_url"].replace("http://localhost", ""))).json()
    assert facets_of(later) == facets_of(first)
