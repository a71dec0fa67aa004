"""The corpus manifest (`manifest.yaml`): what each file is, where it came from.

A manifest is read entry by entry: an entry with a wrong field, or a line YAML cannot parse, is a
`ManifestIssue` naming the manifest, the line and the field, and it concerns only the document
that entry names. Every other entry is used as usual.

    documents:
      - file: plan.pdf          # the file name, as found beside the manifest
        council: Kent           # any spelling the register knows
        kind: strategy          # strategy, plan, operational_plan, corporate_plan, report, other
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

# A manifest lists documents: a few kB. Anything much larger is not a manifest.
MAX_MANIFEST_BYTES = 2_000_000
KINDS = ("strategy", "plan", "operational_plan", "corporate_plan", "report", "other")
ENTRY_START = re.compile(r"^(?P<indent>\s*)-\s")
FILE_FIELD = re.compile(r"""\bfile\s*:\s*["']?(?P<name>[^"'#\n]+?)["']?\s*(?:#.*)?$""", re.M)


class ManifestError(ValueError):
    pass


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    council: str
    title: str | None = None
    kind: str | None = None
    period: tuple[int | None, int | None] = (None, None)
    source_url: str | None = None

    @field_validator("kind")
    @classmethod
    def known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in KINDS:
            raise ValueError(f"kind {value!r} is not one of {sorted(KINDS)}")
        return value


class ManifestIssue(BaseModel):
    """One thing wrong in a manifest: where (line, field), what, and which file it concerns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    manifest: str
    message: str
    line: int | None = None
    field: str | None = None
    file: str | None = None
    code: str = "E401"

    @property
    def text(self) -> str:
        """Where and what, without the code: "manifest.yaml line 7, field 'kind': ..."."""
        where = Path(self.manifest).name + (f" line {self.line}" if self.line else "")
        field = f", field {self.field!r}" if self.field else ""
        return f"{where}{field}: {self.message}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.text}"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[ManifestEntry]
    issues: list[ManifestIssue] = []
    lines: dict[str, int] = {}  # file -> the line its entry starts on

    def find(self, name: str) -> ManifestEntry | None:
        return self._entries.get(name)

    def issue_for(self, name: str) -> ManifestIssue | None:
        """The first issue with the entry for file `name` (the document cannot trust its facts)."""
        return self._issues.get(name)

    # Looked up once per file of a run: by name, not by reading the list (10,000 entries).
    @cached_property
    def _entries(self) -> dict[str, ManifestEntry]:
        out: dict[str, ManifestEntry] = {}
        for entry in self.documents:
            out.setdefault(entry.file, entry)
        return out

    @cached_property
    def _issues(self) -> dict[str, ManifestIssue]:
        out: dict[str, ManifestIssue] = {}
        for issue in self.issues:
            if issue.file is not None:
                out.setdefault(issue.file, issue)
        return out


def load_manifest(path: Path, *, check_councils: bool = False) -> Manifest:
    """The manifest at `path`, entry by entry: good entries in `documents`, everything wrong in
    `issues` with its line and field. With `check_councils`, council names the register does not
    know are issues too."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return Manifest(documents=[], issues=[ManifestIssue(
                manifest=str(path), code="E402",
                message=f"the manifest is {path.stat().st_size:,} bytes, over the limit of {MAX_MANIFEST_BYTES:,}: not read")])
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return Manifest(documents=[], issues=[ManifestIssue(manifest=str(path), code="E402", message=f"could not be read: {exc}")])
    try:
        items, issues = _items(text, path)
    except yaml.YAMLError as exc:
        items, issues = _salvage(text, path, exc)
    documents: list[ManifestEntry] = []
    seen: dict[str, int] = {}
    for line, fields, value in items:
        name = value.get("file") if isinstance(value, dict) and isinstance(value.get("file"), str) else None
        try:
            entry = ManifestEntry.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else None
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    message = f"unknown field (known: {', '.join(ManifestEntry.model_fields)})"
                elif error["type"] == "missing":
                    message = "missing: every entry needs `file` and `council`"
                issues.append(ManifestIssue(manifest=str(path), line=fields.get(field, line), field=field, file=name,
                                            message=message))
            continue
        if entry.file in seen:
            issues.append(ManifestIssue(manifest=str(path), line=line, field="file", code="E403",
                                        message=f"{entry.file!r} is listed again (first on line {seen[entry.file]}); this entry is ignored"))
            continue
        seen[entry.file] = line
        if check_councils:
            from pipeline.councils import UnknownCouncil, register

            try:
                register().resolve(entry.council)
            except UnknownCouncil as exc:
                issues.append(ManifestIssue(manifest=str(path), line=fields.get("council", line), field="council",
                                            file=entry.file, message=str(exc)))
                continue
        documents.append(entry)
    return Manifest(documents=documents, issues=issues, lines=seen)


def missing_files(manifest: Manifest, location: Path) -> list[ManifestIssue]:
    """Issues for entries whose file is neither beside the manifest nor in a folder beside it."""
    folder = Path(location).parent
    subfolders = [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    return [
        ManifestIssue(manifest=str(location), line=manifest.lines.get(e.file), field="file", file=e.file, code="E403",
                      message=f"{e.file!r} is not in {folder.name}/ or a folder beside the manifest")
        for e in manifest.documents
        if not (folder / e.file).exists() and not any((sub / e.file).exists() for sub in subfolders)
    ]


def _items(text: str, path: Path) -> tuple[list[tuple[int, dict, object]], list[ManifestIssue]]:
    """(line of the entry, {field: line}, value) for each entry of `documents`, and the issues
    with the manifest's shape. Raises yaml.YAMLError when the text is not YAML."""
    issues: list[ManifestIssue] = []
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    data = yaml.safe_load(text)
    if data is None:
        return [], issues
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return [], [ManifestIssue(manifest=str(path), line=1, code="E402", message="expected `documents:` followed by a list of entries")]
    documents_node = None
    for key, value in node.value:
        if key.value == "documents":
            documents_node = value
        else:
            issues.append(ManifestIssue(manifest=str(path), line=key.start_mark.line + 1, field=str(key.value), code="E401",
                                        message="unknown top-level field (the manifest has only `documents`)"))
    entries = data.get("documents")
    if documents_node is None or not isinstance(entries, list) or not isinstance(documents_node, yaml.SequenceNode):
        issues.append(ManifestIssue(manifest=str(path), line=1, field="documents", code="E402", message="expected a list of entries"))
        return [], issues
    items = []
    for item_node, value in zip(documents_node.value, entries):
        fields = {}
        if isinstance(item_node, yaml.MappingNode):
            fields = {str(k.value): k.start_mark.line + 1 for k, _ in item_node.value}
        items.append((item_node.start_mark.line + 1, fields, value))
    return items, issues


def _salvage(text: str, path: Path, error: yaml.YAMLError) -> tuple[list[tuple[int, dict, object]], list[ManifestIssue]]:
    """When the whole manifest is not valid YAML, read its entries one by one (each `- ` item at
    the list's indentation), so that one broken line loses only its own entry."""
    lines = text.splitlines(keepends=True)
    starts = [k for k, line in enumerate(lines) if ENTRY_START.match(line)]
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    if not starts:
        return [], [ManifestIssue(manifest=str(path), line=mark.line + 1 if mark else None, code="E402",
                                  message=f"not valid YAML: {getattr(error, 'problem', None) or error}")]
    indent = len(ENTRY_START.match(lines[starts[0]]).group("indent"))
    starts = [k for k in starts if len(ENTRY_START.match(lines[k]).group("indent")) == indent]
    items, issues = [], []
    for n, first in enumerate(starts):
        last = starts[n + 1] if n + 1 < len(starts) else len(lines)
        chunk = "".join(line[indent:] if line[:indent].strip() == "" else line for line in lines[first:last])
        try:
            value = yaml.safe_load(chunk)
            node = yaml.compose(chunk, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            # where the broken construct starts ("[" never closed), else where parsing stopped
            inner = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
            name = FILE_FIELD.search(chunk)
            issues.append(ManifestIssue(manifest=str(path), line=first + 1 + (inner.line if inner else 0), code="E402",
                                        file=name.group("name").strip() if name else None,
                                        message=f"not valid YAML: {getattr(exc, 'problem', None) or exc}"))
            continue
        if isinstance(value, list) and len(value) == 1 and isinstance(node, yaml.SequenceNode):
            item = node.value[0]
            fields = {str(k.value): first + 1 + k.start_mark.line for k, _ in item.value} if isinstance(item, yaml.MappingNode) else {}
            items.append((first + 1, fields, value[0]))
    return items, issues


def find_manifest(path: Path) -> Path | None:
    """The manifest.yaml beside a file, or in its folder or the folder above."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder / "manifest.yaml", folder.parent / "manifest.yaml"):
        if candidate.exists():
            return candidate
    return None
