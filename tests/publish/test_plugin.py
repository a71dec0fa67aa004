"""The plugin and templates: home page, source-page links, /-/source, /-/compare, record pages."""

from __future__ import annotations

import re
import sqlite3

import pytest

from pipeline.publish import make_datasette
from pipeline.store import open_db


def first(conn_path, sql):
    conn = sqlite3.connect(conn_path)
    conn.row_factory = sqlite3.Row
    return conn.execute(sql).fetchone()


async def test_the_database_is_published_as_councilplans_whatever_its_file_is_called(ds, publish_db_path):
    assert publish_db_path.stem != "councilplans"
    response = await ds.client.get("/-/databases.json")
    assert [d["name"] for d in response.json()] == ["councilplans"]
    assert (await ds.client.get("/councilplans/actions.json")).status_code == 200


async def test_the_home_page_starts_every_journey(ds):
    html = (await ds.client.get("/")).text
    for target in ("/councilplans/search_commitments", "/-/compare", "/councilplans/topic_coverage",
                   "/councilplans/due_between", "/councilplans/overdue", "/councilplans/measures_with_baselines",
                   "/councilplans/documents", "/-/search", "/-/themes", "/councilplans/themes_by_council"):
        assert f'"{target}' in html, target
    assert "mySociety" in html and "CC BY 4.0" in html


@pytest.mark.parametrize("table", ["actions", "priorities", "measures"])
async def test_page_cells_link_to_the_record_in_its_documents_text(ds, publish_db_path, table):
    """The bundled documents are text: p. N opens the document's own text at the record."""
    kind = {"actions": "action", "priorities": "priority", "measures": "measure"}[table]
    html = (await ds.client.get(f"/councilplans/{table}", params={"_size": "max"})).text
    links = re.findall(rf'class="source-page" href="/-/source/([0-9a-f]+)/text\?{kind}=([0-9a-f]+)#evidence"', html)
    conn = sqlite3.connect(publish_db_path)
    expected = conn.execute(f"select document_id, id from {table} where page is not null").fetchall()
    assert sorted(links) == sorted(expected) and links


async def test_stored_query_rows_link_to_source_pages_and_records(ds):
    html = (await ds.client.get("/councilplans/search_commitments", params={"q": "attendance"})).text
    assert re.search(r'href="/-/source/[0-9a-f]+/text\?action=[0-9a-f]+#evidence"', html)
    assert re.search(r'href="/councilplans/actions/[0-9a-f]+"', html)


async def test_a_record_page_shows_the_source_text_council_and_page_link(ds, publish_db_path):
    action = first(publish_db_path, "select a.*, c.name as council from actions a join councils c on c.code = a.council_code "
                                   "where a.page is not null limit 1")
    html = (await ds.client.get(f"/councilplans/actions/{action['id']}")).text
    assert f'href="/-/source/{action["document_id"]}/text?action={action["id"]}#evidence"' in html
    assert str(sqlite3.connect(":memory:").execute("select ?", [action["source_text"][:40]]).fetchone()[0]) in html.replace("&#39;", "'")
    assert action["council"] in html


async def test_the_documents_table_links_each_file(ds, publish_db_path):
    doc = first(publish_db_path, "select id, source from documents limit 1")
    html = (await ds.client.get("/councilplans/documents")).text
    assert f'href="/-/source/{doc["id"]}"' in html


async def test_source_serves_a_recorded_text_file_as_text(ds, publish_db_path):
    doc = first(publish_db_path, "select id, path from documents where format = 'text' limit 1")
    response = await ds.client.get(f"/-/source/{doc['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == open(doc["path"], "rb").read()


@pytest.mark.parametrize("path", ["/-/source/0000000000000000", "/-/source/..%2F..%2Fetc%2Fpasswd",
                                  "/-/source/../../etc/passwd", "/-/source/%2Fetc%2Fpasswd"])
async def test_source_serves_nothing_but_recorded_documents(ds, path):
    response = await ds.client.get(path)
    assert response.status_code in (302, 404)  # not found, or Datasette's redirect for a mangled path
    assert "root:" not in response.text


@pytest.fixture
def pdf_db(tmp_path):
    """A database whose one document is a two-page PDF."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(pdf))
    for n in (1, 2):
        c.drawString(72, 720, f"Page {n}: We will improve school attendance")
        c.showPage()
    c.save()
    import hashlib

    db = open_db(tmp_path / "plans-2025.db")
    db["documents"].insert({"id": "abc123", "source": "plan.pdf", "title": "Plan", "format": "pdf", "pages": 2,
                            "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(), "path": str(pdf)})
    db["actions"].insert({"id": "a1", "document_id": "abc123", "ordinal": 0, "text": "improve school attendance",
                          "page": 2, "source_text": "We will improve school attendance",
                          "bbox": '{"x0": 72, "top": 60, "x1": 330, "bottom": 75}'})
    db.conn.close()
    return tmp_path / "plans-2025.db", pdf


async def test_source_serves_a_pdf_inline_so_the_viewer_honours_the_page(pdf_db):
    db_path, pdf = pdf_db
    ds = make_datasette(db_path)
    html = (await ds.client.get("/councilplans/actions")).text
    assert 'href="/-/source/abc123#page=2"' in html
    response = await ds.client.get("/-/source/abc123")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content == pdf.read_bytes()


async def test_source_refuses_a_file_changed_since_ingest(pdf_db):
    db_path, pdf = pdf_db
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited")
    response = await make_datasette(db_path).client.get("/-/source/abc123")
    assert response.status_code == 409
    assert "changed since it was ingested" in response.text


async def test_compare_page_shows_chosen_councils_priorities_side_by_side(ds, publish_db_path):
    response = await ds.client.get("/-/compare", params=[("council", "GAT"), ("council", "RCC"), ("q", "foster carers")])
    assert response.status_code == 200
    html = response.text
    for code in ("GAT", "RCC"):
        titles = [r[0] for r in sqlite3.connect(publish_db_path).execute(
            "select title from priorities where council_code = ? and level = 1", [code])]
        assert titles and all(str(t).replace("'", "&#39;") in html for t in titles), code
        assert f'data-council="{code}"' in html
    assert 'data-council="SGC"' not in html
    # Gateshead's plan names foster carers only in a progress note, not in a commitment.
    assert re.search(r"Redcar and Cleveland</td>.*?class=\"yes\"", html, re.S)
    assert re.search(r"Gateshead</td>.*?class=\"no\"", html, re.S)
    assert "/councilplans/search_commitments?priority=" in html


async def test_compare_page_names_unknown_councils(ds):
    html = (await ds.client.get("/-/compare", params={"council": "XXX"})).text
    assert "Unknown council: XXX" in html


async def test_compare_page_without_councils_offers_the_choice(ds):
    html = (await ds.client.get("/-/compare")).text
    assert html.count('type="checkbox" name="council"') == 6


async def test_internal_tables_are_hidden_and_foreign_keys_show_names(ds):
    tables = {t["name"]: t for t in (await ds.client.get("/councilplans.json")).json()["tables"]}
    for name in ("action_owners", "action_priorities", "deadlines", "actions_fts", "actions_fts_data", "store_meta"):
        assert tables[name]["hidden"], name
    for name in ("actions", "priorities", "measures", "documents", "councils", "problems", "themes", "theme_matches"):
        assert not tables[name]["hidden"], name
    labelled = (await ds.client.get("/councilplans/actions.json", params={"_labels": "on", "_shape": "array", "_size": 1})).json()[0]
    assert isinstance(labelled["council_code"], dict) and labelled["council_code"]["label"]
    assert isinstance(labelled["document_id"], dict) and labelled["document_id"]["label"]


async def test_a_pdf_record_shows_the_region_of_its_page_highlighted(pdf_db):
    db_path, _ = pdf_db
    ds = make_datasette(db_path)
    html = (await ds.client.get("/councilplans/actions/a1")).text
    assert '<img class="evidence-region" src="/-/source/abc123/page/2.png?action=a1"' in html
    response = await ds.client.get("/-/source/abc123/page/2.png", params={"action": "a1"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(response.content)).convert("RGB")
    assert image.width < 1000  # the region around the box, not the whole page
    assert any(r > 200 and 120 < g < 200 and b < 60 for r, g, b in image.getdata())  # the highlight's outline
    assert (await ds.client.get("/-/source/abc123/page/9.png")).status_code == 404
