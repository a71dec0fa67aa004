"""The sources file: where each council publishes each series of documents (`councilplans fetch`).

A YAML file with one entry per council and document series:

    sources:
      - council: Gateshead                  # a name, register code (GAT) or GSS code (E08000037)
        series: children's services plan    # the plan's name without its years
        url: https://example.gov.uk/plan.pdf    # or `path: documents/plan.txt` (relative to this file)
        cadence: 3 years                    # optional: how often a new edition is expected
        format: pdf                         # optional: pdf, docx, html, text, markdown (default: from the URL)

The file is read entry by entry: an entry with a wrong or missing field, a council the register
does not know, or a location listed twice is a `SourceIssue` naming the file, the entry's number
(1-based), its line and the field; every other entry is used as usual. A file that is not YAML, or
not a list of entries, is a `SourcesError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from pipeline.councils import UnknownCouncil, register
from schemas.records import Council

# A sources file lists a few hundred entries at most; anything much larger is not one.
MAX_SOURCES_BYTES = 5_000_000
FORMATS = ("pdf", "docx", "html", "text", "markdown")
GSS = re.compile(r"^[EWSN]\d{8}$", re.I)
CADENCE_WORDS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "six-monthly": 6, "annual": 12, "annually": 12,
                 "yearly": 12, "biennial": 24, "biennially": 24, "triennial": 36}
CADENCE = re.compile(r"^(?:every\s+)?(\d{1,3})\s*(year|yr|month|mo)s?$", re.I)


class SourcesError(ValueError):
    """The sources file as a whole cannot be used (not found, not YAML, not a list of entries)."""


class SourceEntry(BaseModel):
    """One entry as written in the file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    council: str
    series: str
    url: str | None = None
    path: str | None = None
    cadence: str | None = None
    format: Literal["pdf", "docx", "html", "text", "markdown"] | None = None

    @field_validator("council", "series")
    @classmethod
    def not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        return " ".join(value.split())

    @field_validator("url")
    @classmethod
    def web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import httpx

        try:
            url = httpx.URL(value)
        except Exception as exc:  # httpx.InvalidURL and friends
            raise ValueError(f"{value!r} is not a web address: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"{value!r} is not an http:// or https:// address (for a local file, use `path`)")
        return value

    @field_validator("cadence")
    @classmethod
    def known_cadence(cls, value: str | None) -> str | None:
        if value is not None and cadence_months(value) is None:
            raise ValueError(f"cadence {value!r} is not understood; write e.g. \"3 years\", \"18 months\", \"annual\"")
        return value

    @model_validator(mode="after")
    def one_location(self) -> "SourceEntry":
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of `url` or `path`")
        return self


def cadence_months(text: str) -> int | None:
    """Months between editions for "3 years", "every 18 months", "annual", ...; None if not understood.

    >>> cadence_months("3 years"), cadence_months("every 6 months"), cadence_months("Annual")
    (36, 6, 12)
    """
    text = " ".join(text.lower().split())
    if text in CADENCE_WORDS:
        return CADENCE_WORDS[text]
    match = CADENCE.match(text)
    if not match or int(match.group(1)) == 0:
        return None
    number = int(match.group(1))
    return number * 12 if match.group(2).startswith("y") else number


class Source(BaseModel):
    """A checked entry: its council resolved, its path made absolute, its identity fixed."""

    model_config = ConfigDict(frozen=True)

    id: str
    entry: int  # 1-based number of the entry in the file
    line: int | None
    sources_file: str
    council: Council
    series: str
    series_key: str
    url: str | None = None
    path: Path | None = None
    cadence: str | None = None
    cadence_months: int | None = None
    format: str | None = None

    @property
    def location(self) -> str:
        return self.url if self.url is not None else str(self.path)


class SourceIssue(BaseModel):
    """One thing wrong with an entry: which file, which entry (1-based), its line, the field."""

    model_config = ConfigDict(frozen=True)

    file: str
    message: str
    entry: int | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = Path(self.file).name
        if self.entry is not None:
            where += f" entry {self.entry}"
        if self.line is not None:
            where += f" (line {self.line})"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class SourcesFile(BaseModel):
    path: str
    sources: list[Source]
    issues: list[SourceIssue] = []


def series_key(series: str) -> str:
    """The series as compared: case, apostrophes and spacing ignored ("Children’s Services Plan")."""
    return " ".join(re.findall(r"[a-z0-9]+", series.lower().replace("’", "").replace("'", "")))


def resolve_council(text: str) -> Council:
    """A council by register code ("GAT"), GSS code ("E08000037") or any name the register knows."""
    reg = register()
    key = text.strip()
    if key.upper() in reg.councils:
        return reg.councils[key.upper()]
    if GSS.match(key):
        matches = [c for c in reg.councils.values() if (c.gss_code or "").upper() == key.upper()]
        if matches:
            return max(matches, key=lambda c: reg.current[c.code])
        raise UnknownCouncil(f"no council in the register has the GSS code {key!r}")
    return reg.resolve(key)


def load_sources(path: Path | str) -> SourcesFile:
    """The sources at `path`: good entries in `sources`, each bad one an issue. Raises
    `SourcesError` when the file as a whole cannot be read."""
    from pipeline.store import stable_id

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCES_BYTES:
            raise SourcesError(f"{path}: {size:,} bytes, over the limit of {MAX_SOURCES_BYTES:,} for a sources file")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: could not be read: {exc}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise SourcesError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    issues: list[SourceIssue] = []
    items_node = node
    if isinstance(data, dict):
        for key_node, value_node in node.value:
            if key_node.value == "sources":
                items_node = value_node
            else:
                issues.append(SourceIssue(file=str(path), line=key_node.start_mark.line + 1, field=str(key_node.value),
                                          message="unknown top-level field (a sources file has only `sources`)"))
        data = data.get("sources")
    if data is None:
        return SourcesFile(path=str(path), sources=[], issues=issues)
    if not isinstance(data, list) or not isinstance(items_node, yaml.SequenceNode):
        raise SourcesError(f"{path}: expected `sources:` followed by a list of entries (council, series, url or path)")

    sources: list[Source] = []
    seen: dict[str, int] = {}
    for number, (item_node, value) in enumerate(zip(items_node.value, data), start=1):
        line = item_node.start_mark.line + 1
        fields = {str(k.value): k.start_mark.line + 1 for k, _ in item_node.value} if isinstance(item_node, yaml.MappingNode) else {}

        def issue(message: str, field: str | None = None) -> None:
            issues.append(SourceIssue(file=str(path), entry=number, line=fields.get(field, line) if field else line,
                                      field=field, message=message))

        if not isinstance(value, dict):
            issue("expected fields (council, series, url or path), not " + type(value).__name__)
            continue
        try:
            entry = SourceEntry.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else None
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    message = f"unknown field (known: {', '.join(SourceEntry.model_fields)})"
                elif error["type"] == "missing":
                    message = "missing: every entry needs `council`, `series` and one of `url` or `path`"
                elif error["type"] == "literal_error":
                    message = f"{error['input']!r} is not one of {', '.join(FORMATS)}"
                issue(message, field)
            continue
        try:
            council = resolve_council(entry.council)
        except UnknownCouncil as exc:
            issue(str(exc), "council")
            continue
        local = (path.parent / entry.path).resolve() if entry.path is not None else None
        location = entry.url if entry.url is not None else str(local)
        key = series_key(entry.series)
        source_id = stable_id("source", council.code, key, location)
        if source_id in seen:
            issue(f"the same council, series and {'url' if entry.url else 'path'} as entry {seen[source_id]}; "
                  "this entry is ignored", "url" if entry.url else "path")
            continue
        seen[source_id] = number
        sources.append(Source(
            id=source_id, entry=number, line=line, sources_file=str(path), council=council, series=entry.series,
            series_key=key, url=entry.url, path=local, cadence=entry.cadence,
            cadence_months=cadence_months(entry.cadence) if entry.cadence else None, format=entry.format,
        ))
    return SourcesFile(path=str(path), sources=sources, issues=issues)
