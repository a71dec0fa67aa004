"""The `councilplans` command: a thin click layer over the library functions."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from pipeline.ingest import BUNDLED_CORPUS, PROJECT_ROOT, IngestError, ingest
from pipeline.loaders import MAX_MEGABYTES, MAX_MEMORY_MEGABYTES, MAX_PAGES, MAX_SECONDS, SECONDS_PER_PAGE

DEFAULT_DB = "councilplans.db"
DEFAULT_GOLD = PROJECT_ROOT / "corpus" / "gold"


@click.group()
@click.version_option(package_name="councilplans")
def main() -> None:
    """Turn UK council strategy papers into a searchable database of commitments."""


@main.command("ingest")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path))
@click.option("--council", help="Council for files not in a manifest (any spelling the register knows).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--max-mb", "max_megabytes", default=MAX_MEGABYTES, show_default=True, type=click.FloatRange(min=0.001),
              help="Skip (and report) files larger than this.")
@click.option("--max-pages", default=MAX_PAGES, show_default=True, type=click.IntRange(min=1),
              help="Skip (and report) documents with more pages than this (PDF pages, form feeds in text).")
@click.option("--max-seconds", default=MAX_SECONDS, show_default=True, type=click.FloatRange(min=1),
              help=f"Time allowed per file, plus {SECONDS_PER_PAGE:g} s per page; a slower file is stopped and reported.")
@click.option("--max-memory-mb", default=MAX_MEMORY_MEGABYTES, show_default=True, type=click.IntRange(min=0),
              help="Memory (address space) allowed per file's worker; a file needing more is reported. 0: no limit.")
@click.option("--follow-links", is_flag=True, help="Follow links to files and folders outside the folders given.")
@click.option("--force", is_flag=True, help="Read every file again, even those unchanged since they were stored.")
@click.option("--allow-failures", is_flag=True, help="Exit 0 even when some files could not be read.")
@click.option("--atomic/--in-place", default=False, show_default=True,
              help="--atomic: build into a copy of DB (DB.tmp-<pid>) and rename it into place only when the run is "
                   "complete, so a served database is never half-written and a stopped run leaves it as it was.")
@click.option("--quiet", "-q", is_flag=True, help="Only failures and the summary (no line per file, no progress bar).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Read the files on the Dask cluster of this scheduler (docs/dask.md); this process writes DB.")
@click.option("--dask", "dask_workers", type=click.IntRange(1, 64), metavar="N",
              help="Read the files on a Dask LocalCluster of N worker processes on this machine (docs/dask.md).")
def ingest_command(paths: tuple[Path, ...], db_path: Path, council: str | None, workers: int,
                   max_megabytes: float, max_pages: int, max_seconds: float, max_memory_mb: int, follow_links: bool,
                   force: bool, allow_failures: bool, atomic: bool, quiet: bool, scheduler: str | None,
                   dask_workers: int | None) -> None:
    """Ingest documents (files or folders; default: the bundled corpus) into DB.

    Every file found is accounted for: ingested, unchanged since it was stored (not read again:
    same content and extractor version; --force reads it), a duplicate of another (stored once),
    skipped as not a document, or reported with a coded reason (also in the `problems` and `files`
    tables), and the run goes on. Each run is a row of `runs`. The exit status is 1 when any file
    could not be read (unless --allow-failures)."""
    from pydantic import ValidationError
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.councils import UnknownCouncil
    from pipeline.dask_engine import DaskEngine, DaskError  # distributed itself is imported only when used
    from pipeline.ingest import NO_COUNCIL
    from pipeline.loaders import Limits
    from pipeline.store import StoreError

    console = Console(stderr=True)
    tty = console.is_terminal
    try:
        limits = Limits(max_megabytes=max_megabytes, max_pages=max_pages, max_seconds=max_seconds,
                        max_memory_megabytes=max_memory_mb)
    except ValidationError as exc:
        raise click.ClickException("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))
    targets = list(paths) or [BUNDLED_CORPUS]
    engine = contextlib.nullcontext()
    if scheduler is not None or dask_workers is not None:
        if scheduler is not None and dask_workers is not None:
            raise click.UsageError("give --scheduler (a running cluster) or --dask N (a local one), not both")
        if click.get_current_context().get_parameter_source("workers") is not ParameterSource.DEFAULT:
            raise click.UsageError("--workers is for the local engine; on Dask the cluster's workers read the files")
        engine = DaskEngine(scheduler, workers=dask_workers)

    def line(result) -> str | None:
        """One file's line: every file when not on a terminal; what changed, failed or was
        copied on a terminal (the bar counts the rest); failures only with --quiet."""
        shown = escape(result.shown)
        if result.problem:
            return f"[red]✗ {shown}[/red]: {result.problem.stage}: {escape(result.problem.reason)}"
        if quiet:
            return None
        if result.outcome == "ingested":
            c = result.counts or {}
            timing = f", {result.seconds:.1f} s" if result.seconds is not None else ""
            text = (f"[green]✓ {shown}[/green]: {c.get('priorities', 0)} priorities, {c.get('actions', 0)} actions, "
                    f"{c.get('measures', 0)} measures ({result.change}{timing})")
            if result.note == NO_COUNCIL:
                text += f"\n[yellow]! {shown}: council not determined: stored without one (name it in a manifest.yaml or pass --council)[/yellow]"
            return text
        if result.outcome == "duplicate":
            return f"[yellow]= {shown}[/yellow]: {escape(result.note or '')}"
        if tty:
            return None
        if result.outcome == "unchanged":
            return f"· {shown}: unchanged (not read again)"
        return f"- {shown}: skipped: {escape(result.note or '')}"

    try:
        with engine as running, Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                         TimeElapsedColumn(), TextColumn("{task.fields[current]}"), console=console,
                                         transient=True, disable=quiet or not tty) as progress:
            task = progress.add_task("Ingesting", total=None, current="")

            def on_result(result) -> None:
                progress.update(task, advance=1, current=result.shown[-60:])
                text = line(result)
                if text:
                    progress.console.print(text, soft_wrap=True, highlight=False)

            report = ingest(targets, db_path, council=council, workers=workers, on_result=on_result, limits=limits,
                            follow_links=follow_links, on_found=lambda n: progress.update(task, total=n),
                            force=force, atomic=atomic, engine=running)
    except (IngestError, UnknownCouncil) as exc:
        raise click.ClickException(f"{exc}\nHint: pass existing files or folders, and --council with a name from the register.")
    except (StoreError, DaskError) as exc:
        raise click.ClickException(str(exc))
    for note in report.notes:
        console.print(f"[yellow]! {escape(note)}[/yellow]", soft_wrap=True, highlight=False)
    if report.skipped:
        shown = ", ".join(r.shown for r in report.skipped[:5]) + (" ..." if len(report.skipped) > 5 else "")
        click.echo(f"Skipped {len(report.skipped)} files that are not documents: {shown}")
    no_council = [r.shown for r in report.files if r.outcome == "ingested" and r.note == NO_COUNCIL]
    if no_council:
        click.echo(f"{len(no_council)} documents stored without a council (it could not be determined): "
                   + ", ".join(no_council[:5]) + (" ..." if len(no_council) > 5 else "")
                   + "; name it in a manifest.yaml beside them or pass --council")
    for summary in report.editions:
        click.echo("Editions: " + "\n".join(summary.lines()))
    click.echo(f"Changes: documents {report.changes('new')} new, {report.changes('changed')} changed, "
               f"{report.changes('re-extracted')} re-extracted, {len(report.unchanged)} unchanged, "
               f"{len(report.failed)} failed; commitments {report.commitments_added} added, "
               f"{report.commitments_removed} removed.")
    click.echo(f"{len(report.documents)} documents ingested into {db_path}; {len(report.unchanged)} unchanged (not read "
               f"again); {len(report.failed)} could not be read; {len(report.duplicates)} duplicates stored once; "
               f"{len(report.skipped)} skipped (every file found: {len(report.files)}, in {report.seconds or 0:.1f} s; "
               f"see the files and runs tables, run {report.run_id}).")
    if report.failed and not allow_failures:
        click.echo(f"Exit status 1: {len(report.failed)} files could not be read (see the problems table; "
                   "--allow-failures to exit 0).", err=True)
        raise click.exceptions.Exit(1)


@main.command("fetch")
@click.argument("sources_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--archive", "archive_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder where each distinct file is kept once, named by its SHA-256.")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(path_type=Path))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Seconds to wait for a server (to connect, and between bytes).")
@click.option("--max-mb", "max_megabytes", default=MAX_MEGABYTES, show_default=True, type=click.FloatRange(min=0.001),
              help="Refuse (and report) files larger than this.")
@click.option("--allow-failures", is_flag=True, help="Exit 0 even when a source failed or an entry is wrong.")
def fetch_command(sources_file: Path, archive_dir: Path, db_path: Path, timeout: float, max_megabytes: float,
                  allow_failures: bool) -> None:
    """Check every source in SOURCES_FILE (YAML; see docs/fetch.md): download what changed
    (conditional requests), archive each distinct file once, and record the outcome in DB
    (`sources`, `fetches`, the `coverage` view). A source that fails is reported and the run
    goes on; the exit status is 1 if any source failed or any entry is wrong."""
    from pipeline.fetch import fetch_sources
    from pipeline.sources import SourcesError
    from pipeline.store import StoreError

    marks = {"new": "+", "changed": "~", "unchanged": "=", "not found": "-", "failed": "✗"}

    def on_result(result) -> None:
        s = result.source
        detail = result.reason or (f"{result.sha256[:12]}, {result.size:,} bytes" if result.sha256 else "")
        click.echo(f"{marks[result.status]} {result.status}: {s.council.name} — {s.series}: {s.location}"
                   + (f" ({detail})" if detail else ""))

    try:
        report = fetch_sources(sources_file, archive_dir, db_path, timeout=timeout, max_megabytes=max_megabytes,
                               on_result=on_result)
    except SourcesError as exc:
        raise click.ClickException(f"{exc}\nHint: see docs/fetch.md and sources.example.yaml for the format.")
    except StoreError as exc:
        raise click.ClickException(str(exc))
    for issue in report.issues:
        click.echo(f"✗ bad entry: {issue}", err=True)
    counts = ", ".join(f"{report.count(status)} {status}" for status in marks)
    click.echo(f"{len(report.results)} sources checked: {counts}; {len(report.issues)} bad entries. "
               f"Recorded in {db_path} (sources, fetches, coverage); files in {archive_dir}.")
    if (report.failed or report.issues) and not allow_failures:
        raise click.exceptions.Exit(1)


@main.command("changes")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, path_type=Path))
@click.option("--council", help="Only this council (code, name, GSS code or any spelling the register knows).")
@click.option("--threshold", default=None, type=click.FloatRange(0, 100),
              help="Similarity (0-100) two commitments need to be paired across editions [default: 72].")
def changes_command(db_path: Path, council: str | None, threshold: float | None) -> None:
    """Compare consecutive editions of each council's plans and (re)write the `changes` table.

    Documents of one council with the same kind and title (years and edition words aside) are
    editions of one series, in date order. Each commitment is carried forward, reworded, dropped or
    new, and a paired one may also have its deadline slipped, its owner or its target changed."""
    from pipeline.councils import UnknownCouncil
    from pipeline.editions import THRESHOLD, compute_changes, council_codes
    from pipeline.store import StoreError, open_db

    try:
        db = open_db(db_path)
        codes = council_codes(db, council) if council else None
        summaries = compute_changes(db, codes, threshold=THRESHOLD if threshold is None else threshold)
    except UnknownCouncil as exc:
        raise click.ClickException(f"{exc}\nHint: give a council code, name or GSS code.")
    except StoreError as exc:
        raise click.ClickException(str(exc))
    for summary in summaries:
        click.echo("\n".join(summary.lines()))
    total = sum(sum(p.counts.values()) for s in summaries for p in s.pairs)
    click.echo(f"{len(summaries)} series with two or more editions; {total} rows written to the changes table of {db_path}.")


@main.command("export")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path))
def export_command(db_path: Path, out_dir: Path) -> None:
    """Write one gold-shaped <source stem>.json per document into OUT."""
    from pipeline.export import write_export
    from pipeline.store import open_db

    written = write_export(open_db(db_path), out_dir)
    click.echo(f"{len(written)} files written to {out_dir}")


@main.command("eval")
@click.option("--gold", "gold_dir", default=DEFAULT_GOLD, show_default=True, type=click.Path(exists=True, path_type=Path))
@click.option("--db", "db_path", type=click.Path(exists=True, path_type=Path), help="Score the documents in this database.")
@click.option("--pred", "pred_dir", type=click.Path(exists=True, path_type=Path), help="Or score a folder of exported JSON.")
@click.option("--markdown", "markdown_out", type=click.Path(path_type=Path), help="Also write the scores as Markdown.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the scores as JSON.")
@click.option("--explain", is_flag=True, help="List misses, spurious items and wrong fields.")
@click.option("--cv", is_flag=True, help="Leave-one-document-out over every gold set the project has: each document "
              "scored by a model trained without it (ignores --gold/--db/--pred).")
@click.option("--folds", type=click.IntRange(min=2), help="With --cv: this many groups of documents instead of one each (faster).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --cv: fit this many folds at once (processes; the scores do not change).")
def eval_command(gold_dir: Path, db_path: Path | None, pred_dir: Path | None, markdown_out, json_out, explain: bool,
                 cv: bool, folds: int | None, jobs: int) -> None:
    """Score extraction against gold answers: P/R/F1 per record kind, accuracy per field."""
    from pipeline.evaluate import evaluate, load_gold, load_predictions

    if cv:
        from pipeline.train import cross_validate, gather, gold_documents

        rows = gather(gold_documents())
        report, per_set = cross_validate(rows, folds=folds, jobs=jobs)
        click.echo(report.to_text())
        for name, sub in per_set.items():
            click.echo(f"\n### {name}\n" + sub.to_text().split("\nFields")[0].split("\n", 1)[1])
        if explain:
            click.echo(report.explain(limit=200))
        if markdown_out:
            parts = [report.to_markdown()] + [f"\n# {name}\n\n" + sub.to_markdown() for name, sub in per_set.items()]
            Path(markdown_out).write_text("".join(parts), encoding="utf-8")
        if json_out:
            data = {"all": report.to_dict(), "sets": {n: r.to_dict() for n, r in per_set.items()}}
            Path(json_out).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        return
    if (db_path is None) == (pred_dir is None):
        if db_path is None and Path(DEFAULT_DB).exists():
            db_path = Path(DEFAULT_DB)
        else:
            raise click.ClickException("give exactly one of --db DB or --pred DIR\nHint: run `councilplans ingest` first.")
    if db_path is not None:
        from pipeline.export import export_all
        from pipeline.store import open_db

        predicted = export_all(open_db(db_path))
        label = str(db_path)
    else:
        predicted = load_predictions(pred_dir)
        label = str(pred_dir)
    report = evaluate(load_gold(gold_dir), predicted, gold_label=str(gold_dir), predicted_label=label)
    click.echo(report.to_text())
    if explain:
        click.echo(report.explain(limit=200))
    if markdown_out:
        Path(markdown_out).write_text(report.to_markdown(), encoding="utf-8")
    if json_out:
        Path(json_out).write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")


@main.command("train")
@click.option("--out", type=click.Path(path_type=Path), help="Where to write the model (default: the committed one).")
@click.option("--without-shared", is_flag=True, help="Leave out ../shared/corpus/real/gold even when it is present.")
def train_command(out: Path | None, without_shared: bool) -> None:
    """Rebuild the decision model from every gold file the project has."""
    from pipeline.train import MODEL_PATH, gold_sets, train

    sets = gold_sets(include_shared=not without_shared)
    click.echo("Training on: " + ", ".join(f"{s.name} ({s.gold})" for s in sets))
    model = train(out=out or MODEL_PATH, include_shared=not without_shared)
    size = (out or MODEL_PATH).stat().st_size
    click.echo(f"{len(model['trained_on'])} gold documents; model written to {out or MODEL_PATH} ({size / 1e6:.2f} MB)")


@main.command("serve")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
def serve_command(db_path: Path, host: str, port: int) -> None:
    """Publish DB with Datasette (read-only), with the project's metadata and stored queries."""
    import sqlite3

    from pipeline.publish import DATABASE_NAME, datasette_args
    from pipeline.store import StoreError, recover_hot_journal

    try:
        # A run killed during a commit leaves a rollback journal that a read-only opener cannot
        # roll back ("not a database"): one read-write open here puts the last commit back.
        note = recover_hot_journal(db_path)
    except StoreError as exc:
        raise click.ClickException(str(exc))
    if note:
        click.echo(note, err=True)
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        with conn:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{db_path} is not a SQLite database ({exc}).\nHint: create one with `councilplans ingest --db {db_path}`.")
    missing = {"councils", "documents", "priorities", "actions", "measures"} - tables
    if missing:
        raise click.ClickException(
            f"{db_path} is not a councilplans database: it has no {', '.join(sorted(missing))} table.\n"
            f"Hint: create one with `councilplans ingest --db {db_path}`."
        )
    args = datasette_args(db_path, host=host, port=port)
    click.echo(f"Serving {db_path} at http://{host}:{port}/ as /{DATABASE_NAME} (read-only; Ctrl+C to stop)")
    sys.stdout.flush()
    sys.stderr.flush()
    # Datasette takes over this process: SIGTERM and SIGINT reach it directly, and nothing is left
    # running when `serve` is stopped or killed.
    os.execv(sys.executable, [sys.executable, "-m", "datasette", *args])


@main.command("debug")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--page", type=int, help="Only this page.")
@click.option("--all", "all_candidates", is_flag=True, help="Every candidate, not only the three best of each block.")
def debug_command(path: Path, page: int | None, all_candidates: bool) -> None:
    """Show the blocks of a document, what was kept from each, and every candidate's score and
    the features that decided it."""
    from pipeline.debug import explain_document
    from pipeline.loaders import LoadError

    try:
        click.echo(explain_document(path, page=page, all_candidates=all_candidates))
    except LoadError as exc:
        raise click.ClickException(str(exc))


if __name__ == "__main__":
    main()
