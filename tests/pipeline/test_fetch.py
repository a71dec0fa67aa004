"""`councilplans fetch` against a local HTTP server (pytest-httpserver): conditional requests,
the archive, the outcome of each check in `sources` / `fetches`, the coverage states, the sources
file's bad entries and the command's exit status. No network beyond localhost.

Expected digests are computed here with hashlib from the bytes the test server sends; dates come
from a fixed clock passed to `fetch_sources`."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug import Response

from pipeline.cli import main
from pipeline.fetch import fetch_sources
from pipeline.sources import SourcesError, load_sources

PDF_V1 = b"%PDF-1.4\n% edition one\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF\n"
PDF_V2 = b"%PDF-1.4\n% edition two\n" + b"1 0 obj << >> endobj\n" * 20 + b"%%EOF\n"
ERROR_PAGE = b"<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body>Sorry</body></html>\n"
LAST_MODIFIED = "Wed, 01 Jan 2025 09:00:00 GMT"
T1, T2, T3 = "2025-02-01T10:00:00Z", "2025-03-01T10:00:00Z", "2025-04-01T10:00:00Z"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_sources(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "".join(entries), encoding="utf-8")
    return path


def url_entry(url: str, council: str = "Gateshead", series: str = "children's services plan", extra: str = "") -> str:
    return f"  - council: {council}\n    series: {series}\n    url: {url}\n{extra}"


def run(tmp_path: Path, sources: Path, at: str, **options):
    return fetch_sources(sources, tmp_path / "archive", tmp_path / "c.db", now=lambda: at, **options)


def rows(tmp_path: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def archived(tmp_path: Path) -> list[str]:
    root = tmp_path / "archive"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def serve_pdf(httpserver, path: str, body: bytes, etag: str) -> None:
    httpserver.expect_request(path).respond_with_data(
        body, content_type="application/pdf", headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})


# --------------------------------------------------------------------------- new, unchanged, changed


def test_a_new_file_is_archived_once_by_sha256_and_recorded(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf"), extra="    cadence: 3 years\n"))

    report = run(tmp_path, sources, T1)

    assert [r.status for r in report.results] == ["new"]
    digest = sha(PDF_V1)
    assert archived(tmp_path) == [f"{digest[:2]}/{digest}.pdf"]
    assert (tmp_path / "archive" / digest[:2] / f"{digest}.pdf").read_bytes() == PDF_V1
    (source,) = rows(tmp_path, "SELECT * FROM sources")
    assert source["council_code"] == "GAT" and source["gss_code"] == "E08000037"
    assert (source["status"], source["sha256"], source["size"]) == ("new", digest, len(PDF_V1))
    assert (source["etag"], source["last_modified"]) == ('"v1"', LAST_MODIFIED)
    assert (source["first_seen"], source["last_checked"], source["last_changed"]) == (T1, T1, T1)
    assert source["archive_path"] == str((tmp_path / "archive" / digest[:2] / f"{digest}.pdf").resolve())
    (cover,) = rows(tmp_path, "SELECT * FROM coverage")
    assert (cover["council"], cover["series"], cover["state"]) == ("Gateshead", "children's services plan", "checked, found")
    assert (cover["last_found"], cover["next_edition_due"]) == (T1, "2028-02-01")
    (first_request, _), = httpserver.log
    assert "If-None-Match" not in first_request.headers and "If-Modified-Since" not in first_request.headers


def test_an_unchanged_file_is_asked_for_conditionally_and_the_304_keeps_everything(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")))
    run(tmp_path, sources, T1)
    httpserver.clear()
    # Only a request carrying both validators gets the 304; any other request finds no handler (500).
    httpserver.expect_request("/plan.pdf", headers={"If-None-Match": '"v1"', "If-Modified-Since": LAST_MODIFIED}
                              ).respond_with_data(b"", status=304)

    report = run(tmp_path, sources, T2)

    (request, response), = httpserver.log
    assert response.status_code == 304
    assert request.headers["If-None-Match"] == '"v1"' and request.headers["If-Modified-Since"] == LAST_MODIFIED
    assert [r.status for r in report.results] == ["unchanged"]
    (source,) = rows(tmp_path, "SELECT * FROM sources")
    assert (source["status"], source["sha256"]) == ("unchanged", sha(PDF_V1))
    assert (source["first_seen"], source["last_checked"], source["last_changed"]) == (T1, T2, T1)
    assert archived(tmp_path) == [f"{sha(PDF_V1)[:2]}/{sha(PDF_V1)}.pdf"]
    fetches = rows(tmp_path, "SELECT status, conditional, http_status FROM fetches ORDER BY id")
    assert fetches == [{"status": "new", "conditional": 0, "http_status": 200},
                       {"status": "unchanged", "conditional": 1, "http_status": 304}]


def test_a_server_that_ignores_validators_but_sends_the_same_bytes_is_unchanged(httpserver, tmp_path):
    httpserver.expect_request("/plan.pdf").respond_with_data(PDF_V1, content_type="application/pdf")  # no ETag
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")))
    run(tmp_path, sources, T1)
    report = run(tmp_path, sources, T2)
    assert [r.status for r in report.results] == ["unchanged"]
    assert rows(tmp_path, "SELECT last_changed, last_checked FROM sources") == [{"last_changed": T1, "last_checked": T2}]


def test_a_changed_file_gets_a_new_sha256_and_the_old_edition_stays_archived(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")))
    run(tmp_path, sources, T1)
    httpserver.clear()
    serve_pdf(httpserver, "/plan.pdf", PDF_V2, '"v2"')

    report = run(tmp_path, sources, T2)

    assert [r.status for r in report.results] == ["changed"]
    old, new = sha(PDF_V1), sha(PDF_V2)
    assert archived(tmp_path) == sorted([f"{old[:2]}/{old}.pdf", f"{new[:2]}/{new}.pdf"])
    assert (tmp_path / "archive" / old[:2] / f"{old}.pdf").read_bytes() == PDF_V1
    (source,) = rows(tmp_path, "SELECT * FROM sources")
    assert (source["status"], source["sha256"], source["etag"]) == ("changed", new, '"v2"')
    assert (source["first_seen"], source["last_changed"]) == (T1, T2)
    assert [r["sha256"] for r in rows(tmp_path, "SELECT sha256 FROM fetches ORDER BY id")] == [old, new]


def test_validators_are_not_sent_when_the_archived_copy_is_gone(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")))
    run(tmp_path, sources, T1)
    digest = sha(PDF_V1)
    (tmp_path / "archive" / digest[:2] / f"{digest}.pdf").unlink()
    httpserver.clear_log()

    report = run(tmp_path, sources, T2)

    (request, _), = httpserver.log
    assert "If-None-Match" not in request.headers  # a 304 would leave nothing to point at
    assert [r.status for r in report.results] == ["unchanged"]
    assert archived(tmp_path) == [f"{digest[:2]}/{digest}.pdf"]


# --------------------------------------------------------------------------- not found, failures


def test_a_404_is_none_found_not_a_failure(httpserver, tmp_path):
    httpserver.expect_request("/gone.pdf").respond_with_data(b"gone", status=404, content_type="text/plain")
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/gone.pdf")))

    report = run(tmp_path, sources, T1)

    (result,) = report.results
    assert result.status == "not found" and result.reason.startswith("HTTP 404")
    assert report.failed == []
    (source,) = rows(tmp_path, "SELECT status, found, last_checked, first_seen, sha256 FROM sources")
    assert source == {"status": "not found", "found": 0, "last_checked": T1, "first_seen": None, "sha256": None}
    assert rows(tmp_path, "SELECT state, last_checked, last_found FROM coverage") == [
        {"state": "checked, none found", "last_checked": T1, "last_found": None}]
    assert archived(tmp_path) == []


def test_an_empty_body_is_none_found(httpserver, tmp_path):
    httpserver.expect_request("/empty.pdf").respond_with_data(b"", content_type="application/pdf")
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/empty.pdf")))
    (result,) = run(tmp_path, sources, T1).results
    assert result.status == "not found" and "empty" in result.reason
    assert rows(tmp_path, "SELECT state FROM coverage") == [{"state": "checked, none found"}]


def test_a_timeout_fails_that_source_only_and_the_run_goes_on(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')

    def slow(request):
        time.sleep(1.0)
        return Response(PDF_V2, content_type="application/pdf")

    httpserver.expect_request("/slow.pdf").respond_with_handler(slow)
    local = tmp_path / "local.txt"
    local.write_text("We will open two family hubs by March 2026.\n", encoding="utf-8")
    sources = write_sources(
        tmp_path,
        url_entry(httpserver.url_for("/plan.pdf")),
        url_entry(httpserver.url_for("/slow.pdf"), council="Redcar and Cleveland"),
        "  - council: BPC\n    series: corporate plan\n    path: local.txt\n",
    )

    started = time.monotonic()
    report = run(tmp_path, sources, T1, timeout=0.2)

    assert time.monotonic() - started < 5
    assert [r.status for r in report.results] == ["new", "failed", "new"]
    assert report.results[1].reason.startswith("timed out after 0.2 s")
    coverage = {r["council_code"]: r["state"] for r in rows(tmp_path, "SELECT council_code, state FROM coverage")}
    assert coverage == {"GAT": "checked, found", "RCC": "not checked", "BPC": "checked, found"}
    (failed,) = rows(tmp_path, "SELECT status, reason, last_attempt, last_checked FROM sources WHERE council_code = 'RCC'")
    assert failed["status"] == "failed" and failed["last_attempt"] == T1 and failed["last_checked"] is None
    # The single-threaded test server is still sleeping in `slow`: let it finish before the next test.
    deadline = time.monotonic() + 5
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_failure_after_a_find_keeps_the_series_found_as_of_the_last_answer(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")))
    run(tmp_path, sources, T1)
    httpserver.clear()
    httpserver.expect_request("/plan.pdf").respond_with_data(b"oops", status=503)

    (result,) = run(tmp_path, sources, T2).results

    assert result.status == "failed" and result.reason.startswith("HTTP 503")
    assert rows(tmp_path, "SELECT state, last_checked, last_attempt, failing FROM coverage") == [
        {"state": "checked, found", "last_checked": T1, "last_attempt": T2, "failing": 1}]


def test_redirects_are_followed_and_the_final_address_recorded(httpserver, tmp_path):
    httpserver.expect_request("/old.pdf").respond_with_data(
        b"", status=301, headers={"Location": httpserver.url_for("/new/plan.pdf")})
    serve_pdf(httpserver, "/new/plan.pdf", PDF_V1, '"v1"')
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/old.pdf")))

    (result,) = run(tmp_path, sources, T1).results

    assert result.status == "new" and result.sha256 == sha(PDF_V1)
    assert rows(tmp_path, "SELECT final_url, http_status FROM sources") == [
        {"final_url": httpserver.url_for("/new/plan.pdf"), "http_status": 200}]
    assert [req.path for req, _ in httpserver.log] == ["/old.pdf", "/new/plan.pdf"]


def test_a_redirect_loop_is_bounded(httpserver, tmp_path):
    httpserver.expect_request("/loop.pdf").respond_with_data(b"", status=302, headers={"Location": "/loop.pdf"})
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/loop.pdf")))
    (result,) = run(tmp_path, sources, T1).results
    assert result.status == "failed" and result.reason == "more than 5 redirects"
    assert len(httpserver.log) == 6  # the first request and five redirects


def test_an_html_error_page_where_a_pdf_was_expected_is_refused_and_not_archived(httpserver, tmp_path):
    httpserver.expect_request("/plan.pdf").respond_with_data(ERROR_PAGE, content_type="text/html; charset=utf-8")
    httpserver.expect_request("/mislabelled.pdf").respond_with_data(ERROR_PAGE, content_type="application/octet-stream")
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")),
                            url_entry(httpserver.url_for("/mislabelled.pdf"), series="other plan"))

    first, second = run(tmp_path, sources, T1).results

    assert first.status == "failed" and first.reason == "wrong content type: expected a PDF, got text/html"
    assert second.status == "failed"
    assert second.reason == "wrong content type: expected a PDF, got application/octet-stream (an HTML page)"
    assert archived(tmp_path) == []  # nothing kept, no temporary file left behind
    assert rows(tmp_path, "SELECT DISTINCT state FROM coverage") == [{"state": "not checked"}]


def test_content_types_that_fit_are_kept_with_the_suffix_of_what_they_are(httpserver, tmp_path):
    page = b"<!DOCTYPE html><html><body><h1>Corporate plan</h1><p>We will ...</p></body></html>"
    httpserver.expect_request("/plan").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/download").respond_with_data(PDF_V2, content_type="application/octet-stream")
    httpserver.expect_request("/logo").respond_with_data(b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan"), series="web plan"),
                            url_entry(httpserver.url_for("/download"), series="download plan"),
                            url_entry(httpserver.url_for("/logo"), series="logo"))

    page_result, pdf_result, png_result = run(tmp_path, sources, T1).results

    assert (page_result.status, Path(page_result.archive_path).name) == ("new", f"{sha(page)}.html")
    assert (pdf_result.status, Path(pdf_result.archive_path).name) == ("new", f"{sha(PDF_V2)}.pdf")
    assert png_result.status == "failed" and png_result.reason == "wrong content type: expected a document, got image/png"


def test_a_file_over_the_size_limit_is_refused_while_streaming(httpserver, tmp_path):
    big = b"%PDF-1.4\n" + b"x" * 3000
    httpserver.expect_request("/big.pdf").respond_with_data(big, content_type="application/pdf")

    def chunked(request):
        return Response((b"%PDF-1.4\n" + b"y" * 999 for _ in range(3)), content_type="application/pdf")  # no length

    httpserver.expect_request("/stream.pdf").respond_with_handler(chunked)
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/big.pdf")),
                            url_entry(httpserver.url_for("/stream.pdf"), series="streamed"))

    declared, streamed = run(tmp_path, sources, T1, max_megabytes=0.002).results

    assert declared.status == "failed" and declared.reason == "over the size limit: 3,009 bytes (Content-Length), limit 2,000"
    assert streamed.status == "failed" and streamed.reason == "over the size limit: more than 2,000 bytes"
    assert archived(tmp_path) == []


def test_a_local_path_is_hashed_and_archived_and_a_missing_one_is_none_found(tmp_path):
    (tmp_path / "docs").mkdir()
    plan = tmp_path / "docs" / "plan.txt"
    plan.write_bytes(b"Priority 1: safe at home\n")
    sources = write_sources(tmp_path, "  - {council: Gateshead, series: plan, path: docs/plan.txt}\n",
                            "  - {council: Gateshead, series: strategy, path: docs/missing.txt}\n")

    found, missing = run(tmp_path, sources, T1).results
    assert found.status == "new" and found.sha256 == sha(b"Priority 1: safe at home\n")
    assert missing.status == "not found"
    plan.write_bytes(b"Priority 1: safe at home and at school\n")
    found_again, _ = run(tmp_path, sources, T2).results

    assert found_again.status == "changed"
    assert len(archived(tmp_path)) == 2
    states = {r["series"]: r["state"] for r in rows(tmp_path, "SELECT series, state FROM coverage")}
    assert states == {"plan": "checked, found", "strategy": "checked, none found"}


# --------------------------------------------------------------------------- the sources file


def test_bad_entries_are_named_by_file_entry_and_field_and_the_others_are_used(tmp_path):
    sources = write_sources(
        tmp_path,
        "  - council: Gateshead\n    series: plan\n    path: a.txt\n",                 # 1: good
        "  - council: Gateshead\n    path: b.txt\n",                                   # 2: no series
        "  - council: Nowhere Borough Council\n    series: plan\n    path: c.txt\n",   # 3: unknown council
        "  - council: E06000003\n    series: plan\n    url: ftp://example.org/p.pdf\n",  # 4: not http(s)
        "  - council: GAT\n    series: plan\n    path: a.txt\n    cadence: sometimes\n",  # 5: cadence
        "  - council: Gateshead\n    series: Plan\n    path: a.txt\n",                 # 6: same as 1
        "  - council: Gateshead\n    series: plan\n    url: http://x.org/p.pdf\n    path: a.txt\n",  # 7: both
    )

    loaded = load_sources(sources)

    assert [s.entry for s in loaded.sources] == [1]
    issues = {i.entry: i for i in loaded.issues}
    assert sorted(issues) == [2, 3, 4, 5, 6, 7]
    assert str(issues[2]) == ("sources.yaml entry 2 (line 5), field 'series': missing: every entry needs "
                              "`council`, `series` and one of `url` or `path`")
    assert issues[3].field == "council" and issues[3].line == 7 and "Nowhere Borough Council" in issues[3].message
    assert issues[4].field == "url" and "not an http:// or https:// address" in issues[4].message
    assert issues[5].field == "cadence" and issues[5].line == 16
    assert "as entry 1" in issues[6].message
    assert issues[7].message == "give exactly one of `url` or `path`"


def test_councils_by_name_register_code_and_gss_code(tmp_path):
    sources = write_sources(tmp_path, "  - {council: South Gloucestershire, series: p, path: a.txt}\n",
                            "  - {council: sgc, series: q, path: a.txt}\n",
                            "  - {council: E06000025, series: r, path: a.txt}\n")
    assert {s.council.code for s in load_sources(sources).sources} == {"SGC"}


def test_a_file_that_is_not_a_list_of_sources_is_an_error_naming_it(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("sources: [council: Gateshead\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"broken\.yaml line \d+: not valid YAML"):
        load_sources(bad)
    bad.write_text("sources: Gateshead\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="expected `sources:` followed by a list"):
        load_sources(bad)


def test_the_example_sources_file_is_valid():
    loaded = load_sources(Path(__file__).resolve().parents[2] / "sources.example.yaml")
    assert loaded.issues == []
    assert len(loaded.sources) >= 2 and all(s.path.is_file() for s in loaded.sources)


# --------------------------------------------------------------------------- the command


def invoke(tmp_path: Path, sources: Path, *extra: str):
    return CliRunner().invoke(main, ["fetch", str(sources), "--archive", str(tmp_path / "archive"),
                                     "--db", str(tmp_path / "c.db"), *extra])


def test_the_command_exits_0_when_every_source_answered(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    httpserver.expect_request("/gone.pdf").respond_with_data(b"", status=404)
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")),
                            url_entry(httpserver.url_for("/gone.pdf"), series="old plan"))
    result = invoke(tmp_path, sources)
    assert result.exit_code == 0, result.output
    assert "+ new: Gateshead — children's services plan" in result.output
    assert "- not found: Gateshead — old plan" in result.output
    assert "2 sources checked: 1 new, 0 changed, 0 unchanged, 1 not found, 0 failed; 0 bad entries" in result.output


def test_the_command_exits_1_when_a_source_failed_or_an_entry_is_wrong_unless_allowed(httpserver, tmp_path):
    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    httpserver.expect_request("/broken.pdf").respond_with_data(b"", status=500)
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")),
                            url_entry(httpserver.url_for("/broken.pdf"), series="broken plan"))
    failed = invoke(tmp_path, sources)
    assert failed.exit_code == 1
    assert "✗ failed: Gateshead — broken plan" in failed.output and "HTTP 500" in failed.output
    assert invoke(tmp_path, sources, "--allow-failures").exit_code == 0

    only_bad_entry = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")),
                                   "  - council: Gateshead\n    url: http://localhost/x.pdf\n")
    result = invoke(tmp_path, only_bad_entry)
    assert result.exit_code == 1
    assert "bad entry: sources.yaml entry 2" in result.output and "field 'series'" in result.output
    assert rows(tmp_path, "SELECT count(*) AS n FROM fetches")[0]["n"] == 5  # the good entry was still fetched


def test_the_command_refuses_an_unreadable_sources_file(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("- [unclosed\n", encoding="utf-8")
    result = invoke(tmp_path, bad)
    assert result.exit_code == 1 and "not valid YAML" in result.output and "docs/fetch.md" in result.output


# --------------------------------------------------------------------------- published


async def test_coverage_is_published_with_its_stored_query(httpserver, tmp_path):
    from pipeline.publish import make_datasette

    serve_pdf(httpserver, "/plan.pdf", PDF_V1, '"v1"')
    httpserver.expect_request("/gone.pdf").respond_with_data(b"", status=404)
    sources = write_sources(tmp_path, url_entry(httpserver.url_for("/plan.pdf")),
                            url_entry(httpserver.url_for("/gone.pdf"), council="Redcar and Cleveland"))
    run(tmp_path, sources, T1)
    ds = make_datasette(tmp_path / "c.db")

    response = await ds.client.get("/councilplans/coverage_by_council.json", params={"council": "", "_shape": "array"})
    assert response.status_code == 200, response.text
    assert [(r["council"], r["state"]) for r in response.json()] == [
        ("Gateshead", "checked, found"), ("Redcar and Cleveland", "checked, none found")]
    response = await ds.client.get("/councilplans/coverage_by_council.json", params={"council": "E06000003", "_shape": "array"})
    assert [r["council"] for r in response.json()] == ["Redcar and Cleveland"]
    page = await ds.client.get("/councilplans/coverage")
    assert page.status_code == 200 and "checked, none found" in page.text
