"""The corpus manifest (`manifest.yaml`): what each file is, where it came from."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator


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
        allowed = {"strategy", "plan", "operational_plan", "corporate_plan", "report", "other"}
        if value is not None and value not in allowed:
            raise ValueError(f"kind {value!r} is not one of {sorted(allowed)}")
        return value


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[ManifestEntry]

    def find(self, name: str) -> ManifestEntry | None:
        for entry in self.documents:
            if entry.file == name:
                return entry
        return None


def load_manifest(path: Path) -> Manifest:
    try:
        return Manifest.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {"documents": []})
    except (yaml.YAMLError, ValidationError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc


def find_manifest(path: Path) -> Path | None:
    """The manifest.yaml beside a file, or in its folder or the folder above."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder / "manifest.yaml", folder.parent / "manifest.yaml"):
        if candidate.exists():
            return candidate
    return None
