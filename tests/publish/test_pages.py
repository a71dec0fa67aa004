"""Pages for people: search with highlights and labelled boxes, record pages titled by the record,
themes with evidence, similar commitments, the document's own text with the record highlighted,
council and themes pages, the home page's coverage and quality; markup from documents as text."""

from __future__ import annotations

import re
import sqlite3

import pytest


def one(db_path, sql, *params):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return conn.execute(sql, params).fetchone()


async def test_search_results_highlight_why_they_matched(ds):
    html = (await ds.client.get("/councilplans/search_commitments", params={"q": "foster carers"})).text
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert {"Foster Care", "foster carer"} <= set(marks), marks
    html = (await ds.client.get("/councilplans/search_commitments", params={"q": "signs of safety"})).text
    assert "<mark>Signs</mark>" in html and "<mark>Safety</mark>" in html
    assert "**" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


async def test_search_page_reads_like_a_search_not_a_sql_console(ds):
    html = (await ds.client.get("/councilplans/search_commitments", params={"q": "foster carers"})).text
    assert "Custom SQL query" not in html
    assert re.search(r'<label for="qp-q">Topic</label>', html)
    assert re.search(r'<label for="qp-council">Council</label>', html)
    assert re.search(r'<select id="qp-theme" name="theme">', html) and ">Fostering</option>" in html
    assert re.search(r"<b>\d+ results</b>", html)
    assert "Answered by theme: <b>Fostering</b>" in html
    assert re.search(r'<a class="record-link" href="/councilplans/actions/[0-9a-f]+"', html)
    assert "_dl=1" in html


async def test_a_year_the_page_cannot_read_is_explained(ds):
    html = (await ds.client.get("/councilplans/search_commitments", params={"q": "", "year": "next spring"})).text
    assert "is not a year this page understands" in html and "2021/22" in html


async def test_a_record_page_is_titled_by_the_commitment_with_its_themes_and_evidence(ds, publish_db_path):
    action = one(publish_db_path, "select id, text from actions where text like 'Implement foster carer recruitment%'")
    html = (await ds.client.get(f"/councilplans/actions/{action['id']}")).text
    assert re.search(r'<h1 class="record-title"[^>]*>Implement foster carer recruitment and retention strategy</h1>', html)
    assert "<title>Implement foster carer recruitment" in html
    assert re.search(r'<a class="theme" href="[^"]*theme=fostering">Fostering</a> — matched <span class="evidence">“foster carer”', html)
    assert 'class="strength strength-firm"' in html and "✓ deadline" in html and "✗ owner" in html


async def test_tool_notes_are_not_source_quotes(ds, publish_db_path):
    assert one(publish_db_path, "select count(*) from actions where source_text like '%times, garbled)%'")[0] == 0
    action = one(publish_db_path, "select id, source_note from actions where source_note is not null")
    html = (await ds.client.get(f"/councilplans/actions/{action['id']}")).text
    assert f"Tool note (not the document's words): {action['source_note']}" in html


async def test_similar_commitments_elsewhere(ds, publish_db_path):
    action = one(publish_db_path, "select id, council_code from actions where text like 'recruit more local foster carers%'")
    html = (await ds.client.get(f"/councilplans/actions/{action['id']}")).text
    section = html.split("Similar commitments elsewhere", 1)[1].split("Every field", 1)[0]
    assert "foster carer" in section.lower()
    assert "South Gloucestershire" not in re.findall(r"<b>(.*?)</b>", section)  # other councils only


async def test_the_text_source_view_highlights_the_commitment(ds, publish_db_path):
    action = one(publish_db_path, "select id, document_id, text from actions where text like 'Implement a sufficiency strategy%'")
    response = await ds.client.get(f"/-/source/{action['document_id']}/text", params={"action": action["id"]})
    assert response.status_code == 200
    html = response.text
    evidence = re.search(r'<(\w+)[^>]* id="evidence"[^>]*>(.*?)</\1>', html, re.S)
    assert evidence, "no block marked as the evidence"
    assert "<mark>Implement a sufficiency strategy" in evidence.group(2)
    assert html.count('id="evidence"') == 1
    assert "<span" not in evidence.group(2) and "&lt;br" not in html  # the document's text, not its HTML fragments


async def test_the_text_source_view_refuses_a_record_from_another_document(ds, publish_db_path):
    action = one(publish_db_path, "select id, document_id from actions limit 1")
    other = one(publish_db_path, "select id from documents where id != ? limit 1", action["document_id"])
    response = await ds.client.get(f"/-/source/{other['id']}/text", params={"action": action["id"]})
    assert response.status_code == 404


async def test_the_themes_page_counts_commitments_by_council_and_says_no_plan(ds):
    html = (await ds.client.get("/-/themes")).text
    row = re.search(r'<tr data-theme="fostering">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'<td class="count" data-council="RCC"><a href="[^"]*theme=fostering[^"]*council=RCC', row)
    assert re.search(r'<td class="zero" data-council="GAT">0</td>', row)
    assert re.search(r'<td class="no-plan" data-council="NFK">no plan</td>', row)


@pytest.mark.parametrize("asked", ["BPC", "BCP", "E06000058", "Bournemouth%2C%20Christchurch%20and%20Poole"])
async def test_a_page_per_council_by_code_abbreviation_gss_code_or_name(ds, asked):
    response = await ds.client.get(f"/-/councils/{asked}", follow_redirects=True)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Bournemouth, Christchurch and Poole</h1>" in html and "E06000058" in html
    assert 'data-theme="fostering"' in html and "Foster Care offer" in html
    assert "Brighter Futures" in html


async def test_a_council_with_only_a_report_is_said_to_have_no_plan(ds):
    html = (await ds.client.get("/-/councils/NFK")).text
    assert "None of this council's documents in the database is a plan or strategy" in html


async def test_the_home_page_shows_coverage_and_measured_quality(ds):
    html = (await ds.client.get("/")).text
    coverage = html.split('id="coverage"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<b>6</b> councils, <b>7</b> documents", coverage)
    assert "Norfolk" in coverage and "<i>no plan</i>" in coverage and "E08000037" in coverage
    quality = html.split('id="quality"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<td class="num">[01]\.\d\d</td>', quality)


UNSAFE = ["<script>alert", "<img src=x onerror", 'href="javascript:']


@pytest.mark.parametrize("url", [
    "/councilplans/actions?council_code=LDS", "/councilplans/measures?council_code=LDS", "/councilplans/documents",
    "/councilplans/search_commitments?q=foster+carers", "/councilplans/search_commitments?q=&council=Leeds",
    "/councilplans/overdue?council=Leeds", "/councilplans/due_between?start=2024&end=2027",
    "/councilplans/measures_with_baselines?council=Leeds", "/councilplans/compare_councils?councils=Leeds",
    "/-/compare?council=LDS&q=foster+carers", "/-/councils/LDS", "/-/themes", "/", "/-/search?q=foster",
    "/councilplans/theme_matches?council_code=LDS", "/councilplans/themes_by_council?council=Leeds",
])
async def test_markup_in_documents_is_shown_as_text(ds, url):
    html = (await ds.client.get(url)).text
    for bad in UNSAFE:
        assert bad not in html, (url, bad)
    # where the unsafe text is shown, it is shown escaped
    if url.startswith(("/councilplans/actions", "/councilplans/search", "/councilplans/overdue", "/-/councils", "/councilplans/documents")):
        assert "&lt;script&gt;" in html or "&lt;img" in html, url


async def test_markup_in_documents_is_shown_as_text_on_record_and_source_pages(ds, publish_db_path):
    for table, sql in [("actions", "select id, document_id from actions where council_code = 'LDS'"),
                       ("measures", "select id, document_id from measures where council_code = 'LDS'"),
                       ("documents", "select id, id as document_id from documents where council_code = 'LDS'")]:
        conn = sqlite3.connect(publish_db_path)
        for record_id, document_id in conn.execute(sql).fetchall():
            pages = [f"/councilplans/{table}/{record_id}"]
            if table == "actions":
                pages.append(f"/-/source/{document_id}/text?action={record_id}")
            for url in pages:
                html = (await ds.client.get(url)).text
                for bad in UNSAFE:
                    assert bad not in html, (url, bad)
                assert "&lt;" in html, url
