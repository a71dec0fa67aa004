"""The PDF loader on small PDFs drawn here with reportlab, and on the real corpus when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from pipeline.loaders import LoadError, load
from pipeline.loaders.pdf import PAGE_NUMBER, running_key
from pipeline.loaders.pdf_lines import join_lines, strip_bullet
from pipeline.loaders.pdf_objects import colour_to_hex, is_bold_font
from pipeline.loaders.pdf_tables import combine_headers

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WIDTH, HEIGHT = A4
BODY = (
    "The council will work with partners to improve outcomes for children and families across the area",
    "so that every child has the best start in life and the support they need, when they need it, from",
    "services that listen to them and to the people who care for them, in every part of the county.",
)


def unicode_font() -> str:
    """A font with ✓ and friends, when the machine has one; Helvetica covers • and –."""
    if not DEJAVU.exists():
        return "Helvetica"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    return "DejaVuSans"


def draw_lines(c: canvas.Canvas, lines, x: float = 72, top: float = 100, size: float = 10, leading: float = 13,
               font: str = "Helvetica") -> float:
    """Draw lines of text from `top` (distance from the page top); returns where the next line goes."""
    c.setFont(font, size)
    y = top
    for line in lines:
        c.drawString(x, HEIGHT - y, line)
        y += leading
    return y


def draw_table(c: canvas.Canvas, rows, widths, top: float, row_height: float = 20, x: float = 60,
               bold_first: bool = True, fills: dict | None = None) -> float:
    """A ruled table: every cell boxed, text at the top left, optional fills {(row, col): colour}."""
    fills = fills or {}
    y = top
    for r, row in enumerate(rows):
        cx = x
        for col, (text, width) in enumerate(zip(row, widths)):
            colour = fills.get((r, col))
            if colour is not None:
                c.setFillColor(colour)
                c.rect(cx, HEIGHT - y - row_height, width, row_height, stroke=0, fill=1)
                c.setFillColor(colors.black)
            c.rect(cx, HEIGHT - y - row_height, width, row_height, stroke=1, fill=0)
            c.setFont("Helvetica-Bold" if bold_first and r == 0 else "Helvetica", 9)
            c.drawString(cx + 4, HEIGHT - y - 13, text)
            cx += width
        y += row_height
    return y


def pdf(tmp_path: Path, draw, name: str = "doc.pdf", pages: int = 1, **canvas_args) -> Path:
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=(WIDTH, HEIGHT), invariant=1, **canvas_args)
    for page in range(1, pages + 1):
        draw(c, page)
        c.showPage()
    c.save()
    return path


def blocks(path: Path):
    return list(load(path).blocks)


# --------------------------------------------------------------------------- cleaners


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["we recog-", "nise the need"], "we recognise the need"),
        (["the Early-", "Help offer"], "the Early-Help offer"),
        (["in 2024-", "25 we will"], "in 2024-25 we will"),
        (["Milestones/", "Impact"], "Milestones/Impact"),
        (["by 2025 -", "at the latest"], "by 2025 - at the latest"),
    ],
)
def test_join_lines(lines, expected):
    assert join_lines(lines) == expected


@pytest.mark.parametrize(
    ("colour", "expected"),
    [((1, 0, 0), "#ff0000"), ((0, 0.5, 0), "#008000"), (0.5, "#808080"), ((0, 1, 1, 0), "#ff0000"), ((0, 0, 0, 1), "#000000")],
)
def test_colour_to_hex(colour, expected):
    assert colour_to_hex(colour) == expected


@pytest.mark.parametrize(
    ("text", "page_number"),
    [("12", True), ("Page 3 of 20", True), ("- 4 -", True), ("iv", True), ("2024 Annual Report", False)],
)
def test_page_number_pattern(text, page_number):
    assert bool(PAGE_NUMBER.match(text)) is page_number


def test_running_key_ignores_digits():
    assert running_key("Page 3 of 20") == running_key("Page 14 of 20")


def test_strip_bullet():
    assert strip_bullet("• ✓ We will listen") == "We will listen"


# --------------------------------------------------------------------------- text blocks


def test_headings_by_font_size_rank_by_size(tmp_path):
    def draw(c, _):
        c.setFont("Helvetica", 20)
        c.drawString(72, HEIGHT - 80, "Children's Services Plan")
        c.setFont("Helvetica", 14)
        c.drawString(72, HEIGHT - 120, "Our priorities")
        draw_lines(c, BODY * 3, top=150)

    found = blocks(pdf(tmp_path, draw))
    assert [(b.kind, b.text, b.level) for b in found[:2]] == [
        ("heading", "Children's Services Plan", 1),
        ("heading", "Our priorities", 2),
    ]
    assert found[2].kind == "paragraph"
    assert found[2].text.startswith("The council will work with partners")
    assert found[2].id == "p1-b3" and found[2].page == 1


def test_bold_short_line_standing_alone_is_a_heading(tmp_path):
    def draw(c, _):
        draw_lines(c, BODY, top=80)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(72, HEIGHT - 140, "What we will do")
        draw_lines(c, BODY, top=160)

    kinds = [(b.kind, b.text[:15]) for b in blocks(pdf(tmp_path, draw))]
    assert kinds == [("paragraph", "The council wil"), ("heading", "What we will do"), ("paragraph", "The council wil")]


def draw_runs(c: canvas.Canvas, runs, x: float, top: float, size: float = 10) -> None:
    """One printed line made of (font, text) runs."""
    for font, text in runs:
        c.setFont(font, size)
        c.drawString(x, HEIGHT - top, text)
        x += c.stringWidth(text, font, size)


THEMES = [
    ("1) ", "A healthy start to life", " – outcomes, universal services and the families who may need support"),
    ("2) ", "Tackling disadvantage", " – children and families who may need longer term and specialist help"),
    ("3) ", "The importance of communities and partnership", ""),
    ("4) ", "Transforming services", " – a discussion of how services are designed with families"),
]


def test_bold_numbered_item_inside_a_numbered_list_stays_an_item(tmp_path):
    # A wholly bold "3) ..." would read as a numbered heading on its own; between items 2) and 4)
    # at the same indentation and spacing it is the list's third item.
    def draw(c, _):
        draw_lines(c, ["This summary is structured around four themes:"], top=80)
        for n, (marker, name, rest) in enumerate(THEMES):
            runs = [("Helvetica-Bold" if not rest else "Helvetica", marker), ("Helvetica-Bold", name)]
            draw_runs(c, runs + ([("Helvetica", rest)] if rest else []), x=72, top=100 + 15 * n)

    items = [(b.kind, b.marker) for b in blocks(pdf(tmp_path, draw))]
    assert items[1:] == [("list_item", "1)"), ("list_item", "2)"), ("list_item", "3)"), ("list_item", "4)")]


def test_bold_numbered_line_after_a_list_and_a_gap_is_a_heading(tmp_path):
    def draw(c, _):
        draw_lines(c, ["We will:"], top=80)
        for n, (marker, name, rest) in enumerate(THEMES[:2]):
            draw_runs(c, [("Helvetica", marker), ("Helvetica-Bold", name), ("Helvetica", rest)], x=72, top=100 + 15 * n)
        draw_runs(c, [("Helvetica-Bold", "3) Next steps")], x=72, top=160)
        draw_lines(c, BODY, top=180)

    found = [(b.kind, b.text[:12]) for b in blocks(pdf(tmp_path, draw))]
    assert ("heading", "3) Next step") in found


@pytest.mark.parametrize(
    ("line", "marker", "text"),
    [
        ("•  Improve school attendance", "•", "Improve school attendance"),
        ("–  Reduce exclusions by 2026", "–", "Reduce exclusions by 2026"),
        ("-  Recruit more foster carers", "-", "Recruit more foster carers"),
        ("1.  Children at the heart of everything we do", "1.", "Children at the heart of everything we do"),
        ("a)  Publish the care leaver offer", "a)", "Publish the care leaver offer"),
        ("(ii)  Review the service annually", "(ii)", "Review the service annually"),
        ("2.1  Embed the practice model", "2.1", "Embed the practice model"),
        ("✓  We will listen to feedback", "✓", "We will listen to feedback"),
    ],
)
def test_list_items_keep_their_marker_apart(tmp_path, line, marker, text):
    font = unicode_font() if "✓" in line else "Helvetica"
    if "✓" in line and font == "Helvetica":
        pytest.skip("no font with ✓ on this machine")

    def draw(c, _):
        y = draw_lines(c, ["We will:"], top=80)
        draw_lines(c, [line], top=y + 6, x=90, font=font)

    found = blocks(pdf(tmp_path, draw))
    item = found[-1]
    assert (item.kind, item.marker, item.text, item.level) == ("list_item", marker, text, 0)


def test_list_item_continuation_lines_and_nesting(tmp_path):
    def draw(c, _):
        draw_lines(c, ["We will:"], top=80)
        c.setFont("Helvetica", 10)
        c.drawString(90, HEIGHT - 100, "•")
        c.drawString(108, HEIGHT - 100, "work with the Learning Partnership Board to deliver an educational")
        c.drawString(108, HEIGHT - 113, "offer that meets the needs of all children and young people")
        c.drawString(108, HEIGHT - 130, "o")
        c.drawString(126, HEIGHT - 130, "including those with special educational needs")
        c.drawString(90, HEIGHT - 147, "•")
        c.drawString(108, HEIGHT - 147, "create a SEND and inclusion strategy by June 2020")

    items = [b for b in blocks(pdf(tmp_path, draw)) if b.kind == "list_item"]
    assert [(b.marker, b.level) for b in items] == [("•", 0), ("o", 1), ("•", 0)]
    assert items[0].text == (
        "work with the Learning Partnership Board to deliver an educational offer that meets the needs of all "
        "children and young people"
    )


def test_hyphenation_repaired_and_lines_joined(tmp_path):
    def draw(c, _):
        draw_lines(c, ["We recog-", "nise the need to im-", "prove outcomes for care leavers."], top=80)

    (block,) = blocks(pdf(tmp_path, draw))
    assert block.kind == "paragraph"
    assert block.text == "We recognise the need to improve outcomes for care leavers."


def test_paragraphs_split_at_spacing(tmp_path):
    def draw(c, _):
        y = draw_lines(c, BODY, top=80)
        draw_lines(c, [BODY[0], "It has two lines, after a gap.", "Its own last line was short."], top=y + 10)

    found = blocks(pdf(tmp_path, draw))
    assert [b.text for b in found] == [" ".join(BODY), BODY[0] + " It has two lines, after a gap.", "Its own last line was short."]


def test_running_headers_footers_and_page_numbers_are_removed(tmp_path):
    def draw(c, page):
        c.setFont("Helvetica", 8)
        c.drawString(72, HEIGHT - 30, f"Kent County Council – Children's Strategy 2025 (draft {page})")
        c.drawCentredString(WIDTH / 2, 30, f"Page {page} of 4")
        c.drawString(WIDTH - 90, 30, str(page))
        draw_lines(c, [f"Body text of page {page}: {line}" for line in BODY], top=120)

    document = load(pdf(tmp_path, draw, pages=4))
    pages = [[b.text for b in page.blocks] for page in document.pages]
    assert pages == [[" ".join(f"Body text of page {n}: {line}" for line in BODY)] for n in range(1, 5)]


def test_two_columns_read_left_column_first(tmp_path):
    left = [f"Left column line {i} says something about early help." for i in range(1, 16)]
    right = [f"Right column line {i} is about care leavers here." for i in range(1, 16)]

    def draw(c, _):
        c.setFont("Helvetica", 18)
        c.drawString(60, HEIGHT - 60, "A two-column newsletter")
        draw_lines(c, left, x=60, top=100, size=9, leading=12)
        draw_lines(c, right, x=320, top=100, size=9, leading=12)

    found = blocks(pdf(tmp_path, draw))
    assert found[0].kind == "heading"
    body = " ".join(b.text for b in found[1:])
    assert "Left column line 15" in body and "Right column line 1 " in body
    assert body.index("Left column line 15") < body.index("Right column line 1 ")
    assert "line 1 says something about early help. Left column line 2" in body


def test_landscape_page_reads_left_to_right(tmp_path):
    path = tmp_path / "landscape.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4), invariant=1)
    c.setFont("Helvetica", 10)
    c.drawString(72, landscape(A4)[1] - 80, "A landscape page with a single line of text across it, read as usual.")
    c.showPage()
    c.save()
    document = load(path)
    assert document.pages[0].width == pytest.approx(landscape(A4)[0])
    assert [b.text for b in document.blocks] == ["A landscape page with a single line of text across it, read as usual."]


def test_metadata_from_the_info_dictionary(tmp_path):
    def draw(c, _):
        c.setTitle("Children's Services Plan")
        c.setAuthor("Gateshead Council")
        draw_lines(c, BODY, top=80)

    document = load(pdf(tmp_path, draw))
    assert document.metadata["title"] == "Children's Services Plan"
    assert document.metadata["author"] == "Gateshead Council"
    assert document.metadata["creation_date"].startswith("2000-01-01")  # reportlab's invariant date
    assert document.format == "pdf" and document.source == "doc.pdf" and len(document.sha256) == 64


# --------------------------------------------------------------------------- tables


HEADER = ["Ref", "Key Action", "Lead", "Timescale"]
WIDTHS = [50, 230, 120, 90]


def test_ruled_table_with_header_row(tmp_path):
    rows = [
        HEADER,
        ["1.1a", "Recruit more local foster carers", "Fostering", "March 2026"],
        ["1.1b", "Publish the care leaver offer", "Leaving Care", "2025"],
        ["1.1c", "Review the independent visitor service", "Participation", "Annually"],
    ]

    def draw(c, _):
        draw_lines(c, ["How we will deliver our priority:"], top=70)
        draw_table(c, rows, WIDTHS, top=90)
        draw_lines(c, ["Text after the table."], top=200)

    found = blocks(pdf(tmp_path, draw))
    assert [b.kind for b in found] == ["paragraph", "table", "paragraph"]
    table = found[1].table
    assert table.header == tuple(HEADER)
    assert [r.texts for r in table.rows] == [r for r in rows[1:]]
    assert table.pages == (1,)
    assert found[1].text.splitlines()[0] == "1.1a | Recruit more local foster carers | Fostering | March 2026"
    assert table.rows[0].cells[1].bbox is not None


def test_table_continued_over_a_page_break_is_stitched(tmp_path):
    def draw(c, page):
        if page == 1:
            draw_lines(c, ["Our commitments"], top=60, size=14)
            body = [["1.1a", "Recruit more local foster carers", "Fostering", "2026"]] * 2
            body = [HEADER, body[0], ["1.1b", "Expand the Family Help model with", "Early Help", "2027"]]
            draw_table(c, body, WIDTHS, top=HEIGHT - 100)
        else:
            body = [HEADER, ["", "partners in local communities", "Health", ""], ["1.1c", "Publish the offer", "Leaving Care", "2025"]]
            draw_table(c, body, WIDTHS, top=60)
            draw_lines(c, ["Text after the table."], top=200)

    found = blocks(pdf(tmp_path, draw, pages=2))
    tables = [b for b in found if b.kind == "table"]
    assert len(tables) == 1
    table = tables[0].table
    assert table.pages == (1, 2)
    assert table.header == tuple(HEADER)
    assert [r.texts for r in table.rows] == [
        ["1.1a", "Recruit more local foster carers", "Fostering", "2026"],
        ["1.1b", "Expand the Family Help model with partners in local communities", "Early Help Health", "2027"],
        ["1.1c", "Publish the offer", "Leaving Care", "2025"],
    ]
    assert [(r.page, r.continued) for r in table.rows] == [(1, False), (1, False), (2, False)]
    assert tables[0].page == 1
    assert found[-1].text == "Text after the table." and found[-1].page == 2


def test_filled_cells_are_read_as_hex_fills(tmp_path):
    rows = [["Action", "Lead", "RAG"], ["Recruit foster carers", "Fostering", ""], ["Publish the offer", "Leaving Care", ""],
            ["Review the service", "Participation", ""]]
    fills = {(1, 2): colors.Color(1, 0, 0), (2, 2): colors.Color(0, 1, 0), (3, 2): colors.CMYKColor(0, 0, 1, 0)}

    def draw(c, _):
        draw_table(c, rows, [250, 120, 60], top=80, fills=fills)

    (table,) = [b.table for b in blocks(pdf(tmp_path, draw)) if b.kind == "table"]
    assert [r.cells[2].fills for r in table.rows][:2] == [("#ff0000",), ("#00ff00",)]
    # CMYK is converted by PDFium's colour management: yellow, give or take a little.
    (yellow,) = table.rows[2].cells[2].fills
    assert all(abs(int(yellow[i:i + 2], 16) - int("ffff00"[i - 1:i + 1], 16)) <= 0x10 for i in (1, 3, 5))
    assert [r.cells[0].fills for r in table.rows] == [(), (), ()]


def test_cell_lines_are_regrouped_into_items(tmp_path):
    path = tmp_path / "cells.pdf"
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    bold = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=9, leading=11)
    cell = [
        Paragraph("• Regular meetings of One Voice with senior officers of the council and partners", style),
        Paragraph("• Attendance at the Corporate Parenting Board", style),
        Paragraph("Annual report to Cabinet.", ParagraphStyle("after", parent=style, spaceBefore=6)),
    ]
    data = [[Paragraph("Key Action", bold), Paragraph("How we will achieve this", bold)],
            [Paragraph("Support One Voice", style), cell]]
    table = Table(data, colWidths=[150, 200], style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build([table])
    (block,) = [b for b in blocks(path) if b.kind == "table"]
    cell = block.table.rows[0].cells[1]
    assert cell.lines == (
        "Regular meetings of One Voice with senior officers of the council and partners",
        "Attendance at the Corporate Parenting Board",
        "Annual report to Cabinet.",
    )
    assert cell.text == " ".join(cell.lines)


def test_boxed_paragraph_is_not_a_table(tmp_path):
    def draw(c, _):
        c.rect(60, HEIGHT - 200, 470, 120)
        draw_lines(c, BODY, top=100)

    assert [b.kind for b in blocks(pdf(tmp_path, draw))] == ["paragraph"]


# --------------------------------------------------------------------------- failures


def test_encrypted_pdf_is_a_load_error(tmp_path):
    path = pdf(tmp_path, lambda c, _: draw_lines(c, BODY), encrypt="secret")
    with pytest.raises(LoadError, match="encrypted"):
        load(path)


def test_truncated_pdf_is_a_load_error(tmp_path):
    whole = pdf(tmp_path, lambda c, _: draw_lines(c, BODY), pages=3).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(LoadError, match="truncated"):
        load(path)


def test_broken_header_is_a_load_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"<html>not a pdf</html>" * 100)
    with pytest.raises(LoadError, match="not a PDF"):
        load(path)


def test_pdf_without_text_is_a_load_error(tmp_path):
    def draw(c, _):
        c.setFillColor(colors.grey)
        c.rect(100, 100, 300, 300, fill=1)

    with pytest.raises(LoadError, match="no text"):
        load(pdf(tmp_path, draw, pages=2))


def test_page_without_text_is_kept_with_a_warning(tmp_path):
    def draw(c, page):
        if page != 2:
            draw_lines(c, BODY)

    document = load(pdf(tmp_path, draw, pages=3))
    assert [p.number for p in document.pages] == [1, 2, 3]
    assert document.pages[1].blocks == ()
    assert document.warnings == ("page 2 has no text layer (image only?)",)


# --------------------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def real_documents():
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is not available")
    loaded = {}
    for path in sorted(REAL.glob("*.pdf")):
        try:
            loaded[path.name] = load(path)
        except LoadError as exc:
            loaded[path.name] = exc
    return loaded


def test_every_real_pdf_loads(real_documents):
    failures = {name: str(d) for name, d in real_documents.items() if isinstance(d, LoadError)}
    # A LoadError is only acceptable for a file that has no text at all.
    assert all("no text" in message for message in failures.values()), failures
    assert len(failures) <= 1
    for name, document in real_documents.items():
        if not isinstance(document, LoadError):
            assert document.page_count >= 1 and any(True for _ in document.blocks), name


def test_kent_commitment_tables_have_their_header(real_documents):
    document = real_documents["kent_health_wellbeing_activity_ics_2025.pdf"]
    tables = [b for b in document.blocks if b.kind == "table"]
    committed = [t for t in tables if any("committed" in h.lower() for h in t.table.header)]
    assert len(committed) >= 20
    assert all(len(t.table.rows) >= 1 for t in committed)


# --------------------------------------------------------------------------- regions


LEFT = (
    "We will work to interrupt the cycle of",
    "vulnerability by addressing the risk factors",
    "and intervening early to support families",
    "to achieve progressive improvements in their",
    "children's development and wellbeing.",
)
MIDDLE = (
    "We will support children, parents and",
    "carers to achieve and maintain good mental",
    "wellbeing and to reduce mental health",
    "problems, helping children to thrive in",
    "school and at home with their families.",
)
RIGHT = (
    "Parenting is critical to children's early",
    "experience and their life chances, so we",
    "will help parents create a healthy and safe",
    "home and a learning environment that lets",
    "their children grow up strong and happy.",
)


def joined(lines) -> str:
    return " ".join(lines)


def box(c: canvas.Canvas, x: float, top: float, width: float, height: float, colour) -> None:
    """A filled box without an outline, placed from the top of the page."""
    c.setFillColor(colour)
    c.rect(x, HEIGHT - top - height, width, height, stroke=0, fill=1)
    c.setFillColor(colors.black)


def texts(found) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in found]


def test_two_columns_with_staggered_baselines_are_read_one_after_the_other(tmp_path):
    # The right column's lines sit half a line lower than the left column's: lines made across
    # the page would chain them together ("... cycle of Parenting is critical ...").
    def draw(c, _):
        draw_lines(c, LEFT, x=60, top=120, size=10, leading=13)
        draw_lines(c, RIGHT, x=320, top=126.5, size=10, leading=13)

    assert texts(blocks(pdf(tmp_path, draw))) == [("paragraph", joined(LEFT)), ("paragraph", joined(RIGHT))]


def test_three_columns_under_a_title(tmp_path):
    def draw(c, _):
        c.setFont("Helvetica-Bold", 18)
        c.drawString(40, HEIGHT - 80, "Starting well")
        for x, lines in ((40, LEFT), (220, MIDDLE), (400, RIGHT)):
            draw_lines(c, lines, x=x, top=120 + (x % 7), size=8, leading=11)

    assert texts(blocks(pdf(tmp_path, draw))) == [
        ("heading", "Starting well"), ("paragraph", joined(LEFT)), ("paragraph", joined(MIDDLE)), ("paragraph", joined(RIGHT)),
    ]


def test_box_beside_text_is_read_after_the_text(tmp_path):
    case = ("Case study: a family support", "worker helped a young mother", "back into education last year.")

    def draw(c, _):
        draw_lines(c, LEFT, x=60, top=120, size=10, leading=13)
        box(c, 330, 110, 200, 60, colors.Color(0.9, 0.85, 0.95))
        draw_lines(c, case, x=340, top=128, size=10, leading=13)

    assert texts(blocks(pdf(tmp_path, draw))) == [("paragraph", joined(LEFT)), ("paragraph", joined(case))]


def test_full_width_box_below_columns_ends_the_columns(tmp_path):
    note = ("This box runs across the whole page, below both columns, and is read after them.",)

    def draw(c, _):
        draw_lines(c, LEFT, x=60, top=120, size=10, leading=13)
        draw_lines(c, RIGHT, x=320, top=120, size=10, leading=13)
        box(c, 50, 200, 500, 30, colors.Color(0.93, 0.94, 0.9))
        draw_lines(c, note, x=60, top=218, size=10)

    assert texts(blocks(pdf(tmp_path, draw))) == [
        ("paragraph", joined(LEFT)), ("paragraph", joined(RIGHT)), ("paragraph", joined(note)),
    ]


GOALS = ("Improved outcomes for infants", "Good emotional wellbeing")
INITIATIVES = (
    "Whole schools approach: to build resilience in every school",
    "Family Assist: digital support for families before birth and after",
    "Apprenticeship scheme: an apprenticeship for care leavers",
)


def draw_goal_page(c: canvas.Canvas, _=None) -> None:
    """A strategy page in the manner of a designed one: row labels at the left, two goal boxes over
    two text boxes, a full-width box of initiatives whose bullets are drawn, not printed."""
    pale = colors.Color(0.85, 0.92, 0.98)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(40, HEIGHT - 60, "STARTING WELL")
    c.setFont("Helvetica-Bold", 12)
    c.drawString(40, HEIGHT - 110, "Our goals")
    c.drawString(40, HEIGHT - 200, "What we")
    c.drawString(40, HEIGHT - 214, "mean")
    c.drawString(40, HEIGHT - 330, "Key")
    c.drawString(40, HEIGHT - 344, "initiatives")
    for x, goal, lines, offset in ((120, GOALS[0], LEFT, 0), (340, GOALS[1], MIDDLE, 6)):
        box(c, x, 90, 200, 36, pale)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(x + 8, HEIGHT - 112, goal)
        box(c, x, 132, 200, 150, pale)
        draw_lines(c, lines, x=x + 8, top=152 + offset, size=9, leading=12)
    box(c, 120, 300, 420, 70, colors.Color(0.93, 0.94, 0.9))
    for n, item in enumerate(INITIATIVES):
        top = 320 + 16 * n
        c.circle(130, HEIGHT - top + 3, 1.6, stroke=0, fill=1)
        draw_runs(c, [("Helvetica", item)], x=138, top=top, size=9)


def test_label_column_boxes_and_drawn_bullets(tmp_path):
    found = blocks(pdf(tmp_path, draw_goal_page))
    assert texts(found) == [
        ("heading", "STARTING WELL"),
        ("heading", "Our goals"),
        ("heading", "What we mean"),
        ("heading", GOALS[0]),
        ("paragraph", joined(LEFT)),
        ("heading", GOALS[1]),
        ("paragraph", joined(MIDDLE)),
        ("heading", "Key initiatives"),
    ] + [("list_item", item) for item in INITIATIVES]
    assert {b.marker for b in found if b.kind == "list_item"} == {"•"}


def test_drawn_bullets_with_continuation_lines(tmp_path):
    items = (("Percentage of women who are smokers at the time of", "delivery, by area"), ("Rate of admissions for self-harm",))

    def draw(c, _):
        draw_lines(c, ["The Board will use these indicators, for example:"], top=100)
        top = 120
        for lines in items:
            c.circle(78, HEIGHT - top + 3.5, 1.8, stroke=0, fill=1)
            top = draw_lines(c, lines, x=88, top=top, size=10, leading=13)

    found = blocks(pdf(tmp_path, draw))
    assert [(b.kind, b.marker, b.text) for b in found[1:]] == [
        ("list_item", "•", "Percentage of women who are smokers at the time of delivery, by area"),
        ("list_item", "•", "Rate of admissions for self-harm"),
    ]


def test_a_dotted_rule_beside_text_is_not_a_list(tmp_path):
    def draw(c, _):
        for n in range(40):
            c.circle(70, HEIGHT - 95 - 3 * n, 0.9, stroke=0, fill=1)
        draw_lines(c, BODY, x=80, top=100)

    assert [b.kind for b in blocks(pdf(tmp_path, draw))] == ["paragraph"]


def test_margin_label_on_the_first_line_is_its_own_block(tmp_path):
    items = ("Percentage of women who smoke at the time of delivery", "Percentage of children ready for school",
             "Rate of hospital admissions for self-harm", "Proportion of children meeting activity guidelines")

    def draw(c, _):
        draw_runs(c, [("Helvetica-Bold", "Monitoring progress")], x=60, top=100)
        draw_runs(c, [("Helvetica", "To monitor progress on these priorities the Board will use indicators:")], x=172, top=100)
        for n, item in enumerate(items):
            draw_runs(c, [("Helvetica", "•  " + item)], x=190, top=116 + 14 * n)

    found = blocks(pdf(tmp_path, draw))
    assert texts(found)[:2] == [
        ("heading", "Monitoring progress"),
        ("paragraph", "To monitor progress on these priorities the Board will use indicators:"),
    ]
    assert [b.text for b in found if b.kind == "list_item"] == list(items)


def test_a_list_of_labels_and_values_keeps_each_pair(tmp_path):
    pairs = (("Medway:", "8529"), ("Thanet:", "5,765"), ("Dover:", "5,710"), ("Maidstone:", "5,664"), ("Dartford:", "2,328"))

    def draw(c, _):
        draw_lines(c, BODY, top=80)
        for n, (label, value) in enumerate(pairs):
            draw_runs(c, [("Helvetica", "•")], x=80, top=140 + 16 * n)
            draw_runs(c, [("Helvetica", label)], x=96, top=140 + 16 * n)
            draw_runs(c, [("Helvetica", value)], x=200, top=140 + 16 * n)
        draw_lines(c, BODY, top=240)

    items = [b.text for b in blocks(pdf(tmp_path, draw)) if b.kind == "list_item"]
    assert items == [f"{label} {value}" for label, value in pairs]


def test_a_numbered_list_set_in_two_columns(tmp_path):
    names = ["Accessibility", "Publicity", "Confidentiality and consent", "The environment", "Staff training",
             "Joined-up working", "Monitoring and evaluation", "Health issues for adolescents"]

    def draw(c, _):
        draw_lines(c, BODY, top=80)
        for n, name in enumerate(names):
            x, row = (80, n) if n < 4 else (330, n - 4)
            draw_runs(c, [("Helvetica", f"{n + 1}.")], x=x, top=140 + 14 * row)
            draw_runs(c, [("Helvetica", name)], x=x + 18, top=140 + 14 * row)
        draw_lines(c, BODY, top=220)

    items = [(b.marker, b.text) for b in blocks(pdf(tmp_path, draw)) if b.kind == "list_item"]
    assert items == [(f"{n + 1}.", name) for n, name in enumerate(names)]


def test_list_levels_restart_with_each_list(tmp_path):
    # A list indented further than an earlier one on the page is still a list of its own (level
    # 0); a deeper item inside a list is level 1.
    def draw(c, _):
        draw_runs(c, [("Helvetica", "1.")], x=72, top=100)
        draw_runs(c, [("Helvetica", "Protecting children from drug and alcohol harms.")], x=90, top=100)
        draw_runs(c, [("Helvetica", "a)")], x=90, top=115)
        draw_runs(c, [("Helvetica", "Development of multi-agency approaches.")], x=108, top=115)
        draw_lines(c, ["The following priorities are based on recommendations from people with lived experience."], top=150)
        for n, text in enumerate(("Training and communications for staff.", "Commit to co-produce solutions.")):
            draw_runs(c, [("Helvetica", f"{n + 1}.")], x=100, top=175 + 15 * n)
            draw_runs(c, [("Helvetica", text)], x=120, top=175 + 15 * n)

    found = [(b.marker, b.level) for b in blocks(pdf(tmp_path, draw)) if b.kind == "list_item"]
    assert found == [("1.", 0), ("a)", 1), ("1.", 0), ("2.", 0)]


def test_numbered_line_in_heading_size_is_a_heading(tmp_path):
    def draw(c, _):
        draw_lines(c, ["4. How the Partnership addresses harms"], top=80, size=16)
        draw_lines(c, BODY * 2, top=110)

    found = blocks(pdf(tmp_path, draw))
    assert (found[0].kind, found[0].text) == ("heading", "4. How the Partnership addresses harms")


def test_centred_box_title_over_several_lines_is_one_heading(tmp_path):
    def draw(c, _):
        box(c, 100, 80, 220, 60, colors.Color(0.95, 0.8, 0.8))
        c.setFont("Helvetica-Bold", 10)
        for n, line in enumerate(("Children, young people and", "families have good emotional", "wellbeing")):
            c.drawCentredString(210, HEIGHT - 98 - 12 * n, line)
        draw_lines(c, BODY, top=170)

    found = blocks(pdf(tmp_path, draw))
    assert (found[0].kind, found[0].text) == ("heading", "Children, young people and families have good emotional wellbeing")


def test_one_row_ruled_key_reads_as_one_line(tmp_path):
    keys = ["On track", "Slipping", "Off track", "Complete"]

    def draw(c, _):
        draw_lines(c, BODY, top=80)
        for n, key in enumerate(keys):
            c.rect(120 + 70 * n, HEIGHT - 160, 70, 16, stroke=1, fill=0)
            draw_runs(c, [("Helvetica", key)], x=124 + 70 * n, top=156, size=8)

    assert blocks(pdf(tmp_path, draw))[-1].text == " ".join(keys)


def test_page_numbers_just_above_the_footer_zone_are_furniture(tmp_path):
    def draw(c, page):
        draw_lines(c, [f"Body text of page {page}: {line}" for line in BODY], top=120)
        c.setFont("Helvetica", 9)
        c.drawCentredString(WIDTH / 2, 0.11 * HEIGHT, str(page + 4))

    document = load(pdf(tmp_path, draw, pages=4))
    assert [[b.text.split(":")[0] for b in page.blocks] for page in document.pages] == [[f"Body text of page {n}"] for n in range(1, 5)]


@pytest.mark.parametrize(
    ("name", "weight", "flags", "bold"),
    [("ABCDEF+Poppins-Regular", 1676, 0, False), ("Poppins-Bold", 1624, 0, True), ("Arial,Bold", 400, 0, True),
     ("Helvetica", 700, 0, True), ("Helvetica", 400, 0, False), ("Lato-Regular", 808, 0, False),
     ("Arial-ItalicMT", 952, 0, False), ("Calibri", 400, 1 << 18, True)],
)
def test_bold_fonts(name, weight, flags, bold):
    assert is_bold_font(name, weight, flags) is bold


@pytest.mark.parametrize(
    ("top", "below", "header"),
    [
        (("Ref", "2025/26", "", "Status"), ("", "Q1", "Q2", ""), ("Ref", "2025/26 Q1", "2025/26 Q2", "Status")),
        (("Priority area", "Rationale", ""), ("", "Local data", "Consultation"),
         ("Priority area", "Rationale Local data", "Rationale Consultation")),
    ],
)
def test_two_row_headers_combine(top, below, header):
    assert combine_headers(top, below) == header


def test_table_with_a_two_row_header(tmp_path):
    rows = [["Ref", "Action", "2025/26", ""], ["", "", "Q1", "Q2"], ["C1.1", "Recruit foster carers", "x", ""],
            ["C1.2", "Publish the offer", "", "x"]]

    def draw(c, _):
        draw_table(c, rows[:1], [50, 200, 60, 60], top=80)
        draw_table(c, rows[1:2], [50, 200, 60, 60], top=100)  # the second header row, also in bold
        draw_table(c, rows[2:], [50, 200, 60, 60], top=120, bold_first=False)

    (table,) = [b.table for b in blocks(pdf(tmp_path, draw)) if b.kind == "table"]
    assert table.header == ("Ref", "Action", "2025/26 Q1", "2025/26 Q2")
    assert [r.texts[0] for r in table.rows] == ["C1.1", "C1.2"]


# --------------------------------------------------------------------------- real designed pages


_LOADED: dict[str, object] = {}


def real(name: str):
    """One document of the real corpus, loaded once (skipped when ../shared is not there)."""
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    if name not in _LOADED:
        _LOADED[name] = load(path)
    return _LOADED[name]


def page_blocks(name: str, number: int):
    return list(real(name).pages[number - 1].blocks)


JHWS = "westsussex_joint_health_and_wellbeing_strategy_2019-24.pdf"


def test_jhws_goal_page_reads_box_by_box():
    found = page_blocks(JHWS, 15)
    assert texts(found)[:5] == [
        ("heading", "STARTING WELL"),
        ("heading", "Our goals"),
        ("heading", "What we mean"),
        ("heading", "Improved infant and maternal outcomes especially in deprived areas"),
        ("paragraph", "We can help ensure the best start in life for babies by working to reduce smoking in pregnancy and "
                      "to address the causes of low birth weight, infant mortality and poor maternal mental health."),
    ]
    # A "We will ..." sentence of one column comes out whole, in one block, and alone.
    assert ("paragraph", "We will work to interrupt the cycle of vulnerability by addressing the risk factors and intervening "
                         "early to support families to achieve progressive improvements in their child/ children’s development") in texts(found)
    assert not any("interrupt the cycle" in b.text and "We will support children" in b.text for b in found)
    headings = [b.text for b in found if b.kind == "heading"]
    assert headings[-1] == "Key initiatives"
    assert "Children and young people leaving care are healthy and independent" in headings
    items = [b.text for b in found if b.kind == "list_item"]
    assert len(items) == 9 and items[0].startswith("Sussex and East Surrey Local Maternity System Transformation Plan")
    assert items[4] == "Find It Out Plus: An integrated hub approach to emotional wellbeing and mental health for young people"


@pytest.mark.parametrize(("number", "first", "count"), [
    (16, "Percentage of women who are smokers at the time of delivery", 11),
    (21, "The proportion of people in contact with mental health services who are in stable and appropriate housing.", 10),
    (26, "Proportion of older people moderately, or very, lonely", 6),
])
def test_jhws_monitoring_list_with_drawn_bullets_beside_its_label(number, first, count):
    found = page_blocks(JHWS, number)
    assert texts(found)[1] == ("heading", "Monitoring progress")
    assert found[2].text.startswith("To monitor progress on these priorities, the HWB will use various local and national indicators")
    items = [b for b in found if b.kind == "list_item"]
    assert len(items) == count and items[0].text == first and {b.marker for b in items} == {"•"}


def test_jhws_regular_weight_text_is_not_bold():
    # Poppins-Regular reports weight 1676 (from its StemV): its single lines are not headings.
    found = page_blocks(JHWS, 29)
    line = [b for b in found if b.text.startswith("The Board will work closely")][0]
    assert (line.kind, line.bold) == ("paragraph", False)


def test_six_column_slide_reads_column_by_column():
    found = page_blocks("westsussex_health4families_performance_overview.pdf", 2)
    order = [b.text for b in found]
    start = order.index("Health Indicators")
    assert order[start + 1:start + 9] == [
        "Breastfeeding", "Childhood Obesity", "Oral Health", "Mental Health incl. Post-Natal Depression",
        "Smoking in Pregnancy", "Immunisations", "Emergency Admissions (0-4 years)", "Sudden Infant Death Syndrome (pooled 2005-2014)",
    ]
    assert order[order.index("Population") + 1] == "Geographies"


def test_priority_table_continues_over_the_page_without_a_header():
    document = real("westsussex_suicide_prevention_strategy_2017-20.pdf")
    (table,) = [b for b in document.pages[36].blocks if b.kind == "table"]
    assert table.table.pages == (37, 38)
    assert table.table.header == ("Priority area", "Rationale for prioritising this area Local data & audit findings",
                                  "Rationale for prioritising this area Consultation findings")
    firsts = [r.cells[0].text for r in table.table.rows]
    assert [t.split(".")[0] for t in firsts] == [str(n) for n in range(1, 10)]
    assert firsts[0] == ("1. Focus on reducing suicides in vulnerable middle aged and older people, particularly those "
                         "experiencing financial difficulties and social isolation")
    assert not any(b.kind == "table" for b in document.pages[37].blocks)


def test_slide_speech_bubble_is_not_mixed_with_chart_labels():
    found = page_blocks("coventry_one_coventry_plan_annual_performance_report_2020-21.pdf", 7)
    assert ("paragraph", "Self-service transactions has increased from 121,391 transactions to 352,751 transactions. A major "
                         "reason for the increase is the new system for booking a tip visit which accounted for 160,999 "
                         "(45% of the 352751) transactions.") in texts(found)


def test_nested_numbered_lists_under_headings_have_their_levels():
    name = "westsussex_drug_and_alcohol_partnership_annual_progress_report_2024.pdf"
    p4 = page_blocks(name, 4)
    assert ("heading", "4. How the Partnership is addressing drug and alcohol related harms in West Sussex.") in texts(p4)
    assert [(b.marker, b.level) for b in p4 if b.kind == "list_item"] == [("1.", 0), ("2.", 0), ("3.", 0)]
    p5 = [(b.marker, b.level, b.text[:30]) for b in page_blocks(name, 5) if b.kind == "list_item"]
    assert p5[:3] == [("1.", 0, "A focus on prevention, resilie"), ("2.", 0, "Reducing drug and alcohol rela"),
                      ("3.", 0, "Ensuring that people who have ")]
    assert [(m, level) for m, level, _ in p5[3:7]] == [("1.", 0), ("1.", 1), ("2.", 1), ("3.", 1)]
    p6 = [(b.marker, b.level) for b in page_blocks(name, 6) if b.kind == "list_item"]
    assert p6[-3:] == [("1.", 0), ("2.", 0), ("3.", 0)]  # "People priorities": a list of its own


# --------------------------------------------------------------------------- bulk reading


def _bulk_sample(path: Path) -> None:
    """Text in two fonts and sizes, a rotated label, ruled lines, a filled box and a curve."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(72, 760, "Improve school attendance by 2026 – every child, every day.")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 730, "Priority 2: Early help")
    c.saveState()
    c.translate(300, 500)
    c.rotate(90)
    c.setFont("Helvetica", 9)
    c.drawString(0, 0, "Sideways")
    c.restoreState()
    c.line(72, 700, 520, 700)
    c.setFillColor(colors.lightblue)
    c.rect(72, 600, 200, 60, stroke=1, fill=1)
    c.bezier(300, 600, 350, 650, 400, 550, 450, 600)
    path = c.beginPath()
    path.moveTo(100, 400)
    path.lineTo(200, 400)
    path.lineTo(150, 450)
    path.close()
    c.drawPath(path, stroke=1, fill=0)
    c.showPage()
    c.save()


def test_bulk_character_reading_matches_one_call_per_character(tmp_path):
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from pipeline.loaders.pdf_objects import _Frame, char_boxes, read_chars, text_objects

    _bulk_sample(tmp_path / "sample.pdf")
    pdf = pdfium.PdfDocument(tmp_path / "sample.pdf")
    page = pdf[0]
    textpage = page.get_textpage()
    tp = textpage.raw
    count = pdfium_c.FPDFText_CountChars(tp)
    assert count > 60
    rect = pdfium_c.FS_RECTF()
    one_by_one = []
    for i in range(count):
        obj = pdfium_c.FPDFText_GetTextObject(tp, i)
        address = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        assert pdfium_c.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(rect))
        one_by_one.append((address, rect.left, rect.top, rect.right, rect.bottom))
    lefts, tops, rights, bottoms = char_boxes(tp, count)
    assert list(zip(text_objects(tp, count), lefts, tops, rights, bottoms)) == one_by_one
    assert any(a is None for a, *_ in one_by_one) and any(a for a, *_ in one_by_one)  # generated and real ones
    assert char_boxes(tp, 0) == ([], [], [], [])

    # The characters read_chars keeps are PDFium's own, in order, with the boxes above moved to
    # top-left page space; the rotated label is counted apart.
    frame = _Frame(page)
    chars, rotated = read_chars(page, frame)
    by_object: dict = {}
    for i, (address, left, top, right, bottom) in enumerate(one_by_one):
        code = pdfium_c.FPDFText_GetUnicode(tp, i)
        if address and code >= 32:
            box = (left - frame.x0, frame.y1 - top, right - frame.x0, frame.y1 - bottom)
            by_object.setdefault(address, []).append((chr(code), *box))
    expected = [c for run in by_object.values() if "".join(t for t, *_ in run) != "Sideways" for c in run]
    assert rotated == len("Sideways")
    assert [(c.text, c.x0, c.top, c.x1, c.bottom) for c in chars] == expected
    assert "".join(c.text for c in chars) == "Improve school attendance by 2026 – every child, every day.Priority 2: Early help"
    assert {c.font for c in chars} == {"Helvetica", "Helvetica-Bold"}
    assert [c.bold for c in chars if c.text == "P"] == [True] and chars[0].size == 11.0
    textpage.close()
    page.close()
    pdf.close()


def test_bulk_path_reading_matches_one_call_per_segment(tmp_path):
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from pipeline.loaders.pdf_objects import path_segments, read_page

    _bulk_sample(tmp_path / "sample.pdf")
    pdf = pdfium.PdfDocument(tmp_path / "sample.pdf")
    page = pdf[0]
    raw = page.raw
    x, y = ctypes.c_float(), ctypes.c_float()
    paths = 0
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        n = pdfium_c.FPDFPath_CountSegments(obj)
        one_by_one = []
        for i in range(n):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            assert pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            one_by_one.append((x.value, y.value, pdfium_c.FPDFPathSegment_GetType(seg),
                               ctypes.cast(seg, ctypes.c_void_p).value))
        xs, ys, types, segments = path_segments(ctypes.cast(obj, ctypes.c_void_p).value, n)
        assert list(zip(xs, ys, types, segments)) == one_by_one
    assert paths >= 4
    objects = read_page(page, 1)
    assert len(objects.fills) == 1 and objects.fills[0].color == "#add8e6"
    assert any(e["orientation"] == "h" and abs(e["top"] - (HEIGHT - 700)) < 0.01 for e in objects.edges)
    assert len(objects.frames) >= 1  # the closed triangle
    page.close()
    pdf.close()


def test_infographic_tiles_are_read_one_figure_and_caption_at_a_time(tmp_path):
    # A row of tiles: a large figure over a caption of short lines, a narrow gap between tiles.
    # Lines made across the page would read "of mothers are of babies born % of babies eligible".
    tiles = (("9.6%", ("of mothers are", "smokers at the", "time of delivery", "(2014/15).")),
             ("158 (2.0%)", ("of babies born", "in 2014 had a LOW", "BIRTHWEIGHT", "(< 2500g)")),
             ("91.2%", ("% of babies eligible", "for NEWBORN", "BLOOD SPOT screening", "(2014/15)")))

    def draw(c, _):
        for k, (figure, caption) in enumerate(tiles):
            x = 60 + 110 * k
            c.setFont("Helvetica-Bold", 16)
            c.drawString(x, HEIGHT - 120, figure)
            draw_lines(c, caption, x=x, top=140, size=8, leading=10)

    assert texts(blocks(pdf(tmp_path, draw))) == [
        ("paragraph", "9.6% of mothers are smokers at the time of delivery (2014/15)."),
        ("paragraph", "158 (2.0%) of babies born in 2014 had a LOW BIRTHWEIGHT (< 2500g)"),
        ("paragraph", "91.2% % of babies eligible for NEWBORN BLOOD SPOT screening (2014/15)"),
    ]


def test_a_large_year_over_text_stays_a_heading(tmp_path):
    def draw(c, _):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(60, HEIGHT - 120, "2024")
        draw_lines(c, ("We opened two family hubs and trained 300 staff.",), x=60, top=140, size=10)

    assert texts(blocks(pdf(tmp_path, draw))) == [
        ("heading", "2024"), ("paragraph", "We opened two family hubs and trained 300 staff.")]
