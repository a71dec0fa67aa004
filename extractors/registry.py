"""Stages are registered functions; a pipeline is a list of their names.

Each stage declares what it `requires` from the state and what it `assigns`; building a pipeline
checks both up front, so an unknown name or a stage placed before what it needs fails at start-up
with the list of what exists (the habit of spaCy's `Language.factory`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from extractors.state import State

StageFunction = Callable[[State], dict]


class PipelineError(ValueError):
    pass


@dataclass(frozen=True)
class Stage:
    name: str
    function: StageFunction
    requires: tuple[str, ...]
    assigns: tuple[str, ...]


STAGES: dict[str, Stage] = {}
# Fields every state has from the start.
INITIAL_FIELDS = ("doc", "blocks", "settings")


def stage(name: str, *, requires: tuple[str, ...] = (), assigns: tuple[str, ...] = ()):
    """Register `function(state) -> dict of updates` as a stage called `name`."""

    def register(function: StageFunction) -> StageFunction:
        if name in STAGES and STAGES[name].function is not function:
            raise PipelineError(f"stage {name!r} is registered twice")
        unknown = [f for f in (*requires, *assigns) if f not in State.model_fields]
        if unknown:
            raise PipelineError(f"stage {name!r} names unknown state fields {unknown}; fields: {sorted(State.model_fields)}")
        STAGES[name] = Stage(name, function, tuple(requires), tuple(assigns))
        return function

    return register


def build(names: list[str] | tuple[str, ...]) -> list[Stage]:
    """The stages for `names`, checked: every name exists and every requirement is met in order."""
    import extractors.stages  # noqa: F401  (registers the built-in stages)

    available = set(INITIAL_FIELDS)
    built = []
    for name in names:
        if name not in STAGES:
            raise PipelineError(f"unknown stage {name!r}. Available stages: {', '.join(sorted(STAGES))}")
        current = STAGES[name]
        missing = [r for r in current.requires if r not in available]
        if missing:
            providers = {f: [s.name for s in STAGES.values() if f in s.assigns] for f in missing}
            raise PipelineError(
                f"stage {name!r} requires {missing}, which no earlier stage assigns; "
                f"put one of these before it: {providers}"
            )
        available.update(current.assigns)
        built.append(current)
    return built


def run(stages: list[Stage], state: State) -> State:
    for current in stages:
        updates = current.function(state)
        unexpected = set(updates) - set(current.assigns) - {"problems"}
        if unexpected:
            raise PipelineError(f"stage {current.name!r} assigned {sorted(unexpected)} without declaring them")
        state = state.model_copy(update=updates)
    return state
