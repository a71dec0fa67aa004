from __future__ import annotations

import time

import pytest

from pipeline.loaders import LoadError, load, sniff_format
from pipeline.loaders.markdown import continues, load_markdown, parse_markdown, reads_as_header
from tests.conftest import SHARED_REAL


def blocks_of(text: str):
    return parse_markdown(text)


def load_string(tmp_path, text: str | bytes, name: str = "plan.md"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return load_markdown(path)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        # ATX and setext headings: level from the markup.
        ("# Our plan", [("heading", 1, None, "Our plan")]),
        ("### Priority *two*", [("heading", 3, None, "Priority two")]),
        ("Our plan\n========\n\nActions\n-------", [("heading", 1, None, "Our plan"), ("heading", 2, None, "Actions")]),
        # Wholly bold paragraphs, with the space before the closing ** that converters write.
        ("**Introduction **", [("heading", None, None, "Introduction")]),
        ("***Priority key for table:***", [("heading", None, None, "Priority key for table:")]),
        ("<strong>Our priorities</strong>", [("heading", None, None, "Our priorities")]),
        ("**1. Introduction**", [("heading", None, None, "1. Introduction")]),
        ("**We will:**", [("paragraph", None, None, "We will:")]),
        # A bold number opening a paragraph is a numbered item; the rest keeps its words.
        ("**3. **For the population to improve, we will be **more inclusive** **and better targeted. **",
         [("list_item", 0, "3.", "For the population to improve, we will be more inclusive and better targeted.")]),
        # Bold-marker noise is dropped.
        ("** **\n\nText here.", [("paragraph", None, None, "Text here.")]),
        ("Care **  ** for all.", [("paragraph", None, None, "Care for all.")]),
        # Escapes undone.
        (r"We will act \(subject to funding\) \*now\*.", [("paragraph", None, None, "We will act (subject to funding) *now*.")]),
        # Markdown lists: printed marker and nesting depth.
        ("1. first\n2. second\n   - nested\n", [("list_item", 0, "1.", "first"), ("list_item", 0, "2.", "second"), ("list_item", 1, "-", "nested")]),
        ("3) third\n4) fourth", [("list_item", 0, "3)", "third"), ("list_item", 0, "4)", "fourth")]),
        ("* star\n\n  more of star\n* next", [("list_item", 0, "*", "star more of star"), ("list_item", 0, "*", "next")]),
        ("- ✓ Done", [("list_item", 0, "✓", "Done")]),
        # Markers CommonMark does not know, at the start of paragraphs or lines.
        ("a) one\n\nb) two", [("list_item", 0, "a)", "one"), ("list_item", 0, "b)", "two")]),
        ("• Leeds City Council\n\n• Healthwatch Leeds", [("list_item", 0, "•", "Leeds City Council"), ("list_item", 0, "•", "Healthwatch Leeds")]),
        ("✓ 1,700 fewer adults admitted to hospital.", [("list_item", 0, "✓", "1,700 fewer adults admitted to hospital.")]),
        ("➢ Improve attendance", [("list_item", 0, "➢", "Improve attendance")]),
        ("(b) Waste development", [("list_item", 0, "(b)", "Waste development")]),
        ("Our partners:\n• NHS Leeds\n• Leeds City Council",
         [("paragraph", None, None, "Our partners:"), ("list_item", 0, "•", "NHS Leeds"), ("list_item", 0, "•", "Leeds City Council")]),
        ("●\nImplement a variety of improvements", [("list_item", 0, "●", "Implement a variety of improvements")]),
        # A lettered part, then numerals under it, then the next part.
        ("A. The Council will act where:\n\ni. the first holds; and\n\nii. the second holds.\n\nB. Otherwise not.",
         [("list_item", 0, "A.", "The Council will act where:"), ("list_item", 1, "i.", "the first holds; and"),
          ("list_item", 1, "ii.", "the second holds."), ("list_item", 0, "B.", "Otherwise not.")]),
        # An item run on into the next one, as converters join lines.
        (r"c. Access to crisis services \(number of attendances\) d. Mental health admissions \(bed days\)",
         [("list_item", 0, "c.", "Access to crisis services (number of attendances)"), ("list_item", 0, "d.", "Mental health admissions (bed days)")]),
        ("• one • Two more", [("list_item", 0, "•", "one"), ("list_item", 0, "•", "Two more")]),
        # ... but not inside Markdown list items, where a dash or number in the text is just text.
        ("- Hackney Central - Focused along Mare Street", [("list_item", 0, "-", "Hackney Central - Focused along Mare Street")]),
        ("1. see paragraph 2. The council will act", [("list_item", 0, "1.", "see paragraph 2. The council will act")]),
        # A wholly bold sentence is emphasis, not a heading.
        ("**We will make sure every child has a school place by 2025.**",
         [("paragraph", None, None, "We will make sure every child has a school place by 2025.")]),
        # Line breaks: soft and hard breaks join with a space; a paragraph broken at a blank line
        # mid-sentence is joined again; a finished sentence is not.
        ("A paragraph broken\nacross lines.", [("paragraph", None, None, "A paragraph broken across lines.")]),
        ("Line one  \nline two", [("paragraph", None, None, "Line one line two")]),
        ("First<br>second", [("paragraph", None, None, "First second")]),
        ("We will improve the quality and\n\nfunction of existing routes.", [("paragraph", None, None, "We will improve the quality and function of existing routes.")]),
        ("We will improve routes.\n\nfunction words follow.", [("paragraph", None, None, "We will improve routes."), ("paragraph", None, None, "function words follow.")]),
        # Bold titles run into a paragraph become headings of their own.
        ("**Better use of resources** Within Leeds a considerable amount of resource is used.",
         [("heading", None, None, "Better use of resources"), ("paragraph", None, None, "Within Leeds a considerable amount of resource is used.")]),
        ("Improvements include: **Better outcomes for people **",
         [("paragraph", None, None, "Improvements include:"), ("heading", None, None, "Better outcomes for people")]),
        # ... but a bold name with its description stays one paragraph.
        ("**The best start in life** – every child ready for school.", [("paragraph", None, None, "The best start in life – every child ready for school.")]),
        # Indented text (an accidental code block) is text.
        ("    indented words here", [("paragraph", None, None, "indented words here")]),
        # Thematic breaks and empty paragraphs give nothing.
        ("---\n\n****\n", []),
    ],
)
def test_block_kinds(markdown, expected):
    got = [(b.kind, b.level, b.marker, b.text) for b in blocks_of(markdown)]
    assert got == expected


@pytest.mark.parametrize(
    ("markdown", "bold"),
    [
        ("**Introduction **", True),
        ("**3. **For the population", True),
        ("1. **People will be equal partners** in their care", True),
        ("**Name** – what it means", True),
        ("Plain words here", None),
        ("Words then **bold** later", None),
    ],
)
def test_bold_is_recorded(markdown, bold):
    (block,) = blocks_of(markdown)
    assert block.bold is bold


def test_spans_point_into_the_source_and_every_block_is_on_page_one():
    text = "# Title\n\nFirst para\nsecond line.\n\n- item one\n  - item two\n\n| A | B |\n|---|---|\n| x | y |\n"
    blocks = blocks_of(text)
    assert [text[b.span.start:b.span.end] for b in blocks] == [
        "# Title", "First para\nsecond line.", "- item one", "- item two", "| A | B |\n|---|---|\n| x | y |",
    ]
    assert [b.id for b in blocks] == ["p1-b1", "p1-b2", "p1-b3", "p1-b4", "p1-b5"]
    assert all(b.page == 1 for b in blocks)
    (row,) = blocks[-1].table.rows
    assert text[row.span.start:row.span.end] == "| x | y |"


def test_spans_of_split_blocks():
    text = "Lead in: **Better outcomes **\n\nc. Access \\(a\\) d. Mental health admissions\n"
    blocks = blocks_of(text)
    assert [(b.kind, text[b.span.start:b.span.end]) for b in blocks] == [
        ("paragraph", "Lead in:"),
        ("heading", "Better outcomes **"),
        ("list_item", "c. Access \\(a\\)"),
        ("list_item", "d. Mental health admissions"),
    ]


def test_pipe_table_header_cells_lines_and_inline_markup():
    text = (
        "| Priority | Indicator | Source |\n"
        "|:---|:---|:---|\n"
        "| Health | **Obesity** at age 4-5 | [NHS Digital](https://x.example), [ONS](https://y.example) |\n"
        "| Poverty | Claims<br>per 1,000 | `DWP` |\n"
    )
    (block,) = blocks_of(text)
    table = block.table
    assert block.kind == "table"
    assert table.header == ("Priority", "Indicator", "Source")
    assert table.pages == (1,)
    assert [r.texts for r in table.rows] == [
        ["Health", "Obesity at age 4-5", "NHS Digital, ONS"],
        ["Poverty", "Claims per 1,000", "DWP"],
    ]
    assert table.rows[1].cells[1].lines == ("Claims", "per 1,000")
    assert block.text == "Health | Obesity at age 4-5 | NHS Digital, ONS\nPoverty | Claims per 1,000 | DWP"


@pytest.mark.parametrize(
    ("text", "header", "rows"),
    [
        # A contents table a converter laid out as a pipe table: its first row is data, and the
        # column that is empty everywhere is dropped.
        ("| LP9 Health and Wellbeing | 8 4 | |\n|---|---|---|\n| LP10 Arts | 8 5 | |\n",
         (), [["LP9 Health and Wellbeing", "8 4"], ["LP10 Arts", "8 5"]]),
        # Key/value tables: labels with colons, or a long value in the first row.
        ("| Lead: | Director of Children's Services |\n|---|---|\n| Due: | March 2026 |\n",
         (), [["Lead:", "Director of Children's Services"], ["Due:", "March 2026"]]),
        ("| Lead | The Director of Children's Services and the Head of Education |\n|---|---|\n| Due | 2026 |\n",
         (), [["Lead", "The Director of Children's Services and the Head of Education"], ["Due", "2026"]]),
        # An empty header row is no header; empty rows are dropped.
        ("| | |\n|---|---|\n| Ref | 1.1 |\n| | |\n", (), [["Ref", "1.1"]]),
        ("| Measure | Target |\n|---|---|\n| Attendance | 95% |\n", ("Measure", "Target"), [["Attendance", "95%"]]),
    ],
)
def test_pipe_table_headers(text, header, rows):
    (block,) = blocks_of(text)
    assert block.table.header == header
    assert [r.texts for r in block.table.rows] == rows


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Priority", "Indicator", "Source"], True),
        (["Ref", "Key Action", "RAG"], True),
        (["LP9 Health and Wellbeing", "8 4", ""], False),
        (["2016 AND 2033", "8"], False),
        (["spaces)"], False),
        (["Lead:", "Director"], False),
    ],
)
def test_reads_as_header(cells, expected):
    assert reads_as_header(cells) is expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("improving the quality and", "function of routes", True),
        ("the town centre is served by the", "Overground station", True),
        ("Historically a village, Dalston was boosted by the arrival of the first", "Dalston Junction station", True),
        ("Forum Central", "We also have a role", False),
        ("Our vision is clear.", "more to say", False),
        ("Leads to:", "the next part", False),
    ],
)
def test_continues(before, after, expected):
    assert continues(before, after) is expected


def test_html_table_block_goes_through_the_html_loader_even_across_a_blank_line():
    text = (
        "Intro.\n\n"
        "<table>\n<tr><th>Ref</th><th>Action</th></tr>\n\n"
        "<tr><td>1.1</td><td>Recruit carers<br>by 2025</td></tr>\n</table>\n\n"
        "After.\n"
    )
    blocks = blocks_of(text)
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph"]
    table = blocks[1].table
    assert table.header == ("Ref", "Action")
    assert [r.texts for r in table.rows] == [["1.1", "Recruit carers by 2025"]]
    assert table.rows[0].cells[1].lines == ("Recruit carers", "by 2025")
    assert text[blocks[1].span.start:blocks[1].span.end].startswith("<table>")
    assert text[blocks[1].span.start:blocks[1].span.end].endswith("</table>")


def test_html_list_block():
    blocks = blocks_of("<ul>\n<li><p>Open two hubs</p></li>\n<li>Train staff</li>\n</ul>\n")
    assert [(b.kind, b.marker, b.text) for b in blocks] == [("list_item", "•", "Open two hubs"), ("list_item", "•", "Train staff")]
    assert all(b.span is not None for b in blocks)


def test_front_matter_title_and_first_h1(tmp_path):
    document = load_string(tmp_path, "---\ntitle: Children's Plan 2024\n---\n# Other\n\nText.\n")
    assert document.metadata["title"] == "Children's Plan 2024"
    assert [b.text for b in document.blocks] == ["Other", "Text."]
    assert load_string(tmp_path, "Intro.\n\n# The Plan\n").metadata["title"] == "The Plan"


def test_end_to_end_through_load(tmp_path):
    path = tmp_path / "strategy.markdown"
    path.write_text("# Strategy\n\nWe will improve attendance.\n\n- by 2025\n", encoding="utf-8")
    document = load(path)
    assert document.format == "markdown"
    assert document.source == "strategy.markdown"
    assert len(document.sha256) == 64
    assert [b.kind for b in document.blocks] == ["heading", "paragraph", "list_item"]
    assert sniff_format(tmp_path / "x.md") == "markdown"


def test_binary_content_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "junk.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(LoadError) as info:
        load(path)
    assert info.value.problem == "binary content, not a text document"
    assert str(info.value).startswith("junk.md: ")


def test_crlf_and_windows_1252_are_read(tmp_path):
    document = load_string(tmp_path, "# Children\u2019s plan\r\n\r\nWe will act.\r\n".encode("cp1252"))
    assert [b.text for b in document.blocks] == ["Children\u2019s plan", "We will act."]
    assert document.warnings == ("not valid UTF-8; decoded as Windows-1252",)


async def test_the_source_route_serves_a_markdown_document_as_plain_text(tmp_path):
    import hashlib

    from pipeline.publish import make_datasette
    from pipeline.store import open_db

    md = tmp_path / "plan.md"
    md.write_text("# Plan\n\n<script>alert(1)</script> We will act.\n", encoding="utf-8")
    db = open_db(tmp_path / "plans.db")
    db["documents"].insert({"id": "md1", "source": "plan.md", "title": "Plan", "format": "markdown", "pages": 1,
                            "sha256": hashlib.sha256(md.read_bytes()).hexdigest(), "path": str(md)})
    db.conn.close()
    response = await make_datasette(tmp_path / "plans.db").client.get("/-/source/md1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-disposition"].startswith("inline")
    assert response.content == md.read_bytes()


# --------------------------------------------------------------------------- real documents

real = pytest.mark.skipif(not SHARED_REAL.is_dir(), reason="../shared/corpus/real is not available")


def _real(name):
    path = SHARED_REAL / name
    if not path.exists():
        pytest.skip(f"{name} is not in ../shared/corpus/real")
    return load(path), path.read_text(encoding="utf-8")


@real
def test_trafford_indicators_table():
    document, _ = _real("trafford_corporate_plan_indicators_2022.md")
    blocks = list(document.blocks)
    assert [(b.kind, b.level, b.text) for b in blocks[:1]] == [("heading", 1, "Indicators")]
    assert [b.text for b in blocks if b.kind == "list_item"] == [
        "Health: Reducing health inequalities", "Poverty: Supporting people out of poverty", "Climate: Addressing our climate crisis",
    ]
    (table,) = [b.table for b in blocks if b.kind == "table"]
    assert table.header == ("Priority", "Indicator", "Source", "Period", "Publication Date", "Next Release", "Notes")
    assert len(table.rows) == 32
    assert table.rows[0].texts == [
        "Health", "Proportion of children aged 4-5 years classified as obese.",
        "NHS Digital National Child Measurement Programme, English indices of deprivation 2019",
        "2010/11 to 2019/20", "Jul 2021", "NA", "NA",
    ]
    assert table.rows[-1].texts[:2] == ["Climate", "Adults walking or cycling five times per week."]
    assert [r.texts[0] for r in table.rows].count("Poverty") == 9


@real
def test_leeds_plan_headings_goals_indicators_and_ticks():
    document, text = _real("leeds_healthy_leeds_plan_summary_2023-28.md")
    blocks = list(document.blocks)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[:3] == ["The Healthy Leeds Plan", "2023 - 2028", "Summary Document"]
    for title in ("Introduction", "Our strategic initiatives", "Summary and next steps", "Better outcomes for people",
                  "Intermediate care provision: HomeFirst programme"):
        assert title in headings
    assert all(b.bold for b in blocks if b.kind == "heading")
    items = [(b.marker, b.text) for b in blocks if b.kind == "list_item"]
    assert [t for m, t in items if m in ("a.", "b.", "c.", "d.")] == [
        "Unplanned acute admissions (bed days)",
        "A&E attendances, including walk-in and Urgent Treatment Centres (number of attendances)",
        "Access to specialist mental health crisis services (number of attendances)",
        "Mental health inpatient admissions (bed days)",
    ]
    ticks = [t for m, t in items if m == "✓"]
    assert len(ticks) == 6 and ticks[0] == "1,700 fewer adults admitted to hospital."
    assert ("3.", "For the population health to improve equitably and for us to reduce health inequalities, our partnership "
            "will need to ensure services are more inclusive and better targeted.") in items
    assert sum(1 for m, _ in items if m == "•") == 22
    # Paragraphs broken at a blank line mid-sentence are whole again.
    assert any(b.text.endswith("who live within the 10% most deprived areas nationally.") for b in blocks)
    # Every block points at its words in the file.
    for b in blocks:
        assert b.page == 1 and 0 <= b.span.start < b.span.end <= len(text)
        first = b.text.split()[0].strip("‘(")[:4]
        assert first in text[b.span.start:b.span.end], (b.id, b.text)


@real
def test_hackney_local_plan_policies_load_fast():
    started = time.perf_counter()
    document, text = _real("hackney_local_plan_lp33_2020.md")
    assert time.perf_counter() - started < 5  # about 1 s here; the brief's budget is 3 s
    blocks = list(document.blocks)
    i = next(i for i, b in enumerate(blocks) if b.kind == "heading" and b.text == "Pp1 - Public Realm")
    assert blocks[i].level == 2
    assert blocks[i + 1].text == ("Public realm improvements and spaces between buildings must be considered as part of all "
                                  "development schemes. Where appropriate, development should:")
    assert [b.marker for b in blocks[i + 2:i + 8]] == ["i.", "ii.", "iii.", "iv.", "v.", "vi."]
    assert blocks[i + 2].text == ("Integrate new and existing public realm: improving the quality and function of existing "
                                  "routes; creating well-defined streets and open spaces; and taking advantage of existing "
                                  "topography and landscape features;")
    j = next(j for j, b in enumerate(blocks) if b.text == "Policy Pp2 Dalston Strategic Principles")
    assert blocks[j + 1].text == "Where appropriate development should:"
    assert (blocks[j + 2].kind, blocks[j + 2].marker) == ("list_item", "●")
    assert blocks[j + 2].text.startswith("Implement a variety of public realm improvements across the town centre")
    assert sum(1 for b in blocks if b.kind == "table") == 13
    assert all(b.span is not None and b.span.end <= len(text) for b in blocks)


PANDOC = """# 3 Our priorities

Our strategy has four priorities, using the key below.

  -----------------------------------------------------------
  **Key**   **Priority**
  --------- -------------------------------------------------
  **P1**    Prevent homelessness earlier

  **P2**    End the use of bed and breakfast for families,
            and of hostels

  **P3**    Make rough sleeping rare
  -----------------------------------------------------------

Indicator                    2024/25   Target
---------------------------- --------- --------
Households in temporary      1,108     750
Families in B&B              121       0

After the tables.
"""


def test_pandoc_multiline_and_simple_tables_are_tables_with_their_columns():
    blocks = parse_markdown(PANDOC)
    assert [b.kind for b in blocks] == ["heading", "paragraph", "table", "table", "paragraph"]
    key, indicators = blocks[2].table, blocks[3].table
    assert key.header == ("Key", "Priority")
    assert [[c.text for c in r.cells] for r in key.rows] == [
        ["P1", "Prevent homelessness earlier"],
        ["P2", "End the use of bed and breakfast for families, and of hostels"],
        ["P3", "Make rough sleeping rare"],
    ]
    assert indicators.header == ("Indicator", "2024/25", "Target")
    assert [c.text for c in indicators.rows[1].cells] == ["Families in B&B", "121", "0"]
    # spans point at the rows in the source
    row = key.rows[1]
    assert PANDOC[row.span.start:row.span.end].startswith("**P2**")
    assert blocks[4].text == "After the tables."


def test_a_setext_underline_or_a_rule_is_not_a_pandoc_table():
    blocks = parse_markdown("Our plan\n--------\n\nSome text.\n\n---\n\nMore text.\n")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph"]
