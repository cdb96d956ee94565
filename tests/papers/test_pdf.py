"""Papers as input: PDFs the tests build themselves, read into pages and a body; every broken PDF is one line."""

import io
import json
import subprocess
import sys

import pytest

from detector.cli import main
from detector.errors import InputError
from detector.papers.paper import paper_from_pages, read_paper
from detector.papers.pdf import read_pdf_pages
from detector.papers.testing import simple_pdf

FRONT = "Deep Results in Imaging\nA. Moreau, University of Nowhere, 10001 City\nmoreau@example.org"
PAGE1 = FRONT + "\nAbstract\nWe study images with a counterfeit consciousness model and report results."
PAGE2 = ("Journal of Tests 12\n1. Introduction\nImages are everywhere in medicine and the irregular woodland\n"
         "classifier is trained on them.\nReferences\n1. Smith J. Profound learning. J Test. 2010;1:1-2.\n2")
PAGE3 = "Journal of Tests 13\n2. More work\nMore text on the third page follows here.\n3"


def paper_bytes() -> bytes:
    return simple_pdf([PAGE1, PAGE2.replace("References\n1. Smith J. Profound learning. J Test. 2010;1:1-2.\n", ""),
                       PAGE3 + "\nReferences\n1. Smith J. Profound learning. J Test. 2010;1:1-2."])


def encrypted_pdf() -> bytes:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) writes the encrypted PDF: pip install pypdf")
    reader = pypdf.PdfReader(io.BytesIO(simple_pdf(["Secret text of a paper."])))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")  # no cryptography needed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_body_pages_and_sections():
    paper = read_paper(paper_bytes(), "p.pdf")
    assert paper.pages == 3
    assert paper.text.startswith("Abstract\nWe study images")
    assert "Moreau" not in paper.text and "Smith" not in paper.text and "Journal of Tests" not in paper.text
    at = paper.locate(paper.text.index("irregular woodland"))
    assert at == {"page": 2, "section": "1. Introduction"}
    assert paper.locate(paper.text.index("third page"))["page"] == 3
    assert paper.left_out["front matter"] > 0 and paper.left_out["References"] > 0


def test_two_columns_read_in_order():
    pages = read_pdf_pages(simple_pdf(["Left column first line\nleft second line"], ["Right column text"]), "c.pdf")
    text = " ".join(pages[0].split())
    assert text.index("Left column") < text.index("left second") < text.index("Right column")


def test_running_headers_and_page_numbers_dropped():
    pages = [[f"Annals of Tests {i}", f"Body text line one of page {'abcd'[i - 1]}.", *[f"Line {w} of it." for w in
                                                                                     "xyzuvw"[i - 1 :]], str(i)]
             for i in range(1, 5)]
    paper = paper_from_pages(pages)
    assert "Annals" not in paper.text and paper.text.count("Body text") == 4


@pytest.mark.parametrize("data,expected", [
    (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "not a readable PDF"),
    (b"just text, no pdf", "not a PDF"),
    (simple_pdf(["", ""]), "no text layer"),
])
def test_bad_pdfs_are_one_line_errors(data, expected):
    with pytest.raises(InputError, match=expected):
        read_paper(data, "bad.pdf")


def test_encrypted_pdf_is_refused():
    with pytest.raises(InputError, match="encrypted"):
        read_paper(encrypted_pdf(), "locked.pdf")


def test_huge_pdf_is_refused():
    with pytest.raises(InputError, match="over the 2-page limit"):
        read_paper(simple_pdf(["a page of text here"] * 3), "big.pdf", max_pages=2)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_papers_the_others_go_on(capsys, tmp_path):
    (tmp_path / "a.pdf").write_bytes(paper_bytes())
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing here")
    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf())
    code, out, err = run(capsys, "score", str(tmp_path), "--format", "jsonl", "--no-damage")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    good = [r for r in records if "error" not in r]
    bad = {r["source"].rsplit("/", 1)[-1]: r["error"] for r in records if "error" in r}
    assert len(good) == 1 and set(bad) == {"broken.pdf", "locked.pdf"}
    assert "encrypted" in bad["locked.pdf"] and "not a readable PDF" in bad["broken.pdf"]
    report = good[0]["tortured"]
    assert report["known"] == 2 and {f["page"] for f in report["findings"]} == {1, 2}
    assert good[0]["paper"]["pages"] == 3
    assert "known" in err and "a.pdf" in err  # the summary table, on stderr beside JSON
    assert "Traceback" not in err


def test_score_tsv_has_one_row_per_finding(capsys, tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(paper_bytes())
    code, out, _ = run(capsys, "score", str(path), "--format", "tsv", "--no-damage")
    rows = [line.split("\t") for line in out.strip().splitlines()]
    assert code == 0 and rows[0][:4] == ["source", "page", "section", "kind"]
    assert sorted(r[4] for r in rows[1:]) == ["counterfeit consciousness", "irregular woodland"]
    assert {r[5] for r in rows[1:]} == {"artificial intelligence", "random forest"}


def test_score_pdf_on_standard_input():
    proc = subprocess.run([sys.executable, "-m", "detector", "score", "-", "--format", "json", "--no-damage"],
                          input=paper_bytes(), capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout)
    assert result["tortured"]["known"] == 2 and result["paper"]["pages"] == 3


def test_score_one_broken_pdf_is_one_line(capsys, tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 nothing")
    code, _, err = run(capsys, "score", str(path))
    lines = err.strip().splitlines()
    assert lines[0].startswith("detector: error: ") and "not a readable PDF" in lines[0]
    assert "Traceback" not in err
