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
        ({"q": "foster carers"}, lambda r: len({x["council"] for x in r}) >= 3),
        ({"q": "foster carers"}, lambda r: any("foster carers" in x["commitment"].lower() for x in r)),
        # the theme, whatever the wording: "Foster Care offer" and "foster carer recruitment" both count
        ({"q": "foster carers"}, lambda r: any("Foster Care offer" in x["commitment"] for x in r)
                                            and any("foster carer recruitment" in x["commitment"] for x in r)),
        # a progress note elsewhere in a table row does not make a commitment about the topic
        ({"q": "foster carers", "council": "GAT"}, lambda r: r == []),
        ({"q": "", "theme": "fostering"}, lambda r: r and all("fostering" in x["themes"] for x in r)),
        ({"q": "recruitment", "theme": "fostering"}, lambda r: r and all("recruit" in x["commitment"].lower() for x in r)),
        ({"q": "signs of safety"}, lambda r: len(r) == 2 and all("Signs of Safety" in x["commitment"] for x in r)),
        ({"q": "school attendance"}, lambda r: r and all("attendance" in x["themes"] for x in r)),
        ({"q": "attendance", "council": "GAT"}, lambda r: r and {x["council"] for x in r} == {"Gateshead"}),
        ({"q": "attendance", "council": "gateshead"}, lambda r: r and {x["council"] for x in r} == {"Gateshead"}),
        ({"q": "foster carers", "council": "RCC,BPC"}, lambda r: len({x["council"] for x in r}) == 2),
        ({"q": "", "council": "BCP"}, lambda r: r and {x["council"] for x in r} == {"Bournemouth, Christchurch and Poole"}),
        ({"q": "", "council": "E06000003"}, lambda r: r and {x["council"] for x in r} == {"Redcar and Cleveland"}),
        ({"q": "", "council": "Bournemouth, Christchurch and Poole, gateshead"}, lambda r: len({x["council"] for x in r}) == 2),
        ({"q": "", "council": "Nowhere Borough"}, lambda r: r == []),
        ({"q": "", "year": "2021"}, lambda r: r and {x["year"] for x in r} == {2021}),
        ({"q": "", "year": "2021/22"}, lambda r: r and all("2021-04-01" <= x["due_by"] <= "2022-03-31" for x in r)),
        ({"q": "", "year": "2021-22"}, lambda r: r and all("2021-04-01" <= x["due_by"] <= "2022-03-31" for x in r)),
        ({"q": "", "year": "twenty"}, lambda r: r == []),
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


async def test_search_exports_csv_as_a_download_with_source_page_and_gss_code(ds):
    response = await ds.client.get("/councilplans/search_commitments.csv", params={"q": "foster carers", "_size": "max"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="search_commitments.csv"'
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) >= 3
    assert {"council", "commitment", "page", "gss_code", "source_url", "themes"} <= set(rows[0])
    assert all(r["page"].isdigit() and r["gss_code"].startswith("E0") for r in rows)


async def test_compare_councils_lists_each_chosen_councils_priorities_with_counts(ds):
    result = await rows(ds, "compare_councils", councils="GAT, Redcar and Cleveland")
    assert {x["council"] for x in result} == {"Gateshead", "Redcar and Cleveland"}
    assert sum(x["commitments"] for x in result) > 0


@pytest.mark.parametrize(("q", "has", "has_not"), [("foster carers", "Redcar and Cleveland", "Gateshead"),
                                                  ("foster care", "Redcar and Cleveland", "Gateshead"),
                                                  ("fostering", "South Gloucestershire", "Gateshead"),
                                                  ("school attendance", "Bournemouth, Christchurch and Poole", "South Gloucestershire")])
async def test_topic_coverage_and_councils_without_topic(ds, q, has, has_not):
    coverage = {x["council"]: x for x in await rows(ds, "topic_coverage", q=q)}
    assert coverage[has]["has_commitments"] == "yes" and coverage[has_not]["has_commitments"] == "no"
    # Norfolk's only document is an inspection report: not "no", but "no plan".
    assert coverage["Norfolk"]["has_commitments"] == "no plan" and coverage["Norfolk"]["plans"] == 0
    without = {x["council"]: x["answer"] for x in await rows(ds, "councils_without_topic", q=q)}
    assert without[has_not] == "no" and without["Norfolk"] == "no plan" and has not in without
    assert await rows(ds, "councils_without_topic", q="") == []


async def test_a_theme_question_gets_the_same_answer_for_two_wordings(ds):
    def answer(result):
        return {x["council"]: (x["has_commitments"], x["commitments"]) for x in result}

    assert answer(await rows(ds, "topic_coverage", q="foster carers")) == answer(await rows(ds, "topic_coverage", q="foster care"))
    assert answer(await rows(ds, "topic_coverage", q="foster care")) == answer(await rows(ds, "topic_coverage", theme="fostering"))


async def test_themes_by_council(ds):
    result = await rows(ds, "themes_by_council", theme="fostering")
    assert {x["council"] for x in result} >= {"Redcar and Cleveland", "South Gloucestershire", "Bournemouth, Christchurch and Poole"}
    assert all(x["theme"] == "Fostering" and "foster" in x["evidence"] for x in result)


@pytest.mark.parametrize(
    ("start", "end", "lo", "hi"),
    [("2021", "2021", "2021-01-01", "2021-12-31"), ("2020-06", "2020-08", "2020-06-01", "2020-08-31"),
     ("2021/22", "2021/22", "2021-04-01", "2022-03-31"), ("2021-22", "2021-22", "2021-04-01", "2022-03-31"),
     ("2020-06-30", "2020-06-30", "2020-06-30", "2020-06-30"), ("", "2020-07", "0000", "2020-07-31")],
)
async def test_due_between(ds, start, end, lo, hi):
    result = await rows(ds, "due_between", start=start, end=end)
    assert result and all(lo <= x["due_by"] <= hi for x in result)
    assert [x["due_by"] for x in result] == sorted(x["due_by"] for x in result)


async def test_overdue_is_relative_to_today(ds):
    result = await rows(ds, "overdue")
    assert result and all(x["due_by"] < TODAY and x["days_overdue"] > 0 for x in result)


async def test_a_commitment_reported_completed_is_not_overdue(ds):
    overdue = await rows(ds, "overdue")
    assert not any((x["deadline"] or "").startswith("Completed") for x in overdue)
    assert all(x["progress"] != "completed" for x in overdue)
    everything = await rows(ds, "search_commitments", q="housing protocol", council="RCC")
    assert [x["progress"] for x in everything] == ["completed"]


async def test_overdue_for_one_council(ds):
    result = await rows(ds, "overdue", council="Redcar")
    assert result and {x["council"] for x in result} == {"Redcar and Cleveland"}


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
