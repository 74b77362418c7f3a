"""Handouts in the built site: `medguide build` (what `make site` runs) writes them to
`site/handouts/`, and every page of a medicine links them with their size and page count."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import zxingcpp
from conftest import ROOT, edit, write_mkdocs_config
from PIL import Image
from pypdf import PdfReader

from generator.build.handouts import Handout, HandoutSettings, plan_handouts
from generator.cli.main import main as medguide
from generator.content.loader import load_catalog

pytestmark = pytest.mark.pdf  # renders PDFs

LINK = re.compile(r'<a href="([^"]+\.pdf)">([^<]+)</a> \(PDF, (\d+) pages?, ([\d.]+ [KM]B)\)')


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def size_text(size: int) -> str:
    # The same rule the site uses, applied to the file as written.
    return Handout("", "", None, "", "", "", Path(), size, 0).size_text


def test_build_writes_the_handouts_and_every_medicine_page_links_them(content, tmp_path):
    site = tmp_path / "site"
    config = write_mkdocs_config(tmp_path, content, site)
    assert medguide(["--config", str(config), "build"]) == 0
    pdfs = sorted(p.name for p in (site / "handouts").iterdir())
    assert pdfs == ["testofen-oral.pdf", "testofen-pump.pdf", "testofen-wallet-card.pdf"]
    pages = sorted((site / "medicines" / "testofen").rglob("index.html"))
    assert len(pages) == 8  # overview and seven topic pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<h2 id="print-handouts">Print a handout</h2>' in html, page
        links = LINK.findall(html)
        assert [Path(href).name for href, *_ in links] == pdfs, page
        for href, text, count, size in links:
            pdf = (page.parent / href).resolve()
            assert pdf.is_file(), href
            assert int(count) == len(PdfReader(pdf).pages)
            assert size == size_text(pdf.stat().st_size)
    assert "Handout: testofen tablets" in html
    assert "Handout: testofen pump" in html
    assert "Wallet card for people with a testofen pump" in html


def test_the_paper_size_is_set_in_mkdocs_yml(content, tmp_path):
    site = tmp_path / "site"
    config = write_mkdocs_config(tmp_path, content, site)
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "      handout_paper: a4\n", encoding="utf-8")
    assert medguide(["--config", str(config), "build"]) == 0
    for pdf in (site / "handouts").iterdir():
        box = PdfReader(pdf).pages[0].mediabox
        assert (round(box.width), round(box.height)) == (595, 842), pdf.name


def test_a_failed_handout_build_fails_the_build_and_leaves_the_old_site(
        content, record_path, tmp_path, capsys, caplog):
    site = tmp_path / "site"
    config = write_mkdocs_config(tmp_path, content, site)
    assert medguide(["--config", str(config), "build"]) == 0
    before = snapshot(site)
    edit(record_path, "questions_to_ask:\n", "questions_to_ask:\n" + "".join(
        f"  - Is question number {i} one I should ask about this medicine?\n"
        for i in range(120)))
    capsys.readouterr()
    assert medguide(["--config", str(config), "build"]) == 1
    # MkDocs logs the plugin's error; the command line prints its own verdict.
    err = capsys.readouterr().err + caplog.text
    assert "nothing was changed in" in err
    assert "testofen/medicine.yaml:1:1: (handout): the handout testofen-oral.pdf runs to" in err
    assert "at most 2 pages" in err
    assert "Traceback" not in err
    assert snapshot(site) == before


def test_mkdocs_build_also_writes_the_handouts(content, tmp_path):
    site = tmp_path / "site"
    config = write_mkdocs_config(tmp_path, content, site)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                    str(config)], check=True, cwd=tmp_path)
    assert len(list((site / "handouts").glob("testofen-*.pdf"))) == 3


# ---------------------------------------------------------------- the real content


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    """The bundled content built with the project's own mkdocs.yml, as `make site` does."""
    site = tmp_path_factory.mktemp("real") / "site"
    assert medguide(["--config", str(ROOT / "mkdocs.yml"), "build", "--site-dir",
                     str(site)]) == 0
    return site


def test_make_site_writes_baclofens_two_handouts_and_its_wallet_card(real_site):
    handouts = real_site / "handouts"
    assert {p.name for p in handouts.glob("baclofen*.pdf")} == {
        "baclofen-oral.pdf", "baclofen-pump.pdf", "baclofen-wallet-card.pdf"}
    for name in ["baclofen-oral.pdf", "baclofen-pump.pdf"]:
        assert 1 <= len(PdfReader(handouts / name).pages) <= 2, name
    assert len(PdfReader(handouts / "baclofen-wallet-card.pdf").pages) == 1
    oral = pdf_text(handouts / "baclofen-oral.pdf")
    pump = pdf_text(handouts / "baclofen-pump.pdf")
    card = pdf_text(handouts / "baclofen-wallet-card.pdf")
    assert "Written November 20, 2026" in card and "Last reviewed" not in card
    for text in (oral, pump):
        assert "BAK-loe-fen" in text
        assert "Do not stop baclofen suddenly." in text
        assert "Get help right away" in text
        assert "Opioid pain and cough medicines" in text
        # Submitted, one version: dated as written, in the review facts and the page footer.
        assert "Written: November 20, 2026" in text
        assert "Written November 20, 2026" in text and "Last reviewed" not in text
    assert "Ozobax" in oral and "Gablofen" not in oral
    # The FDA boxed warning of baclofen is the pump's: the oral handout gives it as our advice.
    assert "Important: do not stop baclofen suddenly" in oral and "FDA boxed warning" not in \
        oral.replace("There is no FDA boxed warning for baclofen tablets, liquid and granules", "")
    assert "FDA boxed warning" in pump and "Important: do not stop" not in pump
    assert "If you forget a dose" in oral
    assert "Questions to ask your prescriber or pharmacist" in oral
    assert "If the pump alarm sounds" in pump and "Gablofen" in pump
    assert "Before any MRI scan" in pump and "make and model" in pump
    assert "Signs of too much medicine" in pump
    # The oral handout holds no pump lines (the web pages' texts cover both).
    assert "pump" not in oral.lower()
    assert "I have an implanted pump" in card and "Pump clinic phone:" in card
    assert "Before any MRI, call my pump clinic." in card


def test_baclofen_qr_codes_open_its_pages(real_site, tmp_path):
    for name, url in [
            ("baclofen-oral.pdf", "https://medguide.example.org/medicines/baclofen/"),
            ("baclofen-pump.pdf",
             "https://medguide.example.org/medicines/baclofen/pump-care/"),
            ("baclofen-wallet-card.pdf",
             "https://medguide.example.org/medicines/baclofen/pump-care/")]:
        subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png",
                        str(real_site / "handouts" / name), str(tmp_path / name)], check=True)
        (png,) = tmp_path.glob(f"{name}-*.png")
        assert [c.text for c in zxingcpp.read_barcodes(Image.open(png))] == [url]


def test_every_baclofen_page_links_its_handouts(real_site):
    pages = sorted((real_site / "medicines" / "baclofen").rglob("index.html"))
    assert len(pages) == 8
    for page in pages:
        links = LINK.findall(page.read_text(encoding="utf-8"))
        assert sorted(Path(href).name for href, *_ in links) == [
            "baclofen-oral.pdf", "baclofen-pump.pdf", "baclofen-wallet-card.pdf"], page


class CareBoxes(HTMLParser):
    """The care boxes of a handout's HTML: each box's heading and the texts of its items."""

    def __init__(self) -> None:
        super().__init__()
        self.boxes: list[dict] = []
        self.depth = 0  # of <section> inside the box being read
        self.text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            if self.depth:
                self.depth += 1
            elif "care" in (dict(attrs).get("class") or "").split():
                self.depth = 1
                self.boxes.append({"heading": "", "items": []})
        elif self.depth and tag in ("h2", "li"):
            self.text = []

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "section" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("h2", "li") and self.text is not None:
            text = " ".join("".join(self.text).split())
            box = self.boxes[-1]
            if tag == "h2":
                box["heading"] = text
            else:
                box["items"].append(text)
            self.text = None


def page_texts(path: Path) -> list[str]:
    pages = len(PdfReader(path).pages)
    return [" ".join(subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"], check=True,
        capture_output=True, text=True).stdout.split()) for number in range(1, pages + 1)]


def pages_showing(texts: list[str], text: str) -> list[int]:
    # The first words are enough to find an item, and stay clear of inline Markdown.
    start = " ".join(text.split()[:4])
    return [number for number, page in enumerate(texts, 1) if start in page]


def test_every_care_box_prints_whole_on_one_page_and_the_emergency_box_on_page_one(real_site):
    """Read back from the real PDFs: no care box splits across pages, and each handout's
    emergency box ("Get help right away") is on page 1."""
    catalog, problems = load_catalog(ROOT / "content")
    published = [m for m in catalog.medicines if not m.record.review.is_draft]
    jobs = [job for job in plan_handouts(catalog, published, ROOT / "templates",
                                         HandoutSettings(Path("unused")))
            if job.kind == "handout"]
    assert len(jobs) >= 10
    for job in jobs:
        texts = page_texts(real_site / "handouts" / job.file_name)
        parser = CareBoxes()
        parser.feed(job.html)
        assert parser.boxes, job.file_name
        for box in parser.boxes:
            pages = {page for text in [box["heading"], box["items"][0], box["items"][-1]]
                     for page in pages_showing(texts, text)[:1]}
            assert len(pages) == 1, (job.file_name, box["heading"], pages)
        (emergency,) = [box for box in parser.boxes if box["heading"] == "Get help right away"]
        assert pages_showing(texts, emergency["items"][-1])[:1] == [1], job.file_name
