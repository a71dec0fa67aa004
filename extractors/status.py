"""RAG status from words ("Red", "Amber", "Yellow", "On track") and from cell colours."""

from __future__ import annotations

import colorsys
import re

from extractors.registry import stage
from extractors.state import State

# Only the colour words count: "Complete", "On track" or "Not started" are progress notes that
# the gold rules (and a reader comparing councils) do not treat as a RAG rating.
WORDS = {
    "red": "red", "r": "red",
    "amber": "amber", "a": "amber", "yellow": "amber", "orange": "amber",
    "green": "green", "g": "green",
}
CSS = {
    "red": "#ff0000", "darkred": "#8b0000", "crimson": "#dc143c", "firebrick": "#b22222", "tomato": "#ff6347",
    "orange": "#ffa500", "darkorange": "#ff8c00", "gold": "#ffd700", "yellow": "#ffff00", "amber": "#ffbf00",
    "green": "#008000", "lime": "#00ff00", "limegreen": "#32cd32", "darkgreen": "#006400", "forestgreen": "#228b22",
    "seagreen": "#2e8b57", "lightgreen": "#90ee90",
}
RGB_FUNC = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)")


def colour_to_rag(colour: str) -> str | None:
    """A CSS colour or '#rrggbb' to red/amber/green by hue; greys and whites give None.

    >>> colour_to_rag("#ffc000"), colour_to_rag("yellow"), colour_to_rag("#00b050"), colour_to_rag("#ffffff")
    ('amber', 'amber', 'green', None)
    """
    colour = colour.strip().lower()
    colour = CSS.get(colour, colour)
    match = RGB_FUNC.match(colour)
    if match:
        r, g, b = (int(x) / 255 for x in match.groups())
    elif re.fullmatch(r"#[0-9a-f]{6}", colour):
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    elif re.fullmatch(r"#[0-9a-f]{3}", colour):
        r, g, b = (int(colour[i] * 2, 16) / 255 for i in (1, 2, 3))
    else:
        return None
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if saturation < 0.35 or lightness > 0.93 or lightness < 0.08:
        return None
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return "red"
    if degrees < 70:
        return "amber"
    if 75 <= degrees < 170:
        return "green"
    return None


def words_to_rag(text: str) -> list[str]:
    """RAG ratings named in a cell, in order.

    >>> words_to_rag("Yellow"), words_to_rag("Red / Green")
    (['amber'], ['red', 'green'])
    """
    found = []
    lowered = text.lower()
    for phrase in sorted(WORDS, key=len, reverse=True):
        pattern = rf"(?<![\w-]){re.escape(phrase)}(?![\w-])"
        for match in re.finditer(pattern, lowered):
            if len(phrase) == 1 and len(lowered.strip()) > 3:
                continue  # "A" or "G" only as the whole cell
            found.append((match.start(), WORDS[phrase]))
        lowered = re.sub(pattern, lambda m: " " * len(m.group(0)), lowered)
    return [rag for _, rag in sorted(found)]


def status_of(words: str, fills: str) -> tuple[str, ...]:
    ratings = words_to_rag(words) if words else []
    if not ratings and fills:
        ratings = [r for r in (colour_to_rag(c) for c in fills.split(",")) if r]
    return tuple(ratings)


@stage("status", requires=("actions",), assigns=("actions",))
def find_status(state: State) -> dict:
    actions = []
    for action in state.actions:
        status = status_of(action.details.get("status", ""), action.details.get("status_fills", ""))
        actions.append(action.model_copy(update={"status": status}) if status else action)
    return {"actions": tuple(actions)}
