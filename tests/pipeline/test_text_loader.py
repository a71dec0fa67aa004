from __future__ import annotations

import pytest

from pipeline.loaders import LoadError, load
from pipeline.loaders.text import looks_like_header, parse_cell, parse_text


def blocks_of(text: str):
    return [b for page in parse_text(text) for b in page.blocks]


@pytest.mark.parametrize(
    ("text", "kind", "marker", "body"),
    [
        ("- Improve school attendance", "list_item", "-", "Improve school attendance"),
        ("  • work with the Board by September 2022", "list_item", "•", "work with the Board by September 2022"),
        ("- ✓ We will listen to feedback.", "list_item", "- ✓", "We will listen to feedback."),
        ("  12. number of children in care", "list_item", "12.", "number of children in care"),
        ("a) first thing to do", "list_item", "a)", "first thing to do"),
        ("1a) working with Rother District Council", "list_item", "1a)", "working with Rother District Council"),
        ("ii) Housing", "list_item", "ii)", "Housing"),
        ("(iv) Retail", "list_item", "(iv)", "Retail"),
        ("Our vision", "heading", None, "Our vision"),
        ("PRIORITY 3 – POSITIVE RELATIONSHIPS AND IDENTITY", "heading", None, "PRIORITY 3 – POSITIVE RELATIONSHIPS AND IDENTITY"),
        ("We launched our approach in 2018. It is still relevant.", "paragraph", None, "We launched our approach in 2018. It is still relevant."),
        ("Summary of **priorities** for children's <u>services</u>", "heading", None, "Summary of priorities for children's services"),
        ("We will:", "paragraph", None, "We will:"),
    ],
)
def test_line_kinds(text, kind, marker, body):
    (block,) = blocks_of(text)
    assert (block.kind, block.marker, block.text) == (kind, marker, body)


def test_hard_wrapped_lines_join_into_one_block():
    (block,) = blocks_of("Expand Family Led\nDecision making and the\nFGC offer")
    assert block.text == "Expand Family Led Decision making and the FGC offer"


def test_priority_heading_keeps_its_wrapped_title():
    (block,) = blocks_of("Priority 1\nSupporting an Integrated Early\nHelp System so children get the\nright help at the right time")
    assert block.kind == "heading"
    assert block.text.startswith("Priority 1 Supporting an Integrated Early Help System")


def test_lead_in_splits_from_the_line_above_and_bullets_follow():
    blocks = blocks_of("SDG 4 / 8\nWe will:\n  • work with partners\n  • create a strategy by June 2020")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "list_item", "list_item"]
    assert blocks[1].text == "We will:"
    assert blocks[3].text == "create a strategy by June 2020"


def test_empty_bullet_is_dropped():
    assert [b.text for b in blocks_of("- first item\n-\n- second item")] == ["first item", "second item"]


def test_spans_point_back_into_the_source():
    text = "Heading here\n\nWe know this. We will act now."
    blocks = blocks_of(text)
    assert text[blocks[1].span.start : blocks[1].span.end] == "We know this. We will act now."


@pytest.mark.parametrize(
    ("raw", "lines", "fills"),
    [
        ("plain text", ("plain text",), ()),
        ("<p>One</p> <p>Two</p>", ("One", "Two"), ()),
        ("<ul><li>A item</li><li>B item</li></ul>", ("A item", "B item"), ()),
        ("first<br>second", ("first", "second"), ()),
        ("<i>*May need to add measures</i>", ("*May need to add measures",), ()),
        ('<div style="background-color: red; height: 20px;"></div> <div style="background-color: yellow;"></div>', (), ("red", "yellow")),
        ('<p>NE12 framework includes:</p> <ul style="list-style-type: none"> Pre-16 placements, 52', ("NE12 framework includes:", "Pre-16 placements, 52"), ()),
    ],
)
def test_cells(raw, lines, fills):
    cell = parse_cell(raw)
    assert cell.lines == lines
    assert cell.fills == fills
    assert cell.text == " ".join(lines)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Ref", "Key Action", "Workstream Involved", "RAG Rating"], True),
        (["Measure of success", "Performance indicator/outcome", "Outturn position 2023/24"], True),
        (["Start Life Well", "Live and Age Well", "Clean and Tidy"], False),
        (["Priority 1 Children grow up safe loved and happy and well", "Priority 2 – Children have a healthy childhood"], False),
        (["1.1a", "Ensure staff have the knowledge"], False),
    ],
)
def test_header_rows(cells, expected):
    assert looks_like_header(cells) is expected


TABLE = (
    "Ref\tKey Action\tWorkstream\tRAG Rating\n"
    "1.1 - Ensure children know their entitlements\t\t\t\n"
    "1.1a\tEnsure staff listen to children\tParticipation\t\n"
    "1.1b\tEnsure young people can\tCare Leavers\tRed\n"
    "\n"
    "Ref\tKey Action\tWorkstream\tRAG Rating\n"
    "\thave access to an independent visitor\t\tRed\n"
    "1.1c\tCelebrate achievements\tParticipation\t<div style=\"background-color: green;\"></div>\n"
)


def test_table_repeated_header_is_a_page_break_and_continued_row_merges():
    (block,) = blocks_of(TABLE)
    table = block.table
    assert table.header == ("Ref", "Key Action", "Workstream", "RAG Rating")
    assert [r.cells[0].text for r in table.rows] == ["1.1 - Ensure children know their entitlements", "1.1a", "1.1b", "1.1c"]
    continued = table.rows[2]
    assert continued.cells[1].text == "Ensure young people can have access to an independent visitor"
    assert continued.page == 1
    assert table.rows[3].page == 2
    assert table.pages == (1, 2)
    assert table.rows[3].cells[3].fills == ("green",)


def test_table_separated_by_text_is_a_new_table():
    text = "Ref\tAction\n1\tDo a thing\n\nA heading\n\nRef\tAction\n2\tDo another thing\n"
    tables = [b for b in blocks_of(text) if b.kind == "table"]
    assert len(tables) == 2


def test_form_feed_starts_a_new_page():
    pages = parse_text("First page text\f Second page text")
    assert [p.number for p in pages] == [1, 2]
    assert pages[1].blocks[0].page == 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"%PDF-1.7\n garbage that is not a pdf", "could not be read as pdf"),
    ],
)
def test_unreadable_files_raise_load_error_naming_the_file(tmp_path, content, problem):
    name = "bad.pdf" if content.startswith(b"%PDF") else "bad.txt"
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as info:
        load(path)
    assert name in str(info.value)
    assert problem in str(info.value)


def test_windows_1252_text_is_decoded_with_a_warning(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("We will improve children’s services by March 2025".encode("cp1252"))
    document = load(path)
    assert "children’s" in next(document.blocks).text
    assert any("Windows-1252" in w for w in document.warnings)


def test_running_headers_with_page_numbers_are_dropped_but_repeated_structure_stays():
    text = "\n\n".join(
        f"STROUD DISTRICT LOCAL PLAN REVIEW | DRAFT PLAN 2021  Page | {n}\n\nPriority {n}\n\nWe will:\n- act on item {n}"
        for n in range(1, 5)
    )
    texts = [b.text for b in blocks_of(text)]
    assert not any("STROUD" in t for t in texts)
    assert texts.count("We will:") == 4
    assert [t for t in texts if t.startswith("Priority")] == ["Priority 1", "Priority 2", "Priority 3", "Priority 4"]


def test_a_priority_line_inside_a_paragraph_starts_its_own_heading():
    blocks = blocks_of("Strategic Objective SO2: Local economy and jobs\nProviding for a strong local economy.")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Strategic Objective SO2: Local economy and jobs"),
        ("paragraph", "Providing for a strong local economy."),
    ]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("- act now\n\n4. Resources\n\nSome text about money.", ["list_item", "heading", "paragraph"]),
        ("1. First item here\n\n2. Second item here\n\n3. Third item here", ["list_item", "list_item", "list_item"]),
        ("1. First item here\n2. Second item here", ["list_item", "list_item"]),
        ("Intro text.\n\n1. This numbered paragraph explains the background at some length.\n\nMore.", ["paragraph", "list_item", "paragraph"]),
    ],
)
def test_numbered_section_headings_versus_numbered_items(text, kinds):
    assert [b.kind for b in blocks_of(text)] == kinds


def test_a_running_header_is_dropped_but_list_lines_differing_in_figures_stay():
    body = "\n".join(f"Paragraph {k} of the plan's text." for k in range(7))
    pages = [f"CHILDREN AND YOUNG PEOPLE PLAN 2025  Page {n}\n\n{body}\n" for n in range(1, 4)]
    texts = [b.text for b in blocks_of("\n".join(pages))]
    assert not any("Page" in t for t in texts)  # printed on every page, pages apart
    commitments = ("- Open 2 new family hubs by March 2025\n"
                   "- Open 3 new family hubs by March 2026\n"
                   "- Open 4 new family hubs by March 2027\n")
    assert [b.text for b in blocks_of(commitments)] == [
        "Open 2 new family hubs by March 2025",
        "Open 3 new family hubs by March 2026",
        "Open 4 new family hubs by March 2027",
    ]


def test_a_lettered_list_under_a_bare_objective_label():
    # A plain-text local plan: the label on its own line, its name on the next, a lead-in, then
    # lettered means whose wrapped lines start in lower case without indentation.
    text = ("Objective 1: \nAchieve and sustain a thriving economy\nThis will be achieved through: \n"
            "1a) working with Rother District Council to ensure regeneration in the Hastings/Bexhill area is beneficial to the \n"
            "economy, environment and communities of both towns.\n1b) providing for 20,500m2 of retail floorspace by 2028\n"
            "Objective 2: Supporting sustainable communities\nThis will be achieved by:\n2a) working with partners\n")
    got = [(b.kind, b.marker, b.text) for b in blocks_of(text)]
    assert got == [
        ("heading", None, "Objective 1: Achieve and sustain a thriving economy"),
        ("paragraph", None, "This will be achieved through:"),
        ("list_item", "1a)", "working with Rother District Council to ensure regeneration in the Hastings/Bexhill area "
                             "is beneficial to the economy, environment and communities of both towns."),
        ("list_item", "1b)", "providing for 20,500m2 of retail floorspace by 2028"),
        ("heading", None, "Objective 2: Supporting sustainable communities"),
        ("paragraph", None, "This will be achieved by:"),
        ("list_item", "2a)", "working with partners"),
    ]


def test_a_capitalised_line_after_a_list_item_starts_a_new_block():
    got = [(b.kind, b.text) for b in blocks_of("- Improve attendance\nThe board meets monthly and reviews progress against each priority.")]
    assert got == [("list_item", "Improve attendance"),
                   ("paragraph", "The board meets monthly and reviews progress against each priority.")]


def test_a_justified_line_spaced_with_tabs_is_prose_but_a_row_of_figures_stays_a_table():
    got = [(b.kind, b.text) for b in blocks_of("a)\t ensure\tdevelopment\talong\tthe\tQueensway\tEmployment\tCorridor\tmeets\thigh\tstandards")]
    assert got == [("list_item", "ensure development along the Queensway Employment Corridor meets high standards")]
    (table,) = blocks_of("Area\tHomes\tFloorspace\nTotal\t1,100\t36,700m²")
    assert table.kind == "table" and [c.text for c in table.table.rows[-1].cells] == ["Total", "1,100", "36,700m²"]


def test_a_lettered_list_of_a_conversion_runs_past_h_and_its_lead_in_stands_alone():
    text = ("Total 1,100 - 1,290 36,700m² Table 2: The quantity of development for Western Area     45\n"
            "In Western Area, we will also:\n"
            "d)\t be\tless\tstrict\tin\tretaining\tpremises\tin\ttheir\texisting\tland\tuse\t(as\tdefined\tby\tthe\tLand\tUse\t\n"
            "Classes Order) providing a sound case can be made\n"
            "j) support the network of cycle routes to link communities and facilities\n"
            "k) direct development to areas at the lowest risk of flooding, in the vicinity of the Combe Haven River,"
            "\tStonehouse\tDrive,\tUpper\tGlen\tRoad\tand\tGillsmans\tHill\n"
            "m) support the opening of the St Leonards Academy\n")
    got = [(b.kind, b.marker, b.text[:40]) for b in blocks_of(text)]
    assert got[0][2] == "Total 1,100 - 1,290 36,700m² Table 2: Th"  # the lead-in is not run into it
    assert got[1:] == [
        ("paragraph", None, "In Western Area, we will also:"),
        ("list_item", "d)", "be less strict in retaining premises in "),
        ("list_item", "j)", "support the network of cycle routes to l"),
        ("list_item", "k)", "direct development to areas at the lowes"),
        ("list_item", "m)", "support the opening of the St Leonards A"),
    ]
    assert blocks_of(text)[2].text.endswith("Land Use Classes Order) providing a sound case can be made")
    assert blocks_of(text)[4].text.endswith("Upper Glen Road and Gillsmans Hill")
    # a row of short capitalised cells is a table row, not a justified sentence
    (table,) = blocks_of("Ref\tAction\tLead\tQ1\tQ2\tQ3\tQ4\n1.1\tRecruit forty new foster carer households across the county\tHead\tX\tX\tX\tX")
    assert table.kind == "table"


def test_paragraphs_of_a_hard_wrapped_conversion_without_blank_lines():
    # A PDF-to-text conversion of a local plan: lines wrapped at one width, no blank line between
    # paragraphs. A numbered paragraph starts a block; so does a line after one that stops short
    # at a sentence's end, and a short heading stands alone.
    wrapped = ("The Council will monitor the delivery of the plan through an annual monitoring report and "
               "will review it \n")
    body = "".join(
        f"11.{k} Our housing supply will also stem from new housing land allocations and mechanisms such as \n"
        f"ensuring best use of land and supporting appropriate densities across the whole of the District and \n"
        f"{wrapped}"
        f"every five years.\n" for k in range(1, 7))
    text = body + ("Neighbourhood Plans \nNeighbourhood Planning allows people to come together through a local parish "
                   "or village \ncouncil and say where they think new houses, businesses and shops should go. \n"
                   "It is optional.\nThe Council supports every group that prepares a plan and will offer them advice.\n")
    got = [(b.kind, b.text[:30]) for b in blocks_of(text)]
    assert got == [("paragraph", f"11.{k} Our housing supply will a") for k in range(1, 7)] + [
        ("heading", "Neighbourhood Plans"),
        ("paragraph", "Neighbourhood Planning allows "),
        ("paragraph", "The Council supports every gro"),
    ]


def test_lines_of_irregular_length_without_blank_lines_stay_one_paragraph():
    # One sentence a line and lines of every length: not a hard-wrapped text, so short lines do
    # not end the paragraph (only blank lines and numbered paragraphs would).
    text = "We will:\nwork with schools.\nTrain staff across the whole county so that every child is seen.\nReview.\n"
    assert [b.text for b in blocks_of(text)] == ["We will:", "work with schools. Train staff across the whole county "
                                                              "so that every child is seen. Review."]


def test_words_a_converter_broke_with_a_space_are_mended_where_the_document_prints_them_whole():
    # A conversion that put spaces inside words. The document prints "objective" and
    # "consultation" whole elsewhere and "bjective" / "sultation" only beside the piece they
    # join, so those are mended; "in to" stays, "to" standing alone elsewhere.
    text = ("Strategic objectives\n\nEach objective is set out below after consultation; one objective a page.\n\n"
            "Strategic o bjective 1 : Economic growth\n\n"
            "Strategic o bjective 2 : Town centres\n\n"
            "The Con sultation went well -being first. We went in to the consultation to talk.\n")
    got = [b.text for b in blocks_of(text)]
    assert got[2:] == ["Strategic objective 1 : Economic growth", "Strategic objective 2 : Town centres",
                       "The Consultation went well-being first. We went in to the consultation to talk."]


def test_a_clean_document_keeps_its_spaces():
    # "plan" and "master" both stand alone, so "master plan" is not joined although
    # "masterplan" is printed twice; with no fragment at all, nothing changes.
    text = ("The masterplan and the masterplan again.\n\nA master plan is a plan. We went in to see the master.\n\n"
            "It is a well -known fact.\n")
    assert [b.text for b in blocks_of(text)][1:] == ["A master plan is a plan. We went in to see the master.",
                                                     "It is a well -known fact."]


FLATTENED = """Table 2.1: Strategic Objectives

Ref
SO1
SO2
SO3
Strategic objective
To respond to the climate emergency by ensuring that new development is zero carbon in
operation and adapts to a changing climate
To deliver at least 15,120 new homes of the right type, size and tenure
To provide at least 35 hectares of employment land

Theme Ref Strategic objective
Nature and
landscapeSO4 To protect and enhance the natural environment and
conserve the character of the National Landscape
"""


def test_a_code_column_flattened_apart_from_its_texts_is_paired_back_in_order():
    texts = [b.text for b in blocks_of(FLATTENED)]
    assert "SO1 To respond to the climate emergency by ensuring that new development is zero carbon in operation and adapts to a changing climate" in texts
    assert "SO2 To deliver at least 15,120 new homes of the right type, size and tenure" in texts
    assert "SO3 To provide at least 35 hectares of employment land" in texts
    # a code glued to the cell before it starts a block of its own
    assert "SO4 To protect and enhance the natural environment and conserve the character of the National Landscape" in texts
    # spans still point at the text in the source
    block = next(b for b in blocks_of(FLATTENED) if b.text.startswith("SO2"))
    assert FLATTENED[block.span.start:block.span.end] == "To deliver at least 15,120 new homes of the right type, size and tenure"


def test_codes_and_texts_that_do_not_number_alike_are_left_alone():
    # four texts for three codes: one code was lost, and pairing would put each text under the wrong code
    text = "SO1\nSO2\nSO3\nEnsure the land protects the environment\nProvide a high quality of life for everyone\nTo reduce CO2 emissions from development\nImprove the green infrastructure network\n"
    texts = [b.text for b in blocks_of(text)]
    assert texts == [" ".join(text.split())]  # as before: the lines as one paragraph
