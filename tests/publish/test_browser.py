"""The four journeys, walked in headless Chromium against `datasette serve` (the arguments
`councilplans serve` uses), each ending with a screenshot of what a person sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.browser


def column(page, name: str) -> list[str]:
    """The texts of one column of the results table."""
    return [t.strip() for t in page.locator(f"table.rows-and-columns td.col-{name}").all_inner_texts()]


def test_journey_1_search_filter_and_export(page, screenshot):
    page.goto("/")
    page.fill("#search-q", "attendance")
    page.click("text=Search commitments >> nth=-1")
    page.wait_for_url(re.compile(r"/councilplans/search_commitments\?q=attendance"))
    councils = column(page, "council")
    assert len(set(councils)) >= 2, councils
    assert any("attendance" in t.lower() for t in column(page, "commitment"))

    # Filter by council (the form on the results page keeps the topic).
    page.fill("input[name=council]", "Gateshead")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_url(re.compile(r"council=Gateshead"))
    assert set(column(page, "council")) == {"Gateshead"}

    # Filter by priority words and deadline year instead.
    page.goto("/councilplans/search_commitments?q=&priority=early+intervention&year=2020")
    assert column(page, "year") and set(column(page, "year")) == {"2020"}
    assert all("intervention" in p.lower() for p in column(page, "priority"))

    # Back to the topic across all councils, and export it.
    page.goto("/councilplans/search_commitments?q=attendance")
    screenshot(page, "journey-1")
    csv_url = page.get_attribute("a:text-is('CSV')", "href")
    response = page.request.get(csv_url)
    assert response.ok
    header = response.text().splitlines()[0]
    assert header.startswith("council,commitment,priority,deadline,due_by,year")
    assert len(response.text().splitlines()) == len(councils) + 1


def test_journey_1_faceted_browsing(page):
    page.goto("/")
    page.click("text=browse all commitments")
    page.fill("#_search", "attendance")
    page.press("#_search", "Enter")
    page.wait_for_url(re.compile(r"_search=attendance"))
    facet = page.locator(".facet-info[data-column=council_code]")
    assert facet.locator("li").count() >= 2
    facet.locator("a", has_text="Gateshead").first.click()
    page.wait_for_url(re.compile(r"council_code=GAT"))
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1


def test_journey_2_compare_councils(page, screenshot):
    page.goto("/")
    page.click("text=Choose councils to compare")
    page.check("input[name=council][value=GAT]")
    page.check("input[name=council][value=RCC]")
    page.fill("#compare-q", "attendance")
    page.click("input[type=submit][value=Compare]")
    page.wait_for_url(re.compile(r"/-/compare\?council=GAT&council=RCC"))
    columns = page.locator(".compare-column")
    assert columns.count() == 2
    gateshead, redcar = page.locator(".compare-column[data-council=GAT]"), page.locator(".compare-column[data-council=RCC]")
    assert "Positive relationships and identity" in gateshead.inner_text()
    assert "Children achieve well" in redcar.inner_text()
    assert int(redcar.locator(".count").first.inner_text()) > 0
    topic = page.locator("table.topic-table")
    assert topic.locator("tr", has_text="Gateshead").locator("td.yes").count() == 1
    assert topic.locator("tr", has_text="Redcar and Cleveland").locator("td.no").count() == 1
    screenshot(page, "journey-2")

    # Which councils have no commitment on a topic at all.
    page.goto("/")
    page.fill("#coverage-q", "foster carers")
    page.click("input[type=submit][value='Show councils']")
    page.wait_for_url(re.compile(r"topic_coverage\?q=foster"))
    assert "no" in column(page, "has_commitments") and "yes" in column(page, "has_commitments")


def test_journey_3_delivery(page, screenshot):
    today = dt.date.today().isoformat()
    page.goto("/")
    page.fill("#due-start", "2021")
    page.fill("input[name=end]", "2021")
    page.click("input[type=submit][value=Show]")
    page.wait_for_url(re.compile(r"due_between\?start=2021&end=2021"))
    due = column(page, "due_by")
    assert due and all(d.startswith("2021-") for d in due)

    page.goto("/")
    page.click("text=Performance measures with their baselines")
    page.wait_for_url(re.compile(r"/councilplans/measures_with_baselines"))
    assert "425" in column(page, "baseline")

    page.goto("/")
    page.click("text=Commitments past their deadline")
    page.wait_for_url(re.compile(r"/councilplans/overdue"))
    due = column(page, "due_by")
    assert due and all(d < today for d in due), due
    assert all(int(n) > 0 for n in column(page, "days_overdue"))
    screenshot(page, "journey-3")


def test_journey_4_trace_to_the_source_page(page, screenshot):
    page.goto("/councilplans/search_commitments?q=foster+carers")
    # The record page of the first result shows the exact source text ...
    page.locator("td.col-action_id a").first.click()
    page.wait_for_url(re.compile(r"/councilplans/actions/[0-9a-f]+$"))
    source_text = page.locator("tr.field-source_text td").inner_text().strip()
    assert source_text
    link = page.locator("tr.field-page a.source-page")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/-/source/[0-9a-f]+#page=\d+", href), href
    screenshot(page, "journey-4")
    # ... and its page link opens the source document at that page.
    link.click()
    page.wait_for_url(re.compile(r"/-/source/[0-9a-f]+#page=\d+$"))
    assert " ".join(source_text.split())[:30] in " ".join(page.inner_text("body").split())
