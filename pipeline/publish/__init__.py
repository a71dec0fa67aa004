"""Publishing with Datasette: configuration files in this folder, and the serve arguments.

- `metadata.yaml`: title, sources, licences, table and column descriptions, facets, sort orders,
  hidden tables, label columns and the stored queries for the users' journeys.
- `plugins/councilplans_plugin.py`: the plugin's hooks and pages (source-page links, `/-/source/{id}`
  and the document's own text, `/-/compare`, `/-/themes`, `/-/councils/{code}`, publishing the
  database as `councilplans` whatever its file is called); the work is in the modules beside it:
  `sqlfunctions.py` (SQL functions the stored queries use: themes of a question, council names and
  abbreviations, years such as 2021/22, highlights), `safety.py` (memory limits, read-only
  connections, security headers, error pages), `sources.py` (serving documents safely, the text
  view, PDF regions) and `similar.py` (similar commitments, TF-IDF).
- `enrich.py` and `strength.yaml`: fields derived at store time for the site and the export (themes
  with evidence, strength, SMART flags, progress, source notes); migration 2 of the store.
- `templates/`: the home page (coverage, quality, the journeys), stored-query pages, record pages,
  the comparison, themes, council and source-text pages.
- `static/`: one stylesheet and one script, served at /assets/.

`datasette_args` builds the `datasette serve` command line; `make_datasette` builds the same
instance in-process (for tests and benchmarks).
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent
METADATA = HERE / "metadata.yaml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_MOUNT = "assets"  # metadata.yaml's extra_css_urls and extra_js_urls point here
DATABASE_NAME = "councilplans"
# Settings passed to Datasette, both on the command line and in-process.
SETTINGS = {
    "suggest_facets": False,  # suggesting facets costs ~0.5 s a search at 50,000 commitments; metadata names the useful ones
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "truncate_cells_html": 400,  # long source texts are cut in lists; record pages show them whole
}


def datasette_args(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Arguments for `datasette serve`: the database read-only (immutable) with our metadata,
    plugin and templates, bound to `host` (loopback by default)."""
    args = [
        "serve", "--immutable", str(db_path),
        "--metadata", str(METADATA),
        "--plugins-dir", str(PLUGINS_DIR),
        "--template-dir", str(TEMPLATES_DIR),
        "--static", f"{STATIC_MOUNT}:{STATIC_DIR}",
        "--host", host, "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def make_datasette(db_path: Path | str):
    """The Datasette instance `datasette_args` describes, in-process (use `.client.get`)."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(db_path)],
        metadata=yaml.safe_load(METADATA.read_text(encoding="utf-8")),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=SETTINGS,
    )
