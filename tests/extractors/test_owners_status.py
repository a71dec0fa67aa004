import pytest

from extractors.owners import normalise_owners, parse_key
from extractors.status import colour_to_rag, status_of, words_to_rag

KEY = {
    "ALC": "Arts, Leisure & Culture",
    "ETE": "Education, Training & Employment",
    "H": "Health",
    "P": "Participation",
    "PA": "Placements & Accommodation",
    "CL": "Care Leavers",
}


def test_parse_key_reads_abbreviations_and_drops_the_workstream_suffix():
    text = ("Key: ALC = Arts, Leisure & Culture Workstream ETE = Education, Training & Employment Workstream "
            "H = Health Workstream P = Participation Workstream PA = Placements & Accommodation Workstream "
            "CL = Care Leavers Workstream")
    assert parse_key(text) == KEY


def test_text_without_a_key_cue_is_not_a_key():
    assert parse_key("We will: PA = something") == {}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Participation Care Leavers", ["Participation", "Care Leavers"]),
        ("Placements & Accom.", ["Placements & Accommodation"]),
        ("Care Leavers Participation Placement & Accom.", ["Care Leavers", "Participation", "Placements & Accommodation"]),
        ("Participation – linking in with IRO teams\nPlacements & Accom.", ["Participation", "Placements & Accommodation"]),
        ("Participation with LAC & therapeutic social work staff", ["Participation"]),
        ("Health Placements & Accom. Education, Training & Employment", ["Health", "Placements & Accommodation", "Education, Training & Employment"]),
        ("ETE / PA", ["Education, Training & Employment", "Placements & Accommodation"]),
        ("Arts, Leisure & Culture", ["Arts, Leisure & Culture"]),
    ],
)
def test_owners_map_onto_the_documents_key(cell, expected):
    assert normalise_owners(cell, KEY) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Head of Service; Virtual School", ["Head of Service", "Virtual School"]),
        ("Director of Children's Services", ["Director of Children's Services"]),
        ("", []),
    ],
)
def test_owners_without_a_key_stay_as_printed(cell, expected):
    assert normalise_owners(cell, {}) == expected


@pytest.mark.parametrize(
    ("colour", "rag"),
    [
        ("red", "red"), ("#ff0000", "red"), ("#c00000", "red"), ("yellow", "amber"), ("#ffc000", "amber"),
        ("orange", "amber"), ("#ffbf00", "amber"), ("green", "green"), ("#00b050", "green"), ("#92d050", "green"),
        ("rgb(0, 176, 80)", "green"), ("#ffffff", None), ("#d9d9d9", None), ("#000000", None), ("blue", None), ("#4472c4", None),
    ],
)
def test_colours_to_rag(colour, rag):
    assert colour_to_rag(colour) == rag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Red", ["red"]), ("Yellow", ["amber"]), ("AMBER", ["amber"]), ("Green", ["green"]), ("G", ["green"]),
        ("On track", []), ("Complete", []), ("Red / Green", ["red", "green"]), ("Greenwich council", []), ("A new approach", []),
    ],
)
def test_words_to_rag(text, expected):
    assert words_to_rag(text) == expected


def test_words_win_over_fills_and_fills_keep_their_order():
    assert status_of("Amber", "red") == ("amber",)
    assert status_of("", "red,green,yellow") == ("red", "green", "amber")


def test_fields_on_sub_bullets_and_a_key_printed_as_a_list():
    from tests.extractors.test_extraction import run

    result = run(
        "Priority 1: More places for babies\n\nActions\n\n"
        "- Award capital grants to help settings create new places\n  - Owner: EYT, SCT\n  - Due: 31.12.25\n"
        "- Publish data each term on vacancies\n  - Owner: FIS\n  - Due: Ongoing\n\n"
        "Key to owners\n\n- EYT – Early Years and Childcare Team\n- FIS – Family Information Service\n"
        "- SCT – School Capital Team\n"
    )
    assert [(a.text[:20], a.owners, str(a.deadline.end) if a.deadline else None) for a in result.actions] == [
        ("Award capital grants", ("Early Years and Childcare Team", "School Capital Team"), "2025-12-31"),
        ("Publish data each te", ("Family Information Service",), None),
    ]


def test_a_key_printed_as_pairs_side_by_side_in_a_table():
    from extractors.owners import _table_key
    from schemas.document import Block, Cell, Row, Table

    rows = [("LCS", "Leaving Care Service", "HOS", "Housing Options Service"), ("PH", "Public Health", "ICB", "NHS Devon Integrated Care Board")]
    table = Table(header=(), rows=tuple(Row(cells=tuple(Cell(text=t, lines=(t,)) for t in r)) for r in rows))
    key = _table_key(Block(id="b1", kind="table", table=table))
    assert key == {"LCS": "Leaving Care Service", "HOS": "Housing Options Service", "PH": "Public Health",
                   "ICB": "NHS Devon Integrated Care Board"}
    # A table of figures is not a key.
    figures = Table(header=("Area", "2024", "Area", "2025"), rows=tuple(
        Row(cells=tuple(Cell(text=t, lines=(t,)) for t in r)) for r in [("North", "12", "South", "14"), ("East", "9", "West", "11")]))
    assert _table_key(Block(id="b2", kind="table", table=figures)) == {}
