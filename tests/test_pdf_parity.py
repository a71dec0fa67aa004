"""PDF versions of the bundled documents (real tables with ruling lines, coloured RAG cells,
tables crossing pages, bulleted lists; made by scripts/make_pdf_corpus.py) must score within
0.03 of the text versions for every record kind."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pipeline.evaluate import evaluate, load_gold
from pipeline.export import export_all
from pipeline.ingest import ingest
from pipeline.store import open_db

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 0.03


@pytest.fixture(scope="module")
def pdf_report(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("make_pdf_corpus", ROOT / "scripts" / "make_pdf_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("pdf-corpus")
    assert module.main([str(folder)]) == 0
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 5
    db_path = folder / "pdf.db"
    report = ingest(pdfs, db_path)
    assert not report.failed, report.failed
    return evaluate(load_gold(ROOT / "corpus" / "gold"), export_all(open_db(db_path)))


@pytest.fixture(scope="module")
def text_report(corpus_db):
    return evaluate(load_gold(ROOT / "corpus" / "gold"), export_all(corpus_db))


@pytest.mark.parametrize("kind", ["priorities", "actions", "measures"])
def test_pdf_scores_within_tolerance_of_text(pdf_report, text_report, kind):
    assert not pdf_report.missing_documents
    assert pdf_report.kinds[kind].f1 >= text_report.kinds[kind].f1 - TOLERANCE, pdf_report.explain(limit=20)


def test_pdf_records_carry_page_and_bounding_box(pdf_report, tmp_path_factory):
    # The same run's database: every PDF record has a box on its page.
    folder = next(Path(p) for p in tmp_path_factory.getbasetemp().glob("pdf-corpus*"))
    db = open_db(folder / "pdf.db")
    for table in ("actions", "measures", "priorities"):
        rows = list(db[table].rows)
        assert rows and all(r["bbox"] and r["page"] >= 1 for r in rows), table
