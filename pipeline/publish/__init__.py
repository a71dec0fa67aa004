"""Publishing with Datasette: configuration files in this folder, and the serve arguments."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
METADATA = HERE / "metadata.yaml"


def datasette_args(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Arguments for `datasette serve`: the database read-only (immutable) with our metadata."""
    return ["serve", "--immutable", str(db_path), "--metadata", str(METADATA), "--host", host, "--port", str(port)]
