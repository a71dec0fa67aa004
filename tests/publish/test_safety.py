"""Serving stays safe (pipeline/publish/safety.py, sources.py): SQL bounded in memory, the source
file streamed and confined to the corpus, crafted URLs answered 400/404 not 500, no server paths
published, security headers."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3

import pytest

from pipeline.publish import make_datasette, safety, sources
from pipeline.store import open_db


async def test_every_connection_is_bounded_in_memory_and_read_only(ds):
    await ds.invoke_startup()
    db = ds.get_database("councilplans")
    assert (await db.execute("pragma hard_heap_limit")).first()[0] == safety.HEAP_LIMIT_BYTES
    assert await db.execute_fn(lambda conn: conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)) == safety.MAX_VALUE_BYTES
    for sql in ("select length(randomblob(999999999))",
                "with recursive r(x) as (select 'ab' union all select x || x from r) select max(length(x)) from r",
                "select length(group_concat(randomblob(1000000))) from (select 1 from actions, actions limit 100)"):
        with pytest.raises(Exception) as error:
            await db.execute(sql)
        assert "too big" in str(error.value), sql
    for sql in ("delete from actions", "attach database ':memory:' as other", "create table t (x)"):
        with pytest.raises(Exception):
            await db.execute_fn(lambda conn: conn.execute(sql))


async def test_visitors_cannot_run_their_own_sql_but_stored_queries_work(ds):
    response = await ds.client.get("/councilplans.json", params={"sql": "select 1"})
    assert response.status_code == 403
    assert (await ds.client.get("/councilplans/overdue.json")).status_code == 200


async def test_no_server_path_is_published(ds, publish_db_path):
    folder = str(publish_db_path.parent)
    corpus = os.path.dirname(open_db(publish_db_path).execute("select path from documents limit 1").fetchone()[0])
    for url in ["/-/databases.json", "/-/databases", "/councilplans/documents.json", "/councilplans/documents",
                "/councilplans/documents.csv?_size=max", "/-/threads.json", "/-/source/0000000000000000",
                "/councilplans/problems.json", "/"]:
        text = (await ds.client.get(url)).text
        assert folder not in text and corpus not in text, url
    rows = (await ds.client.get("/councilplans/documents.json", params={"_shape": "array"})).json()
    assert rows and all(r["path"] is None for r in rows)


@pytest.mark.parametrize("url", [
    "/councilplans/actions?_sort=nope", "/councilplans/actions?_sort_desc=nope", "/councilplans/actions?rag__in=%5B",
    "/councilplans/actions?_timelimit=abc", "/councilplans/search_commitments?_timelimit=abc",
    "/councilplans/actions?_through=%7B", "/councilplans/actions?_through=%7B%22table%22%3A1%7D",
    "/councilplans/actions?_sort=rowid&_next=%FF", "/councilplans/actions?_search=%22", "/-/compare?q=%22",
    "/councilplans/search_commitments?q=%22&year=%00", "/councilplans/actions/nope", "/councilplans/nope",
    "/-/councils/nowhere", "/-/source/0000000000000000/text", "/-/source/0000000000000000/page/1.png",
    "/-/source/..%2F..%2Fetc%2Fpasswd", "/councilplans/actions.json?_facet=nope",
])
async def test_crafted_urls_are_answered_400_or_404_never_500(ds, url):
    response = await ds.client.get(url)
    assert response.status_code < 500, (url, response.status_code)
    assert "Traceback" not in response.text


async def test_security_headers_on_every_response(ds):
    for url in ["/", "/councilplans/actions", "/councilplans/search_commitments?q=foster", "/-/compare", "/-/themes",
                "/councilplans/actions.json", "/nope"]:
        response = await ds.client.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["x-frame-options"] == "SAMEORIGIN", url
        assert response.headers["referrer-policy"] in ("same-origin", "no-referrer"), url
        if response.headers["content-type"].startswith("text/html"):
            csp = response.headers["content-security-policy"]
            assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp and "https:" not in csp


@pytest.fixture
def corpus_files(tmp_path):
    """A database of three documents: one in the corpus folder, one a symlink leading out of it,
    one recorded with a '..' path."""
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    good = corpus / "plan.txt"
    good.write_text("We will improve school attendance.\n" * 2000, encoding="utf-8")
    secret = outside / "secret.txt"
    secret.write_text("root:x:0:0:secret\n", encoding="utf-8")
    link = corpus / "link.txt"
    link.symlink_to(secret)
    db = open_db(tmp_path / "plans.db")
    for doc_id, path, target in [("good", good, good), ("link", link, secret), ("dots", corpus / ".." / "outside" / "secret.txt", secret)]:
        db["documents"].insert({"id": doc_id, "source": path.name, "title": doc_id, "format": "text", "pages": 1,
                                "sha256": hashlib.sha256(target.read_bytes()).hexdigest(), "path": str(path)})
    db.conn.close()
    return tmp_path / "plans.db", good


async def test_source_refuses_files_outside_the_corpus(corpus_files):
    db_path, good = corpus_files
    ds = make_datasette(db_path)
    response = await ds.client.get("/-/source/good")
    assert response.status_code == 200 and response.content == good.read_bytes()
    for doc_id in ("link", "dots"):
        response = await ds.client.get(f"/-/source/{doc_id}")
        assert response.status_code == 404, doc_id
        assert "root:x" not in response.text
        assert "outside the corpus" in response.text or "not one that can be served" in response.text


async def test_source_roots_can_be_set(corpus_files, monkeypatch, tmp_path):
    db_path, _ = corpus_files
    monkeypatch.setenv(sources.ROOTS_ENV, str(tmp_path / "elsewhere"))
    response = await make_datasette(db_path).client.get("/-/source/good")
    assert response.status_code == 404 and "outside the corpus" in response.text


async def test_source_is_streamed_in_chunks_and_hashed_once(corpus_files, monkeypatch):
    db_path, good = corpus_files
    sent = []
    original = sources.FileStream.asgi_send

    async def spy(self, send):
        async def record(message):
            if message["type"] == "http.response.body":
                sent.append(len(message["body"]))
            await send(message)

        await original(self, record)

    monkeypatch.setattr(sources.FileStream, "asgi_send", spy)
    hashed = []
    real_sha = sources.sha256_of
    monkeypatch.setattr(sources, "sha256_of", lambda path: hashed.append(path) or real_sha(path))
    sources._hashes.clear()
    ds = make_datasette(db_path)
    for _ in range(3):
        response = await ds.client.get("/-/source/good")
        assert response.content == good.read_bytes()
    size = good.stat().st_size
    assert size > sources.CHUNK and max(sent) <= sources.CHUNK and sum(sent) == 3 * size
    assert len(hashed) == 3 and len(sources._hashes) == 1  # asked three times, computed once


async def test_source_refuses_a_document_without_a_checksum(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("We will act.", encoding="utf-8")
    db = open_db(tmp_path / "plans.db")
    db["documents"].insert({"id": "nosum", "source": "plan.txt", "format": "text", "path": str(plan)})
    db.conn.close()
    response = await make_datasette(tmp_path / "plans.db").client.get("/-/source/nosum")
    assert response.status_code == 409 and "checksum" in response.text


def test_the_authorizer_hides_the_path_column_and_refuses_writes(publish_db_path):
    conn = sqlite3.connect(f"file:{publish_db_path}?immutable=1", uri=True)
    safety.prepare(conn)
    assert {r[0] for r in conn.execute("select path from documents")} == {None}
    assert all(r[0] for r in conn.execute("select source from documents"))
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("update documents set title = 'x'")


@pytest.mark.parametrize(("path", "name"), [("/councilplans/search_commitments.csv", "search_commitments.csv"),
                                            ("/councilplans/actions.csv", "actions.csv")])
async def test_csv_downloads_as_a_file(ds, path, name):
    response = await ds.client.get(path)
    assert response.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(rf'attachment; filename="{re.escape(name)}"', response.headers["content-disposition"])
