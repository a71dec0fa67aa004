"""Sections: for every block, the heading it sits under and the cue that introduces it.

A reader of a plan knows that the bullets after "We will:" are commitments, that the items after
"Measures of Success" are measures, and that a heading such as "Our priority actions" introduces
commitments without itself being a topic. This stage records that knowledge per block:

- `heading`: the nearest preceding topical heading (not a cue, not a code such as "SDG 4 / 8");
- `cue` and `kind`: the nearest cue ("We will:", "Our priority actions", "Measures of Success")
  and whether its items are actions or measures. A lead-in line's scope is the list that follows
  it; a cue heading's scope is either the list that follows it or, when it is followed by short
  standalone lines, those lines (a layout where each commitment is its own text box).
"""

from __future__ import annotations

import re

from extractors.patterns import action_section_pattern, cues, lead_in_pattern, measure_section_pattern
from extractors.registry import stage
from extractors.state import Section, State
from extractors.text_cues import alpha_words, is_action_cue, is_lead_in, is_measure_cue, starts_with_commitment_verb


CONTENTS_HEADING = re.compile(r"^(?:table\s+of\s+)?contents\b", re.I)
ENDS_WITH_PAGE = re.compile(r"(?:\D|^)\d{1,3}\s*$")


# "What success looks like by 2028", "What difference it will make": outcomes the plan hopes
# for, introducing neither commitments nor measures.
OUTCOME_CUE = re.compile(r"^(?:what\s+)?(?:success|good)\s+(?:will\s+)?looks?\s+like\b|^what\s+difference\s+(?:it|this)\s+will\s+make\b", re.I)


def _cue_kind(text: str) -> str | None:
    if OUTCOME_CUE.match(text):
        return "other"
    if text.endswith(":") and len(text.split()) <= 30:
        # A lead-in sentence names what follows anywhere in it: "We will track the following
        # measures:", "the Panel has agreed the following commitments:".
        words = set(re.findall(r"[a-z]+", text.lower()))
        if measure_section_pattern().search(text) or words & {"measure", "measures", "indicator", "indicators", "kpis"}:
            return "measure"
        if action_section_pattern().search(text) and not set(re.findall(r"[a-z]+", text.lower())) & set(cues().priority_nouns):
            return "action"
    if is_measure_cue(text):
        return "measure"
    if lead_in_pattern().match(text):
        return "action"  # "We will:", "We promise to:" (a promise is a commitment, not a priority here)
    words = set(re.findall(r"[a-z]+", text.lower()))
    if text.endswith(":") and words & set(cues().priority_nouns):
        return None  # introduces the list of priorities/themes themselves
    if is_action_cue(text) or is_lead_in(text):
        return "action"
    return None


@stage("sections", assigns=("sections",))
def find_sections(state: State) -> dict:
    sections: list[Section] = []
    heading: int | None = None
    cue: int | None = None
    kind = "other"
    # "lead_in": covers the list right after it; "heading": covers a list, or short blocks.
    scope: str | None = None
    seen_list = False
    item_lead: int | None = None  # a list item that introduces the deeper items after it
    in_contents = False
    for i, block in enumerate(state.blocks):
        text = block.text.strip()
        # A contents page: its entries name sections and priorities but define nothing.
        if block.kind != "table" and (CONTENTS_HEADING.match(text) or (in_contents and ENDS_WITH_PAGE.search(text))):
            in_contents = True
            sections.append(Section(heading=heading, cue=None, kind="contents"))
            continue
        in_contents = False
        if block.kind == "list_item":
            if item_lead is not None and (block.level or 0) <= (state.blocks[item_lead].level or 0):
                # Back at the lead-in item's own level: its sub-list is over.
                cue, kind, scope, item_lead = None, "other", None, None
            if item_lead is None and text.endswith(":") and _cue_kind(text) == "measure" and scope is None:
                # A numbered paragraph that introduces a sub-list of indicators ("2.3 The nine
                # indicators rated Red are:" + bullets): a lead-in for its deeper items only.
                sections.append(Section(heading=heading, cue=cue, kind=kind))
                cue, kind, scope, item_lead = i, "measure", "item", i
                continue
            seen_list = True
            sections.append(Section(heading=heading, cue=cue, kind=kind))
            continue
        if item_lead is not None:
            cue, kind, scope, item_lead = None, "other", None, None
            seen_list = False
        if block.kind == "table":
            sections.append(Section(heading=heading, cue=cue, kind=kind))
            # A table ends a lead-in's scope ("How we will deliver our priority:" + table).
            if scope == "lead_in":
                cue, kind, scope = None, "other", None
            continue
        if block.kind == "heading" and OUTCOME_CUE.match(text):
            cue, kind, scope, seen_list = i, "other", "heading", False  # outcomes hoped for: not commitments
            sections.append(Section(heading=heading, cue=cue, kind=kind))
            continue
        cue_block = state.blocks[cue] if cue is not None else None
        if (
            block.kind == "heading" and scope == "heading" and cue_block is not None
            and block.level is not None and cue_block.level is not None and block.level > cue_block.level
        ):
            # A smaller heading under a cue heading ("What we will do" > "For young people")
            # groups the cue's items; it does not end them.
            seen_list = False
            sections.append(Section(heading=heading, cue=cue, kind=kind))
            continue
        if seen_list:
            # Whatever follows a cue's list, other than more of the list, ends the cue's scope.
            cue, kind, scope = None, "other", None
            seen_list = False
        cue_kind = _cue_kind(text)
        if cue_kind and (block.kind == "heading" or text.endswith(":") or is_lead_in(text)):
            cue, kind = i, cue_kind
            scope = "heading" if block.kind == "heading" else "lead_in"
            seen_list = False
            sections.append(Section(heading=heading, cue=cue, kind=kind))
            continue
        same_rank = (
            block.kind == "heading" and cue_block is not None and block.level is not None
            and cue_block.level is not None and block.level <= cue_block.level
            and not starts_with_commitment_verb(text)  # an item in a scope of short lines
        )
        # A short heading counts when the loader measured it as one (a level from the PDF's
        # font sizes, Word's heading styles or HTML's h1-h6): "Relationships".
        if block.kind == "heading" and (alpha_words(text) >= 3 or same_rank or (block.level is not None and alpha_words(text) >= 1)):
            # Under a cue heading with no list, short lines are its items, not new sections,
            # unless the loader knows the line is a heading as large as the cue's.
            if scope != "heading" or same_rank:
                heading, cue, kind, scope = i, None, "other", None
        elif block.kind == "paragraph" and text.endswith(":") and (scope is None or (scope == "lead_in" and kind == "other")):
            # A lead-in for some other kind of list ("Our 5 Key Pledges are:"); one that had no
            # list of its own ("Our aims:" over "Raising awareness ...:") gives way to the next.
            cue, kind, scope = i, "other", "lead_in"
        sections.append(Section(heading=heading, cue=cue, kind=kind))
    return {"sections": tuple(sections)}
