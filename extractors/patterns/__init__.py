"""Patterns as data: vocabularies and cue expressions loaded from YAML, validated on load."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

HERE = Path(__file__).parent
COLUMN_ROLES = ("ref", "action", "owner", "timescale", "start", "status", "measure", "priority", "value", "target", "followup")


class PatternFileError(ValueError):
    pass


class Cues(BaseModel):
    model_config = ConfigDict(extra="forbid")

    header_words: list[str]
    priority_heading_regex: str
    priority_nouns: list[str]
    lead_in_regex: str
    action_section_regex: str
    measure_section_regex: str
    columns: dict[str, list[str]]

    @field_validator("header_words", "priority_nouns")
    @classmethod
    def not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one word")
        return [v.lower() for v in value]

    @field_validator("priority_heading_regex", "lead_in_regex", "action_section_regex", "measure_section_regex")
    @classmethod
    def compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @field_validator("columns")
    @classmethod
    def known_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(COLUMN_ROLES)
        if unknown:
            raise ValueError(f"unknown column roles {sorted(unknown)}; allowed: {', '.join(COLUMN_ROLES)}")
        for role, patterns in value.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"columns.{role}: {pattern!r} is not a valid regular expression: {exc}") from exc
        return value


def load_cues(path: Path = HERE / "cues.yaml") -> Cues:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Cues.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise PatternFileError(f"{path}: {exc}") from exc


@lru_cache(maxsize=1)
def cues() -> Cues:
    return load_cues()


@lru_cache(maxsize=1)
def header_words() -> frozenset[str]:
    return frozenset(cues().header_words)


@lru_cache(maxsize=1)
def priority_heading_pattern() -> re.Pattern[str]:
    return re.compile(cues().priority_heading_regex, re.I)


@lru_cache(maxsize=1)
def lead_in_pattern() -> re.Pattern[str]:
    return re.compile(cues().lead_in_regex, re.I)


@lru_cache(maxsize=1)
def action_section_pattern() -> re.Pattern[str]:
    return re.compile(cues().action_section_regex, re.I)


@lru_cache(maxsize=1)
def measure_section_pattern() -> re.Pattern[str]:
    return re.compile(cues().measure_section_regex, re.I)


@lru_cache(maxsize=1)
def column_patterns() -> dict[str, list[re.Pattern[str]]]:
    return {role: [re.compile(p, re.I) for p in pats] for role, pats in cues().columns.items()}
