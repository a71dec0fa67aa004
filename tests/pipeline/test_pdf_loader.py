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
from pipeline.loaders.pdf_objects import colour_to_hex

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
