"""The journeys, walked in headless Chromium against `datasette serve` (the arguments
`councilplans serve` uses), each ending with a screenshot of what a person sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

pytestmark = pytest.mark.browser


def column(page, name: str) -> list[str]:
    """The texts of one column of the results table."""
    return [t.strip() for t in page.locator(f"table.rows-and-columns td.col-{name}").all_inner_texts()]


def answers(page) -> dict[str, str]:
    """Council -> has_commitments, from a topic_coverage page."""
    return dict(zip(column(page, "council"), column(page, "has_commitments")))


def test_journey_1_search_with_highlights_filter_and_download(page, screenshot):
    page.goto("/")
    page.fill("#search-q", "foster carers")
    page.click("text=Search commitments >> nth=-1")
    page.wait_for_url(re.compile(r"/councilplans/search_commitments\?q=foster\+carers"))
    councils = column(page, "council")
    assert len(set(councils)) >= 3, councils
    # Why each matched: the theme's words, highlighted, however the plan words them.
    marks = {m.lower() for m in page.locator("td.col-commitment mark").all_inner_texts()}
    assert {"foster care", "foster carer"} <= marks, marks
    assert page.locator("label[for=qp-q]").inner_text() == "Topic"
    assert page.locator("p.topic-note").inner_text().startswith("Answered by theme: Fostering")
    page.goto("/councilplans/search_commitments?q=foster+carers&council=BCP%2C+RCC%2C+SGC")  # the bundled councils only
    screenshot(page, "journey-1")
    page.goto("/councilplans/search_commitments?q=foster+carers")

    # Filter by council with the abbreviation people use (the register's code is BPC).
    page.fill("input[name=council]", "BCP")
    page.click("input[type=submit][value=Show]")
    page.wait_for_url(re.compile(r"council=BCP"))
    assert set(column(page, "council")) == {"Bournemouth, Christchurch and Poole"}

    # A financial year as people write it.
    page.goto("/councilplans/search_commitments?q=&year=2021%2F22")
    due = column(page, "due_by")
    assert due and all("2021-04-01" <= d <= "2022-03-31" for d in due), due

    # The CSV downloads as a file with the source page and GSS code.
    page.goto("/councilplans/search_commitments?q=foster+carers")
    with page.expect_download() as info:
        page.click("a:text-is('CSV')")
    download = info.value
    assert download.suggested_filename == "search_commitments.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert len(rows) == len(councils)
    assert all(r["page"].isdigit() and re.fullmatch(r"E\d{8}", r["gss_code"]) for r in rows)
    assert "source_url" in rows[0]
    page.locator("p.result-count").scroll_into_view_if_needed()
    screenshot(page, "csv-download", clip={"x": 0, "y": 0, "width": 1280, "height": 700})


def test_journey_1_faceted_browsing(page):
    page.goto("/")
    page.click("text=browse all commitments")
    page.fill("#_search", "carers")
    page.press("#_search", "Enter")
    page.wait_for_url(re.compile(r"_search=carers"))
    facet = page.locator(".facet-info[data-column=council_code]")
    assert facet.locator("li").count() >= 2
    assert page.locator(".facet-info[data-column=themes]").count() == 1
    facet.locator("a", has_text="Redcar and Cleveland").first.click()
    page.wait_for_url(re.compile(r"council_code=RCC"))
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1


def test_a_theme_question_is_answered_the_same_for_two_wordings(page, screenshot):
    results = {}
    for wording in ("foster carers", "foster care"):
        page.goto("/")
        page.fill("#coverage-q", wording)
        page.click("input[type=submit][value='Show councils']")
        page.wait_for_url(re.compile(r"topic_coverage\?q=foster"))
        results[wording] = answers(page)
    assert results["foster carers"] == results["foster care"]
    assert results["foster care"]["Redcar and Cleveland"] == "yes"  # "foster carer recruitment"
    assert results["foster care"]["Bournemouth, Christchurch and Poole"] == "yes"  # "the Foster Care offer"
    assert results["foster care"]["Gateshead"] == "no"  # only a progress note mentions foster carers
    screenshot(page, "theme-two-wordings")


def test_a_council_without_a_plan_is_no_plan_not_no(page, screenshot):
    page.goto("/councilplans/topic_coverage?q=school+attendance")
    result = answers(page)
    assert result["Norfolk"] == "no plan"
    assert result["South Gloucestershire"] == "no"
    assert page.locator("td.answer-no-plan").count() >= 1
    screenshot(page, "no-plan")
    page.goto("/councilplans/councils_without_topic?q=school+attendance")
    without = dict(zip(column(page, "council"), column(page, "answer")))
    assert without["Norfolk"] == "no plan" and without["South Gloucestershire"] == "no"
    page.goto("/-/themes")
    assert page.locator("tr[data-theme=attendance] td[data-council=NFK]").inner_text() == "no plan"


def test_journey_2_compare_councils(page, screenshot):
    page.goto("/")
    page.click("text=Choose councils to compare")
    page.check("input[name=council][value=GAT]")
    page.check("input[name=council][value=RCC]")
    page.fill("#compare-q", "foster carers")
    page.click("input[type=submit][value=Compare]")
    page.wait_for_url(re.compile(r"/-/compare\?council=GAT&council=RCC"))
    assert page.locator(".compare-column").count() == 2
    gateshead, redcar = page.locator(".compare-column[data-council=GAT]"), page.locator(".compare-column[data-council=RCC]")
    assert "Positive relationships and identity".lower() in gateshead.inner_text().lower()
    assert "Children achieve well" in redcar.inner_text()
    topic = page.locator("table.topic-table")
    assert topic.locator("tr[data-council=RCC] td.yes").count() == 1
    assert topic.locator("tr[data-council=GAT] td.no").count() == 1
    screenshot(page, "journey-2")


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
    assert not any(d.startswith("Completed") for d in column(page, "deadline"))  # a status, not a missed deadline
    page.fill("input[name=council]", "Redcar and Cleveland")
    page.click("input[type=submit][value=Show]")
    page.wait_for_url(re.compile(r"council=Redcar"))
    assert set(column(page, "council")) == {"Redcar and Cleveland"}
    screenshot(page, "journey-3")


def test_journey_4_trace_to_the_source_text(page, screenshot):
    page.goto("/councilplans/search_commitments?q=&theme=placement+sufficiency&council=GAT")
    page.locator("td.col-commitment", has_text="Implement a sufficiency strategy").locator("a.record-link").click()
    page.wait_for_url(re.compile(r"/councilplans/actions/[0-9a-f]+$"))
    title = page.locator("h1.record-title").inner_text()
    assert title.startswith("Implement a sufficiency strategy")
    assert page.title().startswith("Implement a sufficiency strategy")
    assert "Placement sufficiency" in page.locator("ul.record-themes").inner_text()
    link = page.locator("tr.field-page a.source-page")  # p. N of a text document: its own text, at the record
    assert re.fullmatch(r"/-/source/[0-9a-f]+/text\?action=[0-9a-f]+#evidence", link.get_attribute("href"))
    screenshot(page, "journey-4")

    # The document's own text, the commitment highlighted and scrolled into view.
    page.click("a.evidence-link")
    page.wait_for_url(re.compile(r"/-/source/[0-9a-f]+/text\?action=[0-9a-f]+#evidence$"))
    evidence = page.locator("#evidence")
    assert "Implement a sufficiency strategy" in evidence.locator("mark").first.inner_text()
    in_view = evidence.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }")
    assert in_view
    assert "<span" not in page.locator("article.document-text").inner_text()
    screenshot(page, "source-text")


def test_a_page_per_council(page, screenshot):
    page.goto("/")
    page.locator("#coverage a", has_text="Bournemouth, Christchurch and Poole").click()
    page.wait_for_url(re.compile(r"/-/councils/BPC$"))
    assert page.locator("h1").inner_text() == "Bournemouth, Christchurch and Poole"
    assert "E06000058" in page.locator("p.council-facts").inner_text()
    fostering = page.locator("section.theme-group[data-theme=fostering]")
    assert "Foster Care offer" in fostering.inner_text()
    assert page.locator("table.council-documents").inner_text().count("Brighter Futures") == 1
    page.goto("/-/councils/BCP")  # the abbreviation people use
    page.wait_for_url(re.compile(r"/-/councils/BPC$"))
    screenshot(page, "council-page")


def test_the_themes_page(page, screenshot):
    page.goto("/")
    page.click("text=Commitments by theme and council >> nth=0")
    page.wait_for_url(re.compile(r"/-/themes$"))
    cell = page.locator("tr[data-theme=fostering] td[data-council=RCC] a")
    assert int(cell.inner_text()) >= 1
    cell.click()
    page.wait_for_url(re.compile(r"search_commitments\?theme=fostering&council=RCC"))
    assert set(column(page, "council")) == {"Redcar and Cleveland"}
    page.goto("/-/themes")
    screenshot(page, "themes-matrix")


UNSAFE_PAGES = [
    "/", "/councilplans/actions?council_code=LDS", "/councilplans/measures?council_code=LDS", "/councilplans/documents",
    "/councilplans/search_commitments?q=foster+carers", "/councilplans/search_commitments?q=&council=Leeds",
    "/councilplans/overdue?council=Leeds", "/councilplans/due_between?start=2024&end=2027", "/councilplans/theme_matches",
    "/-/compare?council=LDS&council=RCC&q=foster+carers", "/-/councils/LDS", "/-/themes", "/-/search?q=foster",
]


def test_markup_in_documents_shows_as_text_and_runs_nothing(page, publish_db_path):
    import sqlite3

    conn = sqlite3.connect(publish_db_path)
    records = [f"/councilplans/actions/{r[0]}" for r in conn.execute("select id from actions where council_code = 'LDS'")]
    records += [f"/-/source/{r[1]}/text?action={r[0]}" for r in conn.execute("select id, document_id from actions where council_code = 'LDS'")]
    records += [f"/councilplans/documents/{r[0]}" for r in conn.execute("select id from documents where council_code = 'LDS'")]
    assert len(records) >= 5
    seen_as_text = 0
    for url in UNSAFE_PAGES + records:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator("body script:text-matches('alert\\\\(')").count() == 0, url
        assert page.locator("img[onerror]").count() == 0, url
        assert page.locator("a[href^='javascript:']").count() == 0, url
        body = page.inner_text("body")
        if "<script>alert(" in body or "onerror=" in body:
            seen_as_text += 1
    assert page.dialogs == [], page.dialogs  # no alert() fired anywhere
    assert seen_as_text >= 8  # the markup is there, as text, on most of these pages
