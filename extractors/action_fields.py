"""Per-action fields read from the row or text: the plan's reference, deadline and measure."""

from __future__ import annotations

import datetime as dt
import re

from extractors.deadlines import deadline_for_action, parse_deadline, parse_plan_year, plan_end_date, plan_years
from extractors.registry import stage
from extractors.state import State
from schemas.records import Action, Deadline

REF = re.compile(r"^\s*([A-Z]{0,3}\d{1,2}(?:\.\d{1,2})*[a-z]?)\s*$")
SECONDARY_SKIP = ("ref", "owner", "status", "status_fills", "priority", "measure", "value", "target", "start")


def _first_day(deadline: Deadline):
    """The first day of the period a point deadline names ("April 2025" -> 2025-04-01)."""
    if deadline.start:
        return deadline.start
    end = deadline.end
    if end is None:
        return None
    if deadline.granularity == "day":
        return end
    if deadline.granularity in ("month", "quarter", "season"):
        months = {"month": 1, "quarter": 3, "season": 3}[deadline.granularity]
        month = (end.month - months) % 12 + 1
        return end.replace(year=end.year - (1 if month > end.month else 0), month=month, day=1)
    return end.replace(month=1, day=1)


def deadline_of(action: Action, plan_end: int | dt.date | None, plan_start: int | None = None,
                years: dict[int, Deadline] | None = None) -> Deadline | None:
    """The timescale column when there is one (with a start column, the interval between them;
    "Year 2–3" read with the document's key to its plan years); else a date in the commitment
    itself; else an explicit due date ("to be launched by end of July 2021") in the row's other
    columns."""
    timescale = action.details.get("timescale", "")
    if timescale:
        found = parse_plan_year(timescale, years or {}) or parse_deadline(timescale, plan_end=plan_end, plan_start=plan_start)
        start = parse_deadline(action.details.get("start", ""), plan_start=plan_start) if action.details.get("start") else None
        if start and _first_day(start):
            if found:
                found = found.model_copy(update={"start": _first_day(start), "text": f"{action.details['start']} – {found.text}"})
            else:  # started, with no end date ("Ongoing")
                found = Deadline(text=f"from {action.details['start']}", start=_first_day(start), granularity="open")
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
    plan_start = state.settings.plan_start
    texts = [b.text for b in state.blocks if b.kind in ("paragraph", "list_item", "heading")]
    years = plan_years(texts)
    plan_end = plan_end_date(texts, plan_start, state.settings.plan_end) or state.settings.plan_end
    actions = []
    for action in state.actions:
        update: dict = {"deadline": deadline_of(action, plan_end, plan_start, years)}
        ref = action.details.get("ref", "")
        if ref and REF.match(ref):
            update["ref"] = REF.match(ref).group(1)
        measure = action.details.get("measure", "")
        if measure:
            update["measure"] = " ".join(measure.split())
        actions.append(action.model_copy(update=update))
    return {"actions": tuple(actions)}
