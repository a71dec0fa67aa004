"""A garbled table: copies of the same commitments run together, with truncated fragments."""

from extractors.noisy_tables import is_noisy, phrases_of, reconstruct
from schemas.document import Cell, Row, Table

GARBLED = (
    "Priority 1,2 Implement our Practice Model Ongoing (audit work) Priority 1,2 Implement Early Help Strategy "
    "to ensure early intervention Priority 3 Develop housing protocol for care leavers Completed by Jan 2025 "
    "Priority 1 Implement the early search leadership to improve engagement Priority 3 Develop housing protocol for care leavers "
    "Explore examples across the country Develop business case Priority 1,2 Implement Early Help Strategy "
    "to ensure early intervention Priority 3 Develop housing protocol for care leavers Priority 2 Develop a"
)
GARBLED_2 = (
    "Priority 1,2 Implement our Practice Model Priority 1,2 Implement Early Help Strategy to ensure early intervention "
    "Priority 3 Develop housing protocol for care leavers Priority 3 Develop housing protocol for care leavers "
    "Explore examples across the country Develop business case 2025-2026 Priority 1,2 Implement Early Help Strategy"
)


def table() -> Table:
    def row(*texts):
        return Row(cells=tuple(Cell(text=t, lines=(t,) if t else ()) for t in texts))

    return Table(rows=(
        row(GARBLED, "", "", ""),
        row(GARBLED_2, "Priority 4", "Implement Family networks across our services", "2024-2025"),
        row("", "Priority 1,2", "1", "2024 - 2026"),
    ))


def test_phrases_carry_their_marker_and_timescale():
    phrases = phrases_of("Priority 1,4 Develop housing protocol for care leavers Completed by Jan 2025 Explore examples here", 0)
    assert [(p.text, p.marker, p.timescale) for p in phrases] == [
        ("Develop housing protocol for care leavers", ("1", "4"), "Completed by Jan 2025"),
        ("Explore examples here", None, None),
    ]


def test_noisy_table_is_recognised():
    assert is_noisy(table())
    assert not is_noisy(Table(rows=(Row(cells=(Cell(text="Priority 1"), Cell(text="Implement a thing"))),)))


def test_each_commitment_once_with_majority_priorities_and_timescales():
    rebuilt = reconstruct(table(), priority_col=1, timescale_col=3, action_col=2)
    found = {c.text: (c.priorities, c.timescale) for c in rebuilt if c.supported}
    noise = [c.text for c in rebuilt if not c.supported]
    assert any("early search" in text for text in noise)
    assert found["Implement our Practice Model"] == (("1", "2"), "")
    assert found["Develop housing protocol for care leavers"][0] == ("3",)
    assert found["Implement Family networks across our services"] == (("4",), "2024-2025")
    # The timescale left on a row whose text was lost goes to the commitment with its priorities.
    assert found["Implement Early Help Strategy to ensure early intervention"] == (("1", "2"), "2024 - 2026")
    # A sub-activity printed after its parent takes the parent's priorities.
    assert found["Develop business case"] == (("3",), "2025-2026")
    # Noise printed in one row only, and truncated fragments, are dropped.
    assert not any("early search" in text for text in found)
    assert "Develop a" not in found
