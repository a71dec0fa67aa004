"""Per-action fields read from the row or text: the plan's reference, deadline and measure."""

from __future__ import annotations

import re

from extractors.deadlines import deadline_for_action, parse_deadline
from extractors.registry import stage
from extractors.state import State
from schemas.records import Action, Deadline

REF = re.compile(r"^\s*([A-Z]{0,3}\d{1,2}(?:\.\d{1,2})*[a-z]?)\s*$")
SECONDARY_SKIP = ("ref", "owner", "status", "status_fills", "priority", "measure", "value", "target")


def deadline_of(action: Action, plan_end: int | None) -> Deadline | None:
    """The timescale column when there is one; else a date in the commitment itself; else an
    explicit due date ("to be launched by end of July 2021") in the row's other columns."""
    timescale = action.details.get("timescale", "")
    if timescale:
        found = parse_deadline(timescale, plan_end=plan_end)
        if found or re.search(r"[a-z]", timescale, re.I):
            return found
    found = deadline_for_action(action.text, plan_end=plan_end)
    if found:
        return found
    for key, value in action.details.items():
        if key in SECONDARY_SKIP or not value:
            continue
        found = deadline_for_action(value, strict=True, plan_end=plan_end)
        if found:
            return found
    return None


@stage("action_fields", requires=("actions",), assigns=("actions",))
def fill_action_fields(state: State) -> dict:
    plan_end = state.settings.plan_end
    actions = []
    for action in state.actions:
        update: dict = {"deadline": deadline_of(action, plan_end)}
        ref = action.details.get("ref", "")
        if ref and REF.match(ref):
            update["ref"] = REF.match(ref).group(1)
        measure = action.details.get("measure", "")
        if measure:
            update["measure"] = " ".join(measure.split())
        actions.append(action.model_copy(update=update))
    return {"actions": tuple(actions)}
