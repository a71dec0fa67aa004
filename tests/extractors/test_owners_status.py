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
