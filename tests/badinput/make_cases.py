"""A corpus of bad input: everything councils (or their web servers, or a careless download)
might put in a folder that `councilplans ingest` reads unattended, one case per folder, with the
outcome each file must have.

    python tests/badinput/make_cases.py OUT            # small sizes, for TEST_LIMITS (seconds to make)
    python tests/badinput/make_cases.py OUT --full     # the sizes from issue 13, for the default limits

`make_corpus(root)` writes `root/00_good/` (the bundled corpus and its manifest) and one folder per
case; `expectations(root, cases)` says, for each file, which outcomes are allowed and which error
code a failure must carry. `tests/badinput/test_together.py` ingests it all in one run;
`benchmarks/bench_badinput.py` runs each case alone and reports its outcome, time and memory.

A case is a row in CASES: add one by writing its `make` function and its expectations.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import os
import shutil
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.loaders import Limits  # noqa: E402

BUNDLED = ROOT / "corpus"
GOOD = "00_good"
# Small limits for the together-test, so that every case over a limit is small on disk and fast.
TEST_LIMITS = Limits(max_megabytes=10, max_pages=300, max_text_megabytes=2, max_zip_entries=500, max_unzipped_megabytes=50,
                     max_seconds=30, seconds_per_page=0.2, max_memory_megabytes=1000)

PLAN = """Our Plan for Children and Young People 2025-2027

Priority 1: Keep children safe

We will:
- reduce exclusions from school by March 2026
- improve school attendance by September 2026
- recruit twenty more foster carers by 2027
"""
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class Expect:
    """The outcomes a file may have (ingested, duplicate, failed, skipped) and, for a failure, the
    codes its reason may carry (any, when empty)."""

    outcomes: tuple[str, ...]
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    make: Callable[[Path, bool], None]
    # (glob on the path inside the case folder, Expect); the first match wins.
    expect: tuple[tuple[str, Expect], ...] = ()
    slow: bool = False  # runs into the time limit on purpose
    with_good: bool = False  # refers to the good corpus: run alone, it is ingested together with it


def _ok() -> tuple[tuple[str, Expect], ...]:
    return (("*", Expect(("ingested",))),)


def _fails(*codes: str) -> tuple[tuple[str, Expect], ...]:
    return (("*", Expect(("failed",), codes)),)


def _bounded(*codes: str) -> tuple[tuple[str, Expect], ...]:
    """Read or refused, either way within the limits."""
    return (("*", Expect(("ingested", "failed"), codes)),)


# --------------------------------------------------------------------------- builders


def _pdf(path: Path, pages: list[str], *, encrypt=None) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=encrypt)
    for text in pages:
        y = 760
        for line in text.splitlines():
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()


def _pdf_bytes(pages: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    for text in pages:
        c.drawString(72, 720, text)
        c.showPage()
    c.save()
    return buffer.getvalue()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1 0 obj is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _zeros_deflated(megabytes: int) -> bytes:
    """A zlib stream that inflates to `megabytes` MB of NUL bytes, made without compressing them
    all: after a full flush, deflate's output for the same megabyte repeats exactly."""
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + block * megabytes + b"\x03\x00" + struct.pack(">I", adler)


def _docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Our Plan for Children 2025-2027", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def _docx_with_body(path: Path, document_xml: bytes | Callable[[io.BufferedWriter], None], *, extra_entries: int = 0) -> None:
    """A copy of a plain DOCX whose word/document.xml is replaced (bytes, or a writer function for
    streaming a large part), with `extra_entries` empty entries added."""
    base = io.BytesIO()
    import docx

    docx.Document().save(base)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == "word/document.xml":
                continue
            target.writestr(item, source.read(item.filename))
        if callable(document_xml):
            with target.open("word/document.xml", "w", force_zip64=True) as handle:
                document_xml(handle)
        else:
            target.writestr("word/document.xml", document_xml)
        for k in range(extra_entries):
            target.writestr(f"extra/item{k}.xml", b"")


def _body(inner: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<w:document xmlns:w="{W_NS}"><w:body>{inner}</w:body></w:document>').encode("utf-8")


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def _write(path: Path, data: bytes | str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def _repeat_to(path: Path, unit: bytes, size: int) -> None:
    with open(path, "wb") as handle:
        block = unit * max(1, (1 << 20) // len(unit))
        written = 0
        while written < size:
            handle.write(block)
            written += len(block)


def _commitments(n: int) -> str:
    """`n` distinct commitments, one a line, sharing few words (so none is a near-copy of another)
    and no digits (a line repeated with only its digits changed reads as a running header)."""
    import random

    rng = random.Random(13)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    word = lambda: "".join(rng.choice(syllables) for _ in range(3))  # noqa: E731
    return "We will:\n" + "".join(f"- {word()} the {word()} {word()} with {word()} {word()} {word()} by March next year\n"
                                   for _ in range(n))


# --------------------------------------------------------------------------- the cases
# Each make(folder, full) writes its files into `folder`; `full` asks for the sizes of issue 13.


def m_empty(d, full):
    _write(d / "empty.txt", b"")
    _write(d / "empty.pdf", b"")


def m_binary(d, full):
    _write(d / "junk.txt", bytes(range(256)) * 64)


def m_utf16_no_bom(d, full):
    _write(d / "plan_utf16le.txt", PLAN.encode("utf-16-le"))
    _write(d / "plan_utf16be.txt", PLAN.encode("utf-16-be"))


def m_utf16_bom(d, full):
    _write(d / "plan_utf16.txt", PLAN.encode("utf-16"))


def m_cp1252(d, full):
    _write(d / "plan_cp1252.txt", (PLAN + "We will invest £5m in “family hubs” – by 2027.\n").encode("cp1252"))


def m_nul_bytes(d, full):
    filler = "".join(f"Paragraph {k} explains the context of the plan at some length.\n\n" for k in range(80))
    _write(d / "plan_nul.txt", PLAN + "\n" + filler + "We will reduce child po\x00verty by March 2027.\n")


def m_crlf(d, full):
    _write(d / "plan_crlf.txt", PLAN.replace("\n", "\r\n"))
    _write(d / "plan_cr.txt", PLAN.replace("\n", "\r"))


def m_control_chars(d, full):
    _write(d / "plan_controls.txt", PLAN.replace("Keep", "Ke\u200bep").replace("reduce", "re\u00adduce") + "\x1b[31mNote\x1b[0m\n")


def m_pdf_named_txt(d, full):
    _write(d / "plan.txt", _pdf_bytes(["We will improve attendance by 2026."]))


def m_rtf_named_txt(d, full):
    _write(d / "plan.txt", r"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard We will improve attendance by 2026.\par}")


def m_huge_text(d, full):
    _repeat_to(d / "huge.txt", PLAN.encode(), (150 if full else 3) * 1_000_000)


def m_form_feeds(d, full):
    _write(d / "form_feeds.txt", "\f" * (1_000_000 if full else 10_000))


def m_long_paragraph(d, full):
    sentence = "This sentence belongs to a very long paragraph without a single break. "
    _write(d / "paragraph.txt", PLAN + "\n" + sentence * (1_050_000 // len(sentence)) + "\n")


def m_quadratic(d, full):
    _write(d / "many_commitments.txt", _commitments(25_000))  # 1.8 MB: just under the text limit of the test


def m_wide_table(d, full):
    _write(d / "wide.txt", PLAN + "\n" + "\t".join(f"cell {k}" for k in range(50_000)) + "\n")


def m_repeated_digit_lines(d, full):
    lines = "".join(f"We will publish the quarterly report number {k} on the council website\n\n" for k in range(1, 5))
    _write(d / "repeated.txt", PLAN + "\n" + lines)


def m_weird_names(d, full):
    _write(d / "<script>alert(1)</script> plan.txt", PLAN.replace("twenty", "ninety"))
    _write(d / "plân 🚸 ünïcode.txt", PLAN.replace("twenty", "thirty"))
    _write(d / "plan\twith tab.txt", PLAN.replace("twenty", "forty"))


def m_same_name(d, full):
    _write(d / "2024" / "plan.txt", PLAN)
    _write(d / "2025" / "plan.txt", PLAN.replace("2027", "2028"))


def m_duplicate(d, full):
    shutil.copyfile(BUNDLED / "documents" / "bcp_brighter_futures.txt", d / "copy_of_bcp.txt")
    _write(d / "twin_a.txt", PLAN.replace("twenty", "fifty"))
    _write(d / "twin_b.txt", PLAN.replace("twenty", "fifty"))


def m_deep_folders(d, full):
    _write(d.joinpath(*["level"] * 60) / "plan.txt", PLAN.replace("twenty", "sixty"))


def m_folder_named_pdf(d, full):
    _write(d / "report.pdf" / "inside.txt", PLAN.replace("twenty", "seventy"))


def m_doc(d, full):
    _write(d / "plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))


def m_odt(d, full):
    with zipfile.ZipFile(d / "plan.odt", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")


def m_rtf(d, full):
    _write(d / "plan.rtf", r"{\rtf1\ansi We will improve attendance.\par}")


def m_xlsx(d, full):
    with zipfile.ZipFile(d / "actions.xlsx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")


def m_pptx(d, full):
    with zipfile.ZipFile(d / "slides.pptx", "w") as z:
        z.writestr("ppt/presentation.xml", "<presentation/>")


def m_pdf_bak(d, full):
    _write(d / "plan.pdf.bak", _pdf_bytes(["We will improve attendance by 2026."]))
    _write(d / "plan.txt~", PLAN)


def m_not_documents(d, full):
    _write(d / "answers.yaml", "documents: []\n")
    _write(d / "data.json", "{}")
    _write(d / ".DS_Store", bytes(64))
    _write(d / "Thumbs.db", bytes(64))
    _write(d / "README.txt", "About this folder.\n")
    _write(d / ".git" / "objects" / "ab" / "cdef", bytes(32))


def m_fifo(d, full):
    os.mkfifo(d / "pipe.txt")


def m_link_outside(d, full):
    os.symlink("/etc/passwd", d / "passwd.txt")
    os.symlink("/etc", d / "etc_folder")


def m_link_loop(d, full):
    (d / "loop").mkdir()
    os.symlink(".", d / "loop" / "self")
    os.symlink("..", d / "loop" / "up")
    _write(d / "loop" / "plan.txt", PLAN.replace("twenty", "eighty"))


def m_link_inside(d, full):
    os.symlink(os.path.relpath(d.parent / GOOD / "documents" / "bcp_brighter_futures.txt", d), d / "alias.txt")


def m_broken_link(d, full):
    os.symlink("nowhere.txt", d / "gone.txt")


MANIFEST_BROKEN = """documents:
  - file: good.txt
    council: Kent
  - file: typo.txt
    council: Kent
    kind: stratgy
  - file: broken.txt
    council: [Kent
  - file: stranger.txt
    council: Atlantis
  - file: ghost.txt
    council: Kent
"""
MANIFEST_FIELDS = """documents:
  - file: good.txt
    council: Gateshead
    period: [2025, 2027]
  - file: nocouncil.txt
    title: A plan without a council
  - file: extra.txt
    council: Kent
    colour: blue
"""


def m_manifest_syntax(d, full):
    _write(d / "manifest.yaml", MANIFEST_BROKEN)
    for k, name in enumerate(("good.txt", "typo.txt", "broken.txt", "stranger.txt")):
        _write(d / name, PLAN.replace("twenty", f"{k + 100} more"))


def m_manifest_fields(d, full):
    _write(d / "manifest.yaml", MANIFEST_FIELDS)
    for k, name in enumerate(("good.txt", "nocouncil.txt", "extra.txt")):
        _write(d / name, PLAN.replace("twenty", f"{k + 200} more"))


def m_pdf_encrypted_user(d, full):
    from reportlab.lib import pdfencrypt

    _pdf(d / "locked.pdf", [PLAN], encrypt=pdfencrypt.StandardEncryption("user", ownerPassword="owner", strength=128))


def m_pdf_encrypted_owner(d, full):
    from reportlab.lib import pdfencrypt

    _pdf(d / "owner_only.pdf", [PLAN], encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner", strength=128))


def m_pdf_image_only(d, full):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(d / "scan.pdf"))
    for _ in range(2):
        c.setFillColorRGB(0.2, 0.3, 0.4)
        c.rect(72, 300, 400, 300, fill=1)
        c.showPage()
    c.save()


def m_pdf_truncated(d, full):
    _write(d / "truncated.pdf", _pdf_bytes(["We will improve attendance by 2026."] * 3)[:600])


def m_pdf_not_pdf(d, full):
    _write(d / "page.pdf", "<html><body><h1>404 Not Found</h1></body></html>")


def m_pdf_garbage_xref(d, full):
    _write(d / "garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\nstartxref\n99999\n%%EOF\n")


def m_pdf_bomb(d, full):
    stream = _zeros_deflated(2500 if full else 1200)
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    _write(d / "inflates.pdf", _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        content,
    ]))


def m_pdf_many_pages(d, full):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(d / "long.pdf"))
    for k in range((1501 if full else 301)):
        c.drawString(72, 720, f"Page {k + 1}")
        c.showPage()
    c.save()


def m_pdf_big_file(d, full):
    path = d / "big.pdf"
    _write(path, _pdf_bytes(["We will improve attendance by 2026."]))
    with open(path, "r+b") as handle:
        handle.truncate((201 if full else 11) * 1_000_000)  # sparse: big on paper, nothing on disk


def m_docx_zip_bomb(d, full):
    megabytes = 2000 if full else 60
    head = _body("").split(b"<w:body>")[0] + b"<w:body><w:p><w:r><w:t>"
    tail = b"</w:t></w:r></w:p></w:body></w:document>"

    def write(handle):
        handle.write(head)
        chunk = b"A" * (1 << 20)
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(tail)

    _docx_with_body(d / "bomb.docx", write)


def m_docx_many_entries(d, full):
    _docx_with_body(d / "entries.docx", _body(_para("We will improve attendance by 2026.")), extra_entries=20_000 if full else 600)


def m_docx_xxe(d, full):
    doctype = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    _docx_with_body(d / "xxe.docx", _body(_para("We will reduce exclusions by 2026 &xxe; today."), doctype))


def m_docx_billion_laughs(d, full):
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10))
    _docx_with_body(d / "laughs.docx", _body(_para("We will laugh &lol9; by 2026."), f"<!DOCTYPE w:document [{entities}]>"))


def m_docx_huge_paragraph(d, full):
    _docx_with_body(d / "paragraph.docx", _body(_para("We will improve attendance by 2026.") + _para("word " * 220_000)))


def m_docx_encrypted(d, full):
    _write(d / "protected.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))


def m_docx_corrupt(d, full):
    good = io.BytesIO()
    import docx

    docx.Document().save(good)
    _write(d / "corrupt.docx", good.getvalue()[: len(good.getvalue()) // 2])


def m_docx_not_word(d, full):
    with zipfile.ZipFile(d / "not_word.docx", "w") as z:
        z.writestr("hello.txt", "no word parts here")


def m_docx_good(d, full):
    _docx(d / "plan.docx", ["We will:", "reduce exclusions by March 2026", "improve attendance by September 2026"])


def m_html_script(d, full):
    _write(d / "page.html", """<!doctype html><html><head><title>Plan 2025-2027</title>
<script>alert('script')</script><style>body{}</style></head><body onload="alert('onload')">
<h1>Our Plan 2025-2027</h1><iframe src="https://example.com/"></iframe>
<p>We will <a href="javascript:alert('link')">reduce exclusions</a> by March 2026.</p>
<p onclick="alert('click')">We will improve attendance by September 2026 <img src=x onerror="alert('img')"></p>
<ul><li>We will publish <b onmouseover="alert(1)">&lt;script&gt;alert(2)&lt;/script&gt;</b> results by 2027</li></ul>
</body></html>""")


def m_html_huge_table(d, full):
    rows = "".join(f"<tr><td>{k}</td><td>We will review service {k} by March 2026</td><td>Green</td></tr>" for k in range(200_000 if full else 40_000))
    _write(d / "table.html", f"<html><body><h1>Action plan</h1><table><tr><th>Ref</th><th>Action</th><th>RAG</th></tr>{rows}</table></body></html>")


def m_html_deep(d, full):
    _write(d / "deep.html", "<html><body>" + "<div>" * 50_000 + "We will improve attendance by 2026." + "</div>" * 50_000 + "</body></html>")


def m_html_binary(d, full):
    _write(d / "binary.html", bytes(range(256)) * 32)


def m_html_nothing(d, full):
    _write(d / "empty_page.html", "<html><head><script>var x = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>")


def m_md_yaml_bomb(d, full):
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)}]\n"
        for k in range(8))
    _write(d / "front.md", "---\n" + laughs + "title: *i\n---\n# Our plan\n\nWe will improve attendance by 2026.\n")


def m_md_nested_lists(d, full):
    _write(d / "nested.md", "# Plan\n\n" + "".join("  " * k + "- We will act\n" for k in range(3000)))


CASES: list[Case] = [
    Case("empty", "empty files (text and PDF)", m_empty, _fails("E101")),
    Case("binary_text", "binary junk named .txt", m_binary, _fails("E104")),
    Case("utf16_no_bom", "UTF-16 LE and BE text without a byte-order mark", m_utf16_no_bom, _ok()),
    Case("utf16_bom", "UTF-16 text with a byte-order mark", m_utf16_bom, _ok()),
    Case("cp1252", "Windows-1252 text (£, curly quotes)", m_cp1252, _ok()),
    Case("nul_bytes", "a NUL byte inside a commitment", m_nul_bytes, _ok()),
    Case("crlf_cr", "CRLF and bare CR line endings", m_crlf, _ok()),
    Case("control_chars", "zero-width, soft hyphen and ANSI escape characters", m_control_chars, _ok()),
    Case("pdf_named_txt", "a PDF named .txt", m_pdf_named_txt, _fails("E103")),
    Case("rtf_named_txt", "an RTF document named .txt", m_rtf_named_txt, _fails("E103")),
    Case("huge_text", "a text file over the text limit (150 MB full size)", m_huge_text, _fails("E203")),
    Case("form_feeds", "a text of form feeds (1,000,001 pages full size)", m_form_feeds, _fails("E202")),
    Case("long_paragraph", "a paragraph of more than a million characters (spaCy E088)", m_long_paragraph, _bounded("E206")),
    Case("quadratic", "25,000 distinct list items (work that grows faster than the text)", m_quadratic, _bounded("E206"), slow=True),
    Case("wide_table", "a table row of 50,000 tab-separated cells", m_wide_table, _bounded("E206")),
    Case("repeated_digit_lines", "a commitment repeated with only its number changed", m_repeated_digit_lines, _ok()),
    Case("weird_names", "file names with markup, non-ASCII and a tab", m_weird_names, _ok()),
    Case("same_name", "two different files with the same name in two folders", m_same_name, _ok()),
    Case("duplicate", "the same content under two names", m_duplicate,
         (("copy_of_bcp.txt", Expect(("duplicate",))), ("twin_a.txt", Expect(("ingested",))), ("twin_b.txt", Expect(("duplicate",)))),
         with_good=True),
    Case("deep_folders", "a document 60 folders deep", m_deep_folders, _ok()),
    Case("folder_named_pdf", "a folder named report.pdf", m_folder_named_pdf,
         (("report.pdf", Expect(("skipped",))), ("*", Expect(("ingested",))))),
    Case("doc", "a Word 97-2003 .doc", m_doc, _fails("E103")),
    Case("odt", "an OpenDocument .odt", m_odt, _fails("E103")),
    Case("rtf", "an .rtf", m_rtf, _fails("E103")),
    Case("xlsx", "a spreadsheet .xlsx", m_xlsx, _fails("E103")),
    Case("pptx", "slides .pptx", m_pptx, _fails("E103")),
    Case("backups", "backup copies (plan.pdf.bak, plan.txt~)", m_pdf_bak,
         (("*.bak", Expect(("failed",), ("E103",))), ("*~", Expect(("skipped",))))),
    Case("not_documents", "metadata, hidden files and folders, a readme", m_not_documents, (("*", Expect(("skipped",))),)),
    Case("fifo", "a named pipe called pipe.txt", m_fifo, _fails("E102")),
    Case("link_outside", "links to a system file and folder outside the corpus", m_link_outside, _fails("E301")),
    Case("link_loop", "folder links pointing back up (a loop)", m_link_loop,
         (("loop/self", Expect(("failed",), ("E302",))), ("loop/up", Expect(("failed",), ("E302",))), ("*", Expect(("ingested",))))),
    Case("link_inside", "a link to a good document inside the corpus", m_link_inside, (("*", Expect(("duplicate",))),),
         with_good=True),
    Case("broken_link", "a link to nothing", m_broken_link, _fails("E303")),
    Case("manifest_syntax", "a manifest with a line YAML cannot parse, a wrong kind and an unknown council", m_manifest_syntax,
         (("manifest.yaml", Expect(("skipped",))), ("good.txt", Expect(("ingested",))), ("broken.txt", Expect(("failed",), ("E402",))),
          ("*", Expect(("failed",), ("E401",))))),
    Case("manifest_fields", "manifest entries with a missing and an unknown field", m_manifest_fields,
         (("manifest.yaml", Expect(("skipped",))), ("good.txt", Expect(("ingested",))), ("*", Expect(("failed",), ("E401",))))),
    Case("pdf_encrypted_user", "a PDF with a user password", m_pdf_encrypted_user, _fails("E106")),
    Case("pdf_encrypted_owner", "a PDF with only an owner password", m_pdf_encrypted_owner, _ok()),
    Case("pdf_image_only", "an image-only (scanned) PDF", m_pdf_image_only, _fails("E108")),
    Case("pdf_truncated", "a truncated PDF", m_pdf_truncated, _fails("E100")),
    Case("pdf_not_pdf", "an HTML error page named .pdf", m_pdf_not_pdf, _fails("E100")),
    Case("pdf_garbage", "a PDF header and trailer around junk", m_pdf_garbage_xref, _fails("E100", "E109")),
    Case("pdf_bomb", "a small PDF whose content stream inflates past the memory limit", m_pdf_bomb,
         _bounded("E207", "E208", "E108", "E109")),
    Case("pdf_many_pages", "a PDF over the page limit", m_pdf_many_pages, _fails("E202")),
    Case("pdf_big_file", "a PDF over the size limit", m_pdf_big_file, _fails("E201")),
    Case("docx_zip_bomb", "a DOCX that unpacks to gigabytes", m_docx_zip_bomb, _fails("E205")),
    Case("docx_many_entries", "a DOCX with thousands of zip entries", m_docx_many_entries, _fails("E204")),
    Case("docx_xxe", "a DOCX with an external entity (XXE) naming /etc/passwd", m_docx_xxe, _bounded()),
    Case("docx_billion_laughs", "a DOCX with nested entities (billion laughs)", m_docx_billion_laughs, _bounded()),
    Case("docx_huge_paragraph", "a DOCX paragraph of a million characters", m_docx_huge_paragraph, _ok()),
    Case("docx_encrypted", "a password-protected Word file (.docx)", m_docx_encrypted, _fails("E103")),
    Case("docx_corrupt", "half a DOCX", m_docx_corrupt, _fails("E100")),
    Case("docx_not_word", "a zip that is not a Word file, named .docx", m_docx_not_word, _fails("E100")),
    Case("docx_good", "a plain Word plan", m_docx_good, _ok()),
    Case("html_script", "HTML with script, iframe, javascript: links and event attributes", m_html_script, _ok()),
    Case("html_huge_table", "an HTML table of 200,000 rows, 15 MB (40,000 rows in the together-test)", m_html_huge_table, _bounded("E203", "E206")),
    Case("html_deep", "HTML nested 50,000 elements deep", m_html_deep, _bounded("E110", "E108")),
    Case("html_binary", "binary junk named .html", m_html_binary, _fails("E104")),
    Case("html_nothing", "an HTML page with no text", m_html_nothing, _fails("E108")),
    Case("md_yaml_bomb", "Markdown whose front matter is a YAML alias bomb", m_md_yaml_bomb, _bounded()),
    Case("md_nested_lists", "Markdown lists nested 3,000 deep", m_md_nested_lists, _bounded()),
]


def make_good(root: Path) -> None:
    shutil.copytree(BUNDLED / "documents", root / GOOD / "documents")
    shutil.copyfile(BUNDLED / "manifest.yaml", root / GOOD / "manifest.yaml")


def make_corpus(root: Path, *, full: bool = False, only: list[str] | None = None, good: bool = True) -> list[Case]:
    """Write the good corpus and every case (or those named in `only`) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    if good:
        make_good(root)
    cases = [c for c in CASES if only is None or c.name in only]
    for case in cases:
        folder = root / case.name
        folder.mkdir(parents=True, exist_ok=True)
        case.make(folder, full)
    return cases


@dataclass
class Expectations:
    by_case: dict[str, Case] = field(default_factory=dict)

    def expect(self, shown: str) -> tuple[str, Expect]:
        """The case and expectation for a path as the run shows it ("corpus/<case>/<path>")."""
        parts = shown.split("/")
        if GOOD in parts:
            return GOOD, Expect(("ingested", "skipped"))
        case_name = next(p for p in parts if p in self.by_case)
        inner = "/".join(parts[parts.index(case_name) + 1:])
        for pattern, expect in self.by_case[case_name].expect or _ok():
            if fnmatch.fnmatch(inner, pattern):
                return case_name, expect
        raise AssertionError(f"{shown}: no expectation matches")


def expectations(cases: list[Case]) -> Expectations:
    return Expectations({c.name: c for c in cases})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--full", action="store_true", help="the sizes from issue 13 (for the default limits)")
    parser.add_argument("--only", nargs="*", help="only these cases")
    args = parser.parse_args()
    cases = make_corpus(args.out, full=args.full, only=args.only)
    for case in cases:
        print(f"{case.name:22} {case.what}")
    print(f"{len(cases)} cases in {args.out}")


if __name__ == "__main__":
    main()
