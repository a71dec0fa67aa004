from __future__ import annotations

import zipfile

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipeline.loaders import LoadError, load
from pipeline.loaders.docx import load_docx


def shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def build(tmp_path, name: str = "plan.docx"):
    """A small strategy: title, headings, lists, a bold lead-in, a page break and a shaded table."""
    word = docx.Document()
    word.core_properties.title = ""
    word.add_heading("Children's Plan", level=0)  # the "Title" style
    word.add_heading("Our priorities", level=1)
    word.add_paragraph("We know that attendance matters. This plan sets out what we will do.")
    word.add_paragraph("Improve attendance", style="List Bullet")
    word.add_paragraph("Support families", style="List Bullet 2")
    word.add_paragraph("Recruit carers", style="List Number")
    word.add_paragraph("Open a hub", style="List Number")
    bold = word.add_paragraph()
    bold.add_run("Key actions").bold = True
    word.add_paragraph("Text before the break.").add_run().add_break(WD_BREAK.PAGE)
    word.add_heading("Delivery", level=2)
    table = word.add_table(rows=3, cols=3)
    for i, text in enumerate(["Ref", "Action", "RAG"]):
        table.rows[0].cells[i].paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text = "1.1"
    table.rows[1].cells[1].text = "Recruit foster carers"
    table.rows[1].cells[1].add_paragraph("by March 2024")
    table.rows[1].cells[2].text = "Green"
    shade(table.rows[1].cells[2], "00B050")
    merged = table.rows[2].cells[0].merge(table.rows[2].cells[1])
    merged.text = "Merged across two columns"
    table.rows[2].cells[2].text = "Amber"
    word.add_page_break()
    word.add_paragraph("Last page text.")
    path = tmp_path / name
    word.save(path)
    return path


@pytest.fixture
def document(tmp_path):
    return load_docx(build(tmp_path))


def test_blocks_in_reading_order(document):
    got = [(b.page, b.kind, b.level, b.marker, b.text) for b in document.blocks if b.kind != "table"]
    assert got == [
        (1, "heading", 1, None, "Children's Plan"),
        (1, "heading", 1, None, "Our priorities"),
        (1, "paragraph", None, None, "We know that attendance matters. This plan sets out what we will do."),
        (1, "list_item", 0, "•", "Improve attendance"),
        (1, "list_item", 1, "•", "Support families"),
        (1, "list_item", 0, "1.", "Recruit carers"),
        (1, "list_item", 0, "2.", "Open a hub"),
        (1, "heading", None, None, "Key actions"),
        (1, "paragraph", None, None, "Text before the break."),
        (2, "heading", 2, None, "Delivery"),
        (3, "paragraph", None, None, "Last page text."),
    ]


def test_pages_and_block_ids(document):
    assert [p.number for p in document.pages] == [1, 2, 3]
    assert all(b.id.startswith(f"p{b.page}-b") for b in document.blocks)
    assert len({b.id for b in document.blocks}) == len(list(document.blocks))


def test_table_header_rows_fills_and_merges(document):
    (block,) = [b for b in document.blocks if b.kind == "table"]
    table = block.table
    assert block.page == 2 and table.pages == (2,)
    assert table.header == ("Ref", "Action", "RAG")
    assert [r.texts for r in table.rows] == [
        ["1.1", "Recruit foster carers by March 2024", "Green"],
        ["Merged across two columns", "Amber"],
    ]
    assert table.rows[0].cells[1].lines == ("Recruit foster carers", "by March 2024")
    assert table.rows[0].cells[2].fills == ("#00b050",)
    assert table.rows[0].cells[0].fills == ()
    assert block.text == "1.1 | Recruit foster carers by March 2024 | Green\nMerged across two columns | Amber"


def test_title_metadata_falls_back_to_the_first_level_one_heading(document):
    assert document.metadata["title"] == "Children's Plan"


def test_title_metadata_from_core_properties(tmp_path):
    word = docx.Document()
    word.core_properties.title = "Corporate Plan 2024-28"
    word.add_paragraph("Body text.")
    path = tmp_path / "titled.docx"
    word.save(path)
    assert load_docx(path).metadata["title"] == "Corporate Plan 2024-28"


def test_vertically_merged_cell_is_not_repeated(tmp_path):
    word = docx.Document()
    table = word.add_table(rows=2, cols=2)
    top = table.cell(0, 0).merge(table.cell(1, 0))
    top.text = "Spans two rows"
    table.cell(0, 1).text = "a"
    table.cell(1, 1).text = "b"
    path = tmp_path / "vmerge.docx"
    word.save(path)
    (block,) = load_docx(path).blocks
    assert [r.texts for r in block.table.rows] == [["Spans two rows", "a"], ["", "b"]]


def test_consecutive_breaks_do_not_make_empty_pages(tmp_path):
    word = docx.Document()
    word.add_paragraph("One.")
    word.add_page_break()
    word.add_page_break()
    word.add_paragraph("Two.")
    path = tmp_path / "breaks.docx"
    word.save(path)
    assert [(b.page, b.text) for b in load_docx(path).blocks] == [(1, "One."), (2, "Two.")]


def corrupt_zip(path):
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40 + b"not really a zip")


def zip_without_document(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "no word parts here")


def ole_file(path):
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def binary_junk(path):
    path.write_bytes(bytes(range(256)) * 4)


@pytest.mark.parametrize(
    ("make", "problem", "hint"),
    [
        (corrupt_zip, "not a valid Word .docx file", None),
        (zip_without_document, "not a valid Word .docx file", None),
        (binary_junk, "not a valid Word .docx file", None),
        (ole_file, "encrypted or legacy .doc file", "save it as .docx without a password"),
    ],
)
def test_load_errors(tmp_path, make, problem, hint):
    path = tmp_path / "broken.docx"
    make(path)
    with pytest.raises(LoadError) as info:
        load_docx(path)
    assert info.value.problem == problem
    if hint:
        assert info.value.hint == hint
    with pytest.raises(LoadError) as via_load:
        load(path)
    assert via_load.value.problem == problem


def test_end_to_end_through_load(tmp_path):
    path = build(tmp_path, "Strategy.docx")
    document = load(path)
    assert document.format == "docx"
    assert document.source == "Strategy.docx"
    assert len(document.sha256) == 64
    assert document.page_count == 3
    kinds = {b.kind for b in document.blocks}
    assert kinds == {"heading", "paragraph", "list_item", "table"}


def test_rendered_page_breaks_count_once(tmp_path):
    """Word marks where it last broke pages; after a hard break that mark must not add a page."""
    word = docx.Document()
    word.add_paragraph("One.")
    word.add_page_break()
    two = word.add_paragraph()
    two._p.append(OxmlElement("w:r"))
    two._p[-1].append(OxmlElement("w:lastRenderedPageBreak"))  # rendered break right after the hard one
    two.add_run("Two, running onto")
    flowing = two.add_run()
    flowing._r.append(OxmlElement("w:lastRenderedPageBreak"))  # the paragraph flows onto page 3
    two.add_run(" the next page.")
    word.add_paragraph("Three.")
    word.add_section()
    word.add_paragraph("Four.")
    path = tmp_path / "rendered.docx"
    word.save(path)
    got = [(b.page, b.text) for b in load_docx(path).blocks]
    assert got == [(1, "One."), (2, "Two, running onto the next page."), (3, "Three."), (4, "Four.")]
