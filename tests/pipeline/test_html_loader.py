from __future__ import annotations

import pytest

from pipeline.loaders import LoadError, load
from pipeline.loaders.html import load_html


def load_string(tmp_path, html: str | bytes, name: str = "page.html"):
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return load_html(path)


def blocks_of(tmp_path, body: str):
    document = load_string(tmp_path, f"<html><body>{body}</body></html>")
    return [b for b in document.blocks]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<h1>Our plan</h1>", [("heading", 1, None, "Our plan")]),
        ("<h3>Priority <em>two</em></h3>", [("heading", 3, None, "Priority two")]),
        ("<p>We will act <b>now</b>.</p>", [("paragraph", None, None, "We will act now.")]),
        ("<p>First line<br>second line</p>", [("paragraph", None, None, "First line second line")]),
        ("<div>Bare text in a div</div>", [("paragraph", None, None, "Bare text in a div")]),
        ("<div>Lead in <span>text</span><p>A paragraph</p>tail</div>",
         [("paragraph", None, None, "Lead in text"), ("paragraph", None, None, "A paragraph"), ("paragraph", None, None, "tail")]),
        ("<ul><li>one</li><li>two</li></ul>", [("list_item", 0, "•", "one"), ("list_item", 0, "•", "two")]),
        ("<ol><li>first</li><li>second</li></ol>", [("list_item", 0, "1.", "first"), ("list_item", 0, "2.", "second")]),
        ('<ol start="4"><li>fourth</li></ol>', [("list_item", 0, "4.", "fourth")]),
        ("<ul><li>outer<ol><li>inner a</li><li>inner b</li></ol></li><li>after</li></ul>",
         [("list_item", 0, "•", "outer"), ("list_item", 1, "1.", "inner a"), ("list_item", 1, "2.", "inner b"), ("list_item", 0, "•", "after")]),
        ("<ul><li><p>item in a p</p></li></ul>", [("list_item", 0, "•", "item in a p")]),
    ],
)
def test_block_kinds(tmp_path, body, expected):
    got = [(b.kind, b.level, b.marker, b.text) for b in blocks_of(tmp_path, body)]
    assert got == expected


def test_blocks_are_on_page_one_without_spans_and_numbered(tmp_path):
    blocks = blocks_of(tmp_path, "<h2>A</h2><p>B</p><ul><li>C</li></ul>")
    assert [b.id for b in blocks] == ["p1-b1", "p1-b2", "p1-b3"]
    assert all(b.page == 1 and b.span is None for b in blocks)


def test_page_furniture_is_dropped(tmp_path):
    body = (
        "<header><p>Site header</p></header><nav><ul><li>Home</li></ul></nav>"
        '<div role="navigation"><a href="/">Skip</a></div><script>var x = 1;</script>'
        "<style>p {color: red}</style><aside>Related links</aside>"
        "<main><p>Real content.</p></main><footer>Cookies</footer><!-- a comment -->"
    )
    assert [b.text for b in blocks_of(tmp_path, body)] == ["Real content."]


def test_table_with_th_header_lines_and_fills(tmp_path):
    body = """
    <table>
      <thead><tr><th>Ref</th><th>Action</th><th>Status</th></tr></thead>
      <tbody>
        <tr><td>1.1</td><td><p>Recruit foster carers</p><ul><li>by March 2024</li></ul></td>
            <td style="background-color: #00FF00">Green</td></tr>
        <tr><td>1.2</td><td>Open hub<br>in Leeds</td><td bgcolor="red"><span style="background: amber">Amber</span></td></tr>
      </tbody>
    </table>"""
    (block,) = blocks_of(tmp_path, body)
    assert block.kind == "table"
    table = block.table
    assert table.header == ("Ref", "Action", "Status")
    assert table.pages == (1,)
    assert [r.texts for r in table.rows] == [
        ["1.1", "Recruit foster carers by March 2024", "Green"],
        ["1.2", "Open hub in Leeds", "Amber"],
    ]
    assert table.rows[0].cells[1].lines == ("Recruit foster carers", "by March 2024")
    assert table.rows[1].cells[1].lines == ("Open hub", "in Leeds")
    assert table.rows[0].cells[2].fills == ("#00ff00",)
    assert set(table.rows[1].cells[2].fills) == {"red", "amber"}
    assert block.text == "1.1 | Recruit foster carers by March 2024 | Green\n1.2 | Open hub in Leeds | Amber"


@pytest.mark.parametrize(
    ("first_row", "header"),
    [
        ("<tr><td>Ref</td><td>Key Action</td><td>RAG</td></tr>", ("Ref", "Key Action", "RAG")),
        ("<tr><th>Anything</th><th>Else</th></tr>", ("Anything", "Else")),
        ("<tr><td>We will recruit more carers</td><td>2024</td></tr>", ()),
    ],
)
def test_table_header_detection(tmp_path, first_row, header):
    (block,) = blocks_of(tmp_path, f"<table>{first_row}<tr><td>x</td><td>y</td></tr></table>")
    assert block.table.header == header
    assert block.table.rows[-1].texts == ["x", "y"]


def test_nested_table_rows_are_not_rows_of_the_outer_table(tmp_path):
    body = "<table><tr><td>outer<table><tr><td>inner</td></tr></table></td><td>b</td></tr></table>"
    (block,) = blocks_of(tmp_path, body)
    assert len(block.table.rows) == 1


@pytest.mark.parametrize(
    ("html", "title"),
    [
        ("<html><head><title>Children's Plan 2024</title></head><body><h1>Other</h1></body></html>", "Children's Plan 2024"),
        ("<html><body><h2>Sub</h2><h1>The Heading</h1></body></html>", "The Heading"),
    ],
)
def test_title_metadata(tmp_path, html, title):
    document = load_string(tmp_path, html)
    assert document.metadata["title"] == title
    assert all("Children's Plan 2024" != b.text for b in document.blocks)


def test_meta_charset_is_honoured(tmp_path):
    html = '<html><head><meta charset="windows-1252"></head><body><p>Children’s services – £5m</p></body></html>'
    document = load_string(tmp_path, html.encode("cp1252"))
    assert [b.text for b in document.blocks] == ["Children’s services – £5m"]


def test_binary_content_is_refused(tmp_path):
    with pytest.raises(LoadError) as info:
        load_string(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert info.value.problem == "binary content, not an HTML document"


def test_end_to_end_through_load(tmp_path):
    path = tmp_path / "strategy.htm"
    path.write_text(
        "<!doctype html><html><head><title>Strategy</title></head><body>"
        "<h1>Strategy</h1><p>We will improve attendance.</p><ul><li>by 2025</li></ul></body></html>",
        encoding="utf-8",
    )
    document = load(path)
    assert document.format == "html"
    assert document.source == "strategy.htm"
    assert len(document.sha256) == 64
    assert document.page_count == 1
    assert [b.kind for b in document.blocks] == ["heading", "paragraph", "list_item"]


def test_a_description_list_reads_as_term_and_description_lines(tmp_path):
    document = load_string(tmp_path, "<html><body><h2>Key</h2><dl><dt>PH</dt><dd>Public Health</dd>"
                                     "<dt>COM</dt><dd>Communications Team</dd></dl></body></html>")
    assert [b.text for b in document.blocks][1:] == ["PH – Public Health", "COM – Communications Team"]


def test_rowspan_and_colspan_cells_keep_the_columns_aligned(tmp_path):
    document = load_string(tmp_path, (
        "<html><body><table><thead><tr><th>Badge</th><th>Milestone</th><th>Lead</th><th>When</th></tr></thead><tbody>"
        "<tr><td rowspan='2'>Healthy</td><td>Open four holiday hubs</td><td>PH</td><td>July 2026</td></tr>"
        "<tr><td>Extend the school nursing drop-in</td><td>PH</td><td>2026/27</td></tr>"
        "<tr><td>Place</td><td colspan='2'>Co-design the play area refurbishment</td><td>2026</td></tr>"
        "</tbody></table></body></html>"))
    (table,) = [b.table for b in document.blocks if b.kind == "table"]
    assert [tuple(c.text for c in r.cells) for r in table.rows] == [
        ("Healthy", "Open four holiday hubs", "PH", "July 2026"),
        ("", "Extend the school nursing drop-in", "PH", "2026/27"),
        ("Place", "Co-design the play area refurbishment", "", "2026"),
    ]
