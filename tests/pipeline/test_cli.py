import json

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.ingest import BUNDLED_CORPUS


def test_ingest_export_eval_through_the_cli(tmp_path):
    runner = CliRunner()
    db = tmp_path / "cli.db"
    result = runner.invoke(main, ["ingest", str(BUNDLED_CORPUS / "bcp_brighter_futures.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "bcp_brighter_futures.txt: 4 priorities, 28 actions, 15 measures" in result.output

    result = runner.invoke(main, ["export", "--db", str(db), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported = json.loads((tmp_path / "out" / "bcp_brighter_futures.json").read_text())
    assert len(exported["actions"]) == 28

    result = runner.invoke(main, ["eval", "--db", str(db), "--markdown", str(tmp_path / "m.md")])
    assert result.exit_code == 0, result.output
    # Only one document was ingested: the other four gold documents count as missed.
    assert "4 without predictions" in result.output
    assert "| actions |" in (tmp_path / "m.md").read_text()


def test_bad_council_is_a_clear_error_with_a_hint(tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(BUNDLED_CORPUS / "bcp_brighter_futures.txt"), "--db", str(tmp_path / "x.db"), "--council", "Atlantis"])
    assert result.exit_code != 0
    assert "Atlantis" in result.output and "Hint" in result.output


def test_unreadable_file_is_named_in_the_output_and_the_run_goes_on(tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"")
    good = BUNDLED_CORPUS / "bcp_brighter_futures.txt"
    result = CliRunner().invoke(main, ["ingest", str(bad), str(good), "--db", str(tmp_path / "y.db")])
    assert result.exit_code == 1  # a file could not be read (issue 12)
    assert "broken.txt" in result.output and "empty" in result.output
    assert "1 documents ingested" in result.output and "1 could not be read" in result.output


def test_debug_shows_blocks_and_what_was_taken():
    result = CliRunner().invoke(main, ["debug", str(BUNDLED_CORPUS / "bcp_brighter_futures.txt")])
    assert result.exit_code == 0
    assert "PRIORITY 1 (level 1): Enable access to high quality education" in result.output
    assert "ACTION: harmonise and improve the Foster Care offer by early summer 2020 due 2020-06-30 -> priorities 2" in result.output
    # every kept record's candidate shows its score against the threshold and the features behind it
    line = next(k for k, text in enumerate(result.output.splitlines()) if "? action" in text and "Foster Care offer" in text)
    assert "(kept" in result.output.splitlines()[line]
    assert result.output.splitlines()[line + 1].strip().startswith("because ")


def test_debug_names_a_file_it_cannot_read(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = CliRunner().invoke(main, ["debug", str(empty)])
    assert result.exit_code != 0 and "empty.txt" in result.output and "empty" in result.output


def test_files_over_the_size_and_page_limits_are_named_and_skipped(tmp_path):
    from reportlab.pdfgen import canvas

    long_pdf = tmp_path / "long.pdf"
    c = canvas.Canvas(str(long_pdf))
    for page in range(3):
        c.drawString(72, 720, f"We will improve school attendance by March 2026 (page {page + 1}).")
        c.showPage()
    c.save()
    big = tmp_path / "big.txt"
    big.write_text("We will recruit more foster carers by 2026.\n" * 200, encoding="utf-8")  # about 9 kB
    small = tmp_path / "small.txt"
    small.write_text("Our priorities\n\nWe will:\n  • improve school attendance by March 2026\n", encoding="utf-8")
    db = tmp_path / "limits.db"
    result = CliRunner().invoke(main, ["ingest", str(long_pdf), str(big), str(small), "--db", str(db),
                                       "--council", "Kent", "--max-pages", "2", "--max-mb", "0.005", "--allow-failures"])
    assert result.exit_code == 0, result.output
    assert "long.pdf" in result.output and "3 pages, over the limit of 2" in result.output
    assert "big.txt" in result.output and "over the limit of 0.005 MB" in result.output
    assert "small.txt: 0 priorities, 1 actions" in result.output
    assert "1 documents ingested" in result.output and "2 could not be read" in result.output
    # With the limits raised, the same PDF loads.
    result = CliRunner().invoke(main, ["ingest", str(long_pdf), "--db", str(db), "--council", "Kent", "--max-pages", "3"])
    assert "1 documents ingested" in result.output, result.output
