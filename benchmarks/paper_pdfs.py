"""Papers as PDFs for the tortured-phrase benchmark, printed from PLOS articles (never committed).

    python benchmarks/paper_pdfs.py OUT_DIR [--count 4]    # writes OUT_DIR/<id>.pdf and <id>.json

Each article becomes a journal-style paper: a title, authors and affiliations (made up, not corpus
text) across the top, the abstract, then the article's paragraphs in two justified columns under
numbered section headings, with a running header (journal and short title) and a footer (page
number and DOI) on every page, the ligatures "fi", "fl", "ff" set as single glyphs (U+FB00-FB02),
long words hyphenated at line ends (soft hyphens), and a reference list at the end. The JSON beside
each PDF holds the body text exactly as printed (the extraction check's reference) and what is not
body (front matter, references). Needs fpdf2 (``pip install fpdf2``, LGPL: a benchmark tool, not a
dependency) and the DejaVu fonts (Debian's ``fonts-dejavu-core``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SECTIONS = ["Introduction", "Materials and methods", "Results", "Discussion", "Conclusions"]
LIGATURES = {"ffi": "\ufb03", "ffl": "\ufb04", "ff": "\ufb00", "fi": "\ufb01", "fl": "\ufb02"}


def ligatures(text: str) -> str:
    for plain, glyph in LIGATURES.items():
        text = text.replace(plain, glyph)
    return text


def soft_hyphens(text: str, rng: random.Random) -> str:
    """A soft hyphen inside long words, where the line may break (as TeX's hyphenation would)."""
    def cut(m: re.Match) -> str:
        w = m.group()
        k = rng.randint(4, len(w) - 4)
        return w[:k] + "\u00ad" + w[k:]
    return re.sub(r"\b[a-z]{10,}\b", cut, text)


def make_paper(article: dict, out: Path, seed: int = 0) -> dict:
    """Print one PLOS article (``{"id", "title", "text"}``) to ``out`` and return its reference JSON."""
    from fpdf import FPDF

    rng = random.Random(f"{seed}:{article['id']}")
    paragraphs = [p for p in article["text"].split("\n") if p.strip()]
    abstract, body = paragraphs[0], paragraphs[1:]
    cuts = sorted(rng.sample(range(1, max(len(body), 6)), min(len(SECTIONS) - 1, max(len(body) - 1, 1))))
    title = article["title"]
    short = title if len(title) < 60 else title[:57] + "..."
    doi = article.get("source", "").replace("https://doi.org/", "") or article["id"]

    class Paper(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("serif", "I", 8)
                self.cell(0, 6, f"PLOS ONE | {short}", align="L")
                self.ln(8)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("serif", "", 8)
            self.cell(0, 6, f"PLOS ONE | https://doi.org/{doi}    {self.page_no()} / {{nb}}", align="C")

    pdf = Paper(format="A4")
    pdf.add_font("serif", "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_font("serif", "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("serif", "I", str(FONTS / "DejaVuSerif-Italic.ttf"))
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, 18)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("serif", "B", 15)
    pdf.multi_cell(0, 7, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("serif", "", 9)
    names = ["A. Moreau", "J. K. Lindqvist", "R. Okafor", "M. Tanaka"][: rng.randint(2, 4)]
    pdf.multi_cell(0, 5, ", ".join(f"{n}{i + 1}" for i, n in enumerate(names)), new_x="LMARGIN", new_y="NEXT")
    for i in range(len(names)):
        pdf.multi_cell(0, 4, f"{i + 1} Department of Biology, University of Nowhere {i + 1}, 1000{i} City, Country",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4, "* corresponding.author@example.org", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("serif", "B", 10)
    pdf.cell(0, 6, "Abstract")
    pdf.ln(6)
    pdf.set_font("serif", "", 9)
    pdf.multi_cell(0, 4.2, ligatures(soft_hyphens(abstract, rng)), align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    printed = ["Abstract", abstract]
    with pdf.text_columns(ncols=2, gutter=6, text_align="J", line_height=1.15) as cols:
        section = 0
        for i, para in enumerate(body):
            if i == 0 or (section < len(cuts) and i == cuts[section]):
                if i:
                    section += 1
                name = SECTIONS[min(section, len(SECTIONS) - 1)]
                heading = f"{section + 1}. {name}"
                cols.write(text="\n")
                pdf.set_font("serif", "B", 10)
                cols.write(text=heading + "\n")
                pdf.set_font("serif", "", 9)
                printed.append(heading)
            cols.write(text=ligatures(soft_hyphens(para, rng)) + "\n")
            printed.append(para)
        pdf.set_font("serif", "B", 10)
        cols.write(text="\nReferences\n")
        pdf.set_font("serif", "", 8)
        for k in range(1, 16):
            cols.write(text=f"{k}. {rng.choice(['Smith J', 'Chen L', 'Garcia M', 'Novak P'])}, "
                            f"{rng.choice(['Ito K', 'Brown A', 'Silva R'])}. A study of case {k}. "
                            f"J Exp Biol. {rng.randint(1990, 2015)};{rng.randint(1, 90)}:{rng.randint(100, 900)}-"
                            f"{rng.randint(901, 999)}.\n")
    pdf.output(str(out))
    reference = {"id": article["id"], "title": title, "body": "\n".join(printed),
                 "front": [title, *names], "pages": pdf.page_no()}
    out.with_suffix(".json").write_text(json.dumps(reference, ensure_ascii=False), encoding="utf-8")
    return reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--count", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    articles = [json.loads(line) for line in (args.corpus / "plos-articles" / "plos-articles.jsonl").open()]
    rng = random.Random(args.seed)
    for article in rng.sample([a for a in articles if 3000 < len(a["text"].split()) < 12000], args.count):
        ref = make_paper(article, args.out / f"{article['id']}.pdf", args.seed)
        print(f"{article['id']}: {ref['pages']} pages")


if __name__ == "__main__":
    main()
