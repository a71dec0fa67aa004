"""The stored queries behind the journeys, through Datasette's JSON API (in-process)."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date.today().isoformat()


async def rows(ds, query: str, **params) -> list[dict]:
    response = await ds.client.get(f"/councilplans/{query}.json", params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"q": "school attendance"}, lambda r: len({x["council"] for x in r}) >= 2),
        ({"q": "foster carers"}, lambda r: any("foster carers" in x["commitment"].lower() for x in r)),
        ({"q": "attendance", "council": "GAT"}, lambda r: r and {x["council"] for x in r} == {"Gateshead"}),
        ({"q": "attendance", "council": "gateshead"}, lambda r: r and {x["council"] for x in r} == {"Gateshead"}),
        ({"q": "attendance", "council": "GAT,BPC"}, lambda r: len({x["council"] for x in r}) == 2),
        ({"q": "", "year": "2021"}, lambda r: r and {x["year"] for x in r} == {2021}),
        ({"q": "care", "priority": "aspirational"}, lambda r: r and all("aspirational" in x["priority"].lower() for x in r)),
        ({"q": '"unbalanced quote'}, lambda r: r == []),
        ({"q": "zzzz-no-such-word"}, lambda r: r == []),
    ],
)
async def test_search_commitments(ds, params, check):
    result = await rows(ds, "search_commitments", **params)
    assert check(result), result[:3]


async def test_search_results_carry_their_source(ds):
    for row in await rows(ds, "search_commitments", q="attendance"):
        assert row["page"] >= 1 and row["source_text"] and row["document_id"] and row["document"]


async def test_search_exports_csv_with_a_header(ds):
    response = await ds.client.get("/councilplans/search_commitments.csv", params={"q": "attendance", "_size": "max"})
    assert response.status_code == 200
    header, *lines = response.text.splitlines()
    assert header.startswith("council,commitment,priority,deadline,due_by,year")
    assert len(lines) >= 2


async def test_compare_councils_lists_each_chosen_councils_priorities_with_counts(ds):
    result = await rows(ds, "compare_councils", councils="GAT, Redcar and Cleveland")
    assert {x["council"] for x in result} == {"Gateshead", "Redcar and Cleveland"}
    assert sum(x["commitments"] for x in result) > 0


@pytest.mark.parametrize(("q", "has", "has_not"), [("attendance", "Gateshead", "South Gloucestershire")])
async def test_topic_coverage_and_councils_without_topic(ds, q, has, has_not):
    coverage = {x["council"]: x for x in await rows(ds, "topic_coverage", q=q)}
    assert coverage[has]["has_commitments"] == "yes" and coverage[has_not]["has_commitments"] == "no"
    without = {x["council"] for x in await rows(ds, "councils_without_topic", q=q)}
    assert has_not in without and has not in without
    assert await rows(ds, "councils_without_topic", q="") == []


@pytest.mark.parametrize(
    ("start", "end", "lo", "hi"),
    [("2021", "2021", "2021-01-01", "2021-12-31"), ("2020-06", "2020-08", "2020-06-01", "2020-08-31"),
     ("2020-06-30", "2020-06-30", "2020-06-30", "2020-06-30"), ("", "2020-07", "0000", "2020-07-31")],
)
async def test_due_between(ds, start, end, lo, hi):
    result = await rows(ds, "due_between", start=start, end=end)
    assert result and all(lo <= x["due_by"] <= hi for x in result)
    assert [x["due_by"] for x in result] == sorted(x["due_by"] for x in result)


async def test_overdue_is_relative_to_today(ds):
    result = await rows(ds, "overdue")
    assert result and all(x["due_by"] < TODAY and x["days_overdue"] > 0 for x in result)


async def test_measures_with_baselines(ds):
    result = await rows(ds, "measures_with_baselines")
    assert result and all(x["baseline"] for x in result)
    assert any(x["baseline"] == "425" and x["as_at"] == "2024-09-30" for x in result)
    assert {x["council"] for x in await rows(ds, "measures_with_baselines", council="RCC")} == {"Redcar and Cleveland"}


async def test_full_text_search_across_every_record_kind(ds):
    response = await ds.client.get("/-/search", params={"q": "attendance"})
    assert response.status_code == 200
    for table in ("actions", "priorities", "measures"):
        assert f"/councilplans/{table}" in response.text
    for table in ("actions", "priorities", "measures"):
        assert (await ds.client.get(f"/councilplans/{table}.json", params={"_search": "attendance"})).status_code == 200
