from __future__ import annotations

import pytest

from pipeline.loaders import LoadError, load
from pipeline.loaders.html import load_html
from tests.conftest import SHARED_REAL


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{% extends "base.html" %}{% block content %}<h1>Plan</h1>{% endblock %}', "<h1>Plan</h1>"),
        ("<p>Due {{ plan.year }}</p>{# reviewer: check #}", "<p>Due </p>"),
        ("{%- if x -%}<p>a</p>{%- endif -%}", "<p>a</p>"),
        ("<p>Set {a, b} and 50% {not a tag}</p>", "<p>Set {a, b} and 50% {not a tag}</p>"),
    ],
)
def test_strip_template_tags(text, expected):
    from pipeline.loaders.html import strip_template_tags

    assert strip_template_tags(text) == expected


def test_a_template_without_html_or_body_loads_whole(tmp_path):
    document = load_string(tmp_path, (
        '{% extends "partials/_template.html" %}\n{% block content %}\n<div class="page">'
        "<h1>Plan {{ year }}</h1><p>We will act.</p>{# todo #}</div>\n{% endblock %}\n"))
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [("heading", 1, "Plan"), ("paragraph", None, "We will act.")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A section whose intro is an <aside> with the headline, then its list of <li><p> items.
        ('<section class="list"><aside class="list__intro"><h2><strong>Data driven</strong></h2>'
         '<p class="list__subtitle">Using what we know</p></aside>'
         '<ul><li><p>Use data well</p></li><li><p>Share it</p><p>openly</p></li></ul></section>',
         [("heading", 2, None, "Data driven"), ("paragraph", None, None, "Using what we know"),
          ("list_item", 0, "•", "Use data well"), ("list_item", 0, "•", "Share it openly")]),
        # A sidebar of links is still furniture; so is an aside without a heading.
        ('<aside><h2>Related links</h2><ul><li><a href="/a">A page about things</a></li>'
         '<li><a href="/b">Another page here</a></li></ul></aside><aside><p>Promo</p></aside><p>Body.</p>',
         [("paragraph", None, None, "Body.")]),
        # A <header> inside an article is the article's heading, not the page banner.
        ("<header><p>Council banner</p></header><article><header><h2>Priority 1</h2></header><p>Text</p></article>",
         [("heading", 2, None, "Priority 1"), ("paragraph", None, None, "Text")]),
        # Blocks in figure, details and a link wrapping a card keep document order.
        ('<figure><figcaption>Figure 1</figcaption></figure><details><summary>More</summary><p>Detail</p></details>'
         '<ul><a href="/s" class="card"><h3>Sabrina</h3><p>Follow Sabrina.</p></a></ul>',
         [("paragraph", None, None, "Figure 1"), ("paragraph", None, None, "More"), ("paragraph", None, None, "Detail"),
          ("heading", 3, None, "Sabrina"), ("paragraph", None, None, "Follow Sabrina.")]),
        # ARIA headings and lists.
        ('<div role="heading" aria-level="3">Our aims</div><div role="heading">No level given</div>',
         [("heading", 3, None, "Our aims"), ("heading", 2, None, "No level given")]),
        ('<div role="list"><div role="listitem">One</div><div role="listitem">Two</div></div>',
         [("list_item", 0, "•", "One"), ("list_item", 0, "•", "Two")]),
        # Cards: a title element one level below the section's heading, then the body.
        ('<h2>Principles</h2><div class="card"><div class="card__title">Invest in people</div>'
         '<div class="card__body">We will train staff.</div></div><div class="card"><span class="card-heading">Be open</span>'
         "<p>We will publish.</p></div>",
         [("heading", 2, None, "Principles"), ("heading", 3, None, "Invest in people"), ("paragraph", None, None, "We will train staff."),
          ("heading", 3, None, "Be open"), ("paragraph", None, None, "We will publish.")]),
        ('<div class="box"><strong>Invest in people</strong><br>We will train staff.</div>',
         [("heading", None, None, "Invest in people"), ("paragraph", None, None, "We will train staff.")]),
        ("<h2>Our principles</h2><p><strong>Be open</strong><br>We will publish.<br>Every month.</p>",
         [("heading", 2, None, "Our principles"), ("heading", 3, None, "Be open"), ("paragraph", None, None, "We will publish. Every month.")]),
        ("<p><strong>Lead:</strong><br>Director</p>", [("paragraph", None, None, "Lead: Director")]),
        # A bold lead-in inside running text is not a title.
        ("<div><strong>Note:</strong> this applies to all.</div>", [("paragraph", None, None, "Note: this applies to all.")]),
        ('<p class="list__subtitle">A subtitle is not a title</p>', [("paragraph", None, None, "A subtitle is not a title")]),
        # <br> in bare text splits where a new sentence starts; a blank line splits a <p>.
        ("<div>First sentence here.<br>Second sentence here.</div>",
         [("paragraph", None, None, "First sentence here."), ("paragraph", None, None, "Second sentence here.")]),
        ("<div>We will improve<br>attendance by 2025.</div>", [("paragraph", None, None, "We will improve attendance by 2025.")]),
        ("<p>One<br><br>Two</p>", [("paragraph", None, None, "One"), ("paragraph", None, None, "Two")]),
        ("<p><b>A</b> <i>B</i><br> <br>C</p>", [("paragraph", None, None, "A B"), ("paragraph", None, None, "C")]),
        ("<p>One<br>two</p>", [("paragraph", None, None, "One two")]),
    ],
)
def test_sectioned_and_card_layouts(tmp_path, body, expected):
    got = [(b.kind, b.level, b.marker, b.text) for b in blocks_of(tmp_path, body)]
    assert got == expected


def test_a_strong_card_title_is_bold(tmp_path):
    blocks = blocks_of(tmp_path, '<div class="box"><b>Invest in people</b><p>We will train staff.</p></div>')
    assert [(b.kind, b.bold) for b in blocks] == [("heading", True), ("paragraph", None)]


def test_html_blocks_reads_a_fragment():
    from pipeline.loaders.html import html_blocks

    blocks = html_blocks("<table><tr><th>Ref</th><th>Action</th></tr><tr><td>1</td><td>Act</td></tr></table><p>After</p>")
    assert [b.kind for b in blocks] == ["table", "paragraph"]
    assert blocks[0].table.header == ("Ref", "Action")


@pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="../shared/corpus/real is not available")
def test_lambeth_template_page_loads_its_themes_and_commitments():
    path = SHARED_REAL / "lambeth_digital_vision_delivering_our_vision_2019.html"
    if not path.exists():
        pytest.skip("the Lambeth page is not in ../shared/corpus/real")
    blocks = list(load(path).blocks)
    assert not any("{%" in b.text or "endblock" in b.text for b in blocks)
    headings = [(b.level, b.text) for b in blocks if b.kind == "heading"]
    assert headings[:4] == [(1, "Delivering on our vision"), (2, "End-to-end service experience"),
                            (2, "Data driven organisation"), (2, "Agile ways of working")]
    assert sum(1 for b in blocks if b.kind == "list_item") == 6 + 6 + 5 + 5 + 7
    i = next(i for i, b in enumerate(blocks) if b.text == "So, to get started on our vision we will")
    commitments = [b for b in blocks[i + 1:] if b.kind == "list_item"]
    assert len(commitments) == 7
    assert commitments[0].text == ("Get senior leader buy in - educate on digital, design, agile, and identify priority "
                                   "areas to transform and / or fix")
    j = next(i for i, b in enumerate(blocks) if b.text == "Data driven organisation")
    assert blocks[j + 1].text == ("Using the information we have to understand what people want and need, to define "
                                  "delivery priorities")
