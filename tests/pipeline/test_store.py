"""The store: one document's records written in one transaction, links kept consistent."""

from __future__ import annotations

from pipeline.store import open_db, store_extraction
from schemas.records import DocumentInfo, Extraction, Priority


def test_priority_parents_point_back_to_the_nearest_earlier_number(tmp_path):
    # A plan whose printed lists restart at 1: domain "1." with its sub-priority "1.1" (parent
    # "1"), then a later list that starts again at "1.". The sub-priority's parent is the "1"
    # printed before it, not the later one (which would also break the foreign key on parent_id).
    priorities = (
        Priority(number="1", level=1, title="Protecting children from harm"),
        Priority(number="1.1", level=2, title="Multi-agency approaches", parent="1"),
        Priority(number="1", level=1, title="People with lived experience are heard"),
        Priority(number="2", level=1, title="Criminal justice pathways"),
    )
    db = open_db(tmp_path / "t.db")
    doc_id = store_extraction(db, Extraction(document=DocumentInfo(source="dap.pdf", sha256="a" * 64), priorities=priorities),
                              council=None)
    rows = list(db.query("SELECT id, number, title, parent_id FROM priorities WHERE document_id = ? ORDER BY ordinal", [doc_id]))
    assert [r["number"] for r in rows] == ["1", "1.1", "1", "2"]
    assert rows[1]["parent_id"] == rows[0]["id"]
    assert [r["parent_id"] for r in (rows[0], rows[2], rows[3])] == [None, None, None]
