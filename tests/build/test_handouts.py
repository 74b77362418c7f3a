"""Printable handouts and the wallet card (generator/build/handouts.py), read back from the PDFs.

Built from the made-up medicine testofen: tablets (group `oral`) and a pump (group `pump`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import zxingcpp
from conftest import FIXTURES, TEMPLATES, edit
from PIL import Image
from pypdf import PdfReader

from generator.build import workers
from generator.build.cache import PickleCache
from generator.build.handouts import (
    HandoutProblem,
    HandoutSettings,
    build_handouts,
    form_groups,
    plan_handouts,
)
from generator.build.pipeline import build_site
from generator.content.loader import load_catalog
from generator.render.templates import TemplateProblem

pytestmark = pytest.mark.pdf  # renders PDFs

SITE_URL = "https://medguide.example.org/"


def load(content: Path):
    catalog, problems = load_catalog(content)
    assert catalog is not None and not problems.errors, problems.errors
    return catalog


def build(content: Path, cache: Path, templates: Path = TEMPLATES, **settings):
    catalog = load(content)
    return build_handouts(catalog, catalog.medicines, templates,
                          HandoutSettings(cache, **settings))


def pdf_text(path: Path) -> str:
    """The PDF's text as poppler reads it, with runs of white space made single spaces."""
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return " ".join(out.split())


def page_text(path: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def first_page_image(path: Path, tmp_path: Path, dpi: int = 100) -> Image.Image:
    prefix = tmp_path / path.stem
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(path),
                    str(prefix)], check=True)
    (png,) = tmp_path.glob(f"{path.stem}-*1.png")
    return Image.open(png).convert("L")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """testofen's handouts, built once for the read-only tests in this module."""
    cache = tmp_path_factory.mktemp("handout-cache")
    result = build(FIXTURES / "content", cache)
    return {handout.file_name: handout for handout in result.handouts}


# ---------------------------------------------------------------- which files


def test_one_handout_per_form_group_and_a_wallet_card_for_a_pump(built):
    assert sorted(built) == ["testofen-oral.pdf", "testofen-pump.pdf",
                             "testofen-wallet-card.pdf"]
    assert built["testofen-oral.pdf"].group == "oral"
    assert built["testofen-pump.pdf"].group == "pump"
    assert built["testofen-wallet-card.pdf"].is_wallet_card


def test_forms_are_grouped_by_their_group_in_the_order_they_are_listed():
    catalog = load(FIXTURES / "content")
    groups = form_groups(catalog.medicines[0].record)
    assert [(g.id, [f.id for f in g.forms]) for g in groups] == [
        ("oral", ["tablet"]), ("pump", ["pump"])]
    assert [g.words for g in groups] == ["tablets", "pump"]


def test_a_medicine_with_one_group_and_no_pump_gets_one_handout_named_after_it(
        content, record_path, tmp_path):
    text = record_path.read_text(encoding="utf-8")
    start = text.index("  - id: pump\n")
    text = text[:start] + text[text.index("uses:"):]
    start = text.index("pump_care:\n")
    text = text[:start] + text[text.index("classes:"):]
    record_path.write_text(text, encoding="utf-8")
    result = build(content, tmp_path / "cache")
    assert [h.file_name for h in result.handouts] == ["testofen.pdf"]


# ---------------------------------------------------------------- what is in them


def test_handouts_have_at_most_two_pages_and_the_wallet_card_one(built):
    for name, handout in built.items():
        pages = len(PdfReader(handout.path).pages)
        assert pages == handout.pages
        assert 1 <= pages <= (1 if handout.is_wallet_card else 2), name


@pytest.mark.parametrize("name", ["testofen-oral.pdf", "testofen-pump.pdf"])
def test_a_handout_prints_every_part_a_patient_going_home_needs(built, name):
    text = pdf_text(built[name].path)
    for part in [
        "Testofen",  # name
        "TEST-oh-fen",  # pronunciation
        "Important: do not stop testofen suddenly", "Do not stop testofen suddenly.",
        "There is no FDA boxed warning for",
        "Signs of withdrawal", "Itching.",
        "Get help right away", "Call 911", "Trouble breathing.",  # the emergency box
        "Call your prescriber the same day", "Confusion.",
        "Common side effects", "Sleepiness.",
        "Alcohol: More sleepiness. Avoid alcohol.",  # main interactions
        "Review status: Submitted.", "Written: January 10, 2026",
        "Next review due: January 10, 2099",
        "Testofen is not real.",  # the record's disclaimer
        "This guide is for general information.",  # the site's disclaimer
        "Pending clinical review.",
        "Your dose",
    ]:
        assert part in text, f"{part!r} missing from {name}"


def test_the_tablet_handout_says_how_to_take_it_and_what_to_do_after_a_missed_dose(built):
    text = pdf_text(built["testofen-oral.pdf"].path)
    assert "What it is for" in text
    assert "Testofen is a made-up medicine used to test this site." in text
    assert "Questions to ask" in text and "Is this right for me?" in text
    assert "Brand names: Testrel" in text
    assert "Comes as: tablets: 5 mg and 10 mg." in text
    assert "How to take it" in text and "Take it with water." in text
    assert "start with 5 mg 3 times a day" in text
    assert "Dose: When: Prescriber phone:" in text  # the lines of the dose box
    assert "If you forget a dose" in text and "Take it when you remember." in text
    assert "pump alarm" not in text
    assert "https://medguide.example.org/medicines/testofen/" in text.replace(" ", "")


def test_the_pump_handout_has_pump_care_instead_of_tablet_instructions(built):
    text = pdf_text(built["testofen-pump.pdf"].path)
    for part in ["Before any MRI scan", "Tell your pump team before any scan.",
                 "Signs of too much medicine", "Is very sleepy.",
                 "Dose: Next refill date: Pump team phone:",  # the pump's dose box
                 "If you miss or cannot get to a refill", "Call to rebook.",
                 "If the pump alarm sounds", "Call if the alarm sounds.",
                 "Signs of infection at the pump site", "Redness at the pump site.",
                 "Call your pump team today if", "New weakness."]:
        assert part in text, part
    # Left to the pump care page, to keep the pump's warnings within two pages.
    assert "Ask about scans." not in text and "Questions to ask" not in text
    assert "Keep every refill visit." not in text and "What it is for" not in text
    assert "When:" not in text
    assert "Take it with water." not in text  # tablet instructions
    assert "Testrel" not in text  # a brand of the tablets only
    assert "https://medguide.example.org/medicines/testofen/pump-care/" in text.replace(" ", "")


def test_every_page_has_the_running_header_and_page_x_of_y(built):
    path = built["testofen-oral.pdf"].path
    pages = built["testofen-oral.pdf"].pages
    for number in range(1, pages + 1):
        text = page_text(path, number)
        assert "Testofen tablets: patient handout" in text
        assert f"Page {number} of {pages}" in text


def test_the_wallet_card_has_the_pump_warnings_and_lines_to_fill_in(built):
    text = pdf_text(built["testofen-wallet-card.pdf"].path)
    for part in ["I have an implanted pump", "Testofen pump",
                 "Sudden withdrawal of testofen is an emergency. Call 911.",
                 "Warning signs of withdrawal", "Itching.",
                 "Pump clinic phone:", "Pump model:", "Concentration:", "Dose:",
                 "Next refill:",
                 "Call my pump clinic before any MRI.",
                 "Print this page at actual size"]:
        assert part in text, part


def test_the_wallet_card_is_two_credit_card_sized_panels_side_by_side():
    from weasyprint import HTML

    catalog = load(FIXTURES / "content")
    (job,) = [job for job in plan_handouts(catalog, catalog.medicines, TEMPLATES,
                                           HandoutSettings(Path("unused")))
              if job.kind == "wallet-card"]
    page = HTML(string=job.html, base_url=job.base_url).render().pages[0]
    panels = [box for box in page._page_box.descendants()
              if "card__panel" in (getattr(box, "element", None) is not None
                                   and box.element.get("class") or "")]
    mm = 25.4 / 96  # WeasyPrint lays out in CSS pixels
    assert [(round(b.border_width() * mm, 1), round(b.border_height() * mm, 1))
            for b in panels] == [(85.6, 54.0), (85.6, 54.0)]
    front, back = panels
    assert front.border_box_y() == back.border_box_y()  # the fold runs between them
    assert round((back.border_box_x() - front.border_box_x()) * mm, 1) == 85.6


# ---------------------------------------------------------------- print quality


def text_sizes(path: Path) -> list[tuple[float, str]]:
    """(size in pt, text) of every piece of text outside the running header and footer."""
    sizes: list[tuple[float, str]] = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, height=height):
            if not text.strip():
                return
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            y = tm[5] * cm[3] + cm[5]
            if 0.5 * 72 < y < height - 0.55 * 72:  # inside the page margins
                sizes.append((size * scale, text))

        page.extract_text(visitor_text=visit)
    return sizes


def test_body_text_is_at_least_11pt(built):
    """Every piece of text outside the running header and footer is 11pt or larger."""
    for name in ["testofen-oral.pdf", "testofen-pump.pdf"]:
        sizes = text_sizes(built[name].path)
        assert sizes, name
        smallest = min(sizes)
        assert smallest[0] >= 11 - 0.01, f"{name}: {smallest[1]!r} is {smallest[0]:.1f}pt"


def test_the_wallet_cards_signs_of_withdrawal_are_a_list_in_9pt_or_larger(built):
    path = built["testofen-wallet-card.pdf"].path
    signs = [(size, text) for size, text in text_sizes(path) if "Itching." in text]
    assert signs and all(size >= 9 - 0.01 for size, _ in signs), signs
    # A list, one sign to a line: not run on in one paragraph.
    lines = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    assert "• Itching." in lines


def test_text_is_set_in_the_handout_font_and_embedded(built):
    fonts = subprocess.run(["pdffonts", str(built["testofen-oral.pdf"].path)], check=True,
                           capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        name, *_ = line.split()
        assert name.split("+", 1)[1].startswith("Handout-Sans"), line  # no fallback font
        assert " yes yes yes " in line  # embedded, subset, with a Unicode map (searchable)


@pytest.mark.parametrize("name", ["testofen-oral.pdf", "testofen-pump.pdf",
                                  "testofen-wallet-card.pdf"])
def test_first_page_is_not_blank(built, name, tmp_path):
    image = first_page_image(built[name].path, tmp_path, dpi=40)
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert dark > 0.02 * image.width * image.height, f"{name} looks blank"


def test_the_qr_code_opens_the_medicines_page(built, tmp_path):
    for name, url in [("testofen-oral.pdf", f"{SITE_URL}medicines/testofen/"),
                      ("testofen-pump.pdf", f"{SITE_URL}medicines/testofen/pump-care/")]:
        image = first_page_image(built[name].path, tmp_path, dpi=150)
        codes = [code.text for code in zxingcpp.read_barcodes(image)]
        assert codes == [url], name


# ---------------------------------------------------------------- accessible PDF


@pytest.mark.parametrize("name", ["testofen-oral.pdf", "testofen-pump.pdf",
                                  "testofen-wallet-card.pdf"])
def test_pdf_is_tagged_pdf_ua_with_title_and_language(built, name):
    reader = PdfReader(built[name].path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean object)
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title.startswith("Testofen ")
    assert reader.metadata.title.endswith("– Medicine Guide")
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp


def test_pdf_dates_are_the_review_date(built):
    reader = PdfReader(built["testofen-oral.pdf"].path)
    assert reader.metadata.creation_date.date() == dt.date(2026, 1, 10)
    assert reader.metadata.modification_date.date() == dt.date(2026, 1, 10)


def test_letter_by_default_and_a4_by_setting(built, tmp_path):
    letter = PdfReader(built["testofen-oral.pdf"].path).pages[0].mediabox
    assert (round(letter.width), round(letter.height)) == (612, 792)
    a4 = build(FIXTURES / "content", tmp_path / "cache", paper="a4")
    for handout in a4.handouts:
        box = PdfReader(handout.path).pages[0].mediabox
        assert (round(box.width), round(box.height)) == (595, 842), handout.file_name


def test_unknown_paper_size_is_refused():
    with pytest.raises(ValueError, match="letter, a4"):
        HandoutSettings(Path("cache"), paper="legal")


# ---------------------------------------------------------------- rules and errors


def test_a_handout_longer_than_two_pages_is_an_error_naming_the_record(
        content, record_path, tmp_path):
    many = "".join(f"  - Is question number {i} one I should ask about this medicine?\n"
                   for i in range(120))
    edit(record_path, "questions_to_ask:\n", "questions_to_ask:\n" + many)
    with pytest.raises(HandoutProblem) as caught:
        build(content, tmp_path / "cache")
    assert caught.value.path == record_path
    assert "testofen-oral.pdf runs to" in caught.value.message
    assert "at most 2 pages" in caught.value.message


def test_wallet_card_text_that_does_not_fit_the_card_is_an_error(content, record_path,
                                                                  tmp_path):
    signs = "".join(f"    - A long withdrawal sign, number {i}, that goes on and on.\n"
                    for i in range(15))
    edit(record_path, "  symptoms:\n", "  symptoms:\n" + signs)
    with pytest.raises(HandoutProblem) as caught:
        build(content, tmp_path / "cache")
    assert "testofen-wallet-card.pdf" in caught.value.message
    assert "front panel does not fit" in caught.value.message


def test_a_broken_print_template_is_reported_with_its_file_and_line(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    edit(templates / "handouts" / "handout.html.j2", "<h2>What it is for</h2>",
         "<h2>{{ medicine.no_such_field }}</h2>")
    with pytest.raises(TemplateProblem) as caught:
        build(content, tmp_path / "cache", templates)
    assert caught.value.path.endswith("handouts/handout.html.j2")
    assert "no_such_field" in caught.value.message
    lines = (templates / "handouts" / "handout.html.j2").read_text().splitlines()
    assert "no_such_field" in lines[caught.value.line - 1]


def test_a_missing_font_file_is_a_clear_error(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    edit(templates / "handouts" / "fonts.css", "LiberationSans-Bold.ttf",
         "NoSuchFont-Bold.ttf")
    with pytest.raises(HandoutProblem) as caught:
        build(content, tmp_path / "cache", templates)
    assert caught.value.path == templates / "handouts" / "fonts.css"
    assert "NoSuchFont-Bold.ttf not found" in caught.value.message


def test_build_site_reports_handout_problems_like_content_problems(content, record_path,
                                                                   tmp_path):
    edit(record_path, "questions_to_ask:\n", "questions_to_ask:\n" + "".join(
        f"  - Is question number {i} one I should ask about this medicine?\n"
        for i in range(120)))
    result = build_site(content, TEMPLATES, handouts=HandoutSettings(tmp_path / "cache"))
    assert not result.ok
    (problem,) = result.problems.errors
    assert problem.path.endswith("testofen/medicine.yaml")
    assert "at most 2 pages" in str(problem)


# ---------------------------------------------------------------- cache and repeatability


def test_an_unchanged_record_is_taken_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    first = build(FIXTURES / "content", cache)
    assert sorted(first.rendered) == ["testofen-oral.pdf", "testofen-pump.pdf",
                                      "testofen-wallet-card.pdf"]
    before = {h.file_name: (h.path, h.path.stat().st_mtime_ns) for h in first.handouts}
    second = build(FIXTURES / "content", cache)
    assert second.rendered == []
    assert sorted(second.cached) == sorted(first.rendered)
    after = {h.file_name: (h.path, h.path.stat().st_mtime_ns) for h in second.handouts}
    assert after == before  # the very same files, not rewritten


def test_a_changed_record_rebuilds_only_the_handouts_it_changes(content, record_path,
                                                                tmp_path):
    cache = tmp_path / "cache"
    first = build(content, cache)
    edit(record_path, "alarm: [Call if the alarm sounds.]",
         "alarm: [Call at once if the alarm sounds.]")
    second = build(content, cache)
    assert second.rendered == ["testofen-pump.pdf"]  # only the pump handout prints the alarm
    assert sorted(second.cached) == ["testofen-oral.pdf", "testofen-wallet-card.pdf"]
    pump = {h.file_name: h for h in second.handouts}["testofen-pump.pdf"]
    assert "Call at once if the alarm sounds." in pdf_text(pump.path)
    old = {h.file_name: h for h in first.handouts}["testofen-pump.pdf"]
    # Used a moment ago: another build (the preview beside `medguide build`) may still be
    # about to copy it, so it stays until it has been unused for a day.
    assert old.path.exists()
    day_ago = time.time_ns() - 25 * 3600 * 1_000_000_000
    os.utime(old.path, ns=(day_ago, day_ago))
    edit(record_path, "alarm: [Call at once if the alarm sounds.]",
         "alarm: [Call now if the alarm sounds.]")
    assert build(content, cache).rendered == ["testofen-pump.pdf"]
    assert not old.path.exists() and not old.path.with_suffix(".json").exists()
    assert pump.path.exists()  # the version of the build before: used just now


def test_a_changed_stylesheet_rebuilds_every_handout(tmp_path):
    cache, templates = tmp_path / "cache", tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    build(FIXTURES / "content", cache, templates)
    with (templates / "handouts" / "fonts.css").open("a", encoding="utf-8") as css:
        css.write("/* changed */\n")
    again = build(FIXTURES / "content", cache, templates)
    assert len(again.rendered) == 3 and again.cached == []


def test_a_changed_paper_size_rebuilds_every_handout(tmp_path):
    cache = tmp_path / "cache"
    build(FIXTURES / "content", cache)
    assert len(build(FIXTURES / "content", cache, paper="a4").rendered) == 3


def test_remembered_plans_skip_rendering_the_html_of_unchanged_medicines(tmp_path,
                                                                        monkeypatch):
    catalog, cache = load(FIXTURES / "content"), tmp_path / "cache"
    plans = PickleCache(tmp_path / "plans")
    settings = HandoutSettings(cache)
    first = build_handouts(catalog, catalog.medicines, TEMPLATES, settings, plans=plans,
                           inputs={"testofen": "inputs-1"})

    def no_planning(*args, **kwargs):
        raise AssertionError("an unchanged medicine's HTML was rendered again")

    monkeypatch.setattr("generator.build.handouts.plan_handouts", no_planning)
    again = build_handouts(catalog, catalog.medicines, TEMPLATES, settings, plans=plans,
                           inputs={"testofen": "inputs-1"})
    assert again.rendered == [] and again.handouts == first.handouts
    # New inputs (the record changed), or a cached PDF gone: the medicine is planned again.
    with pytest.raises(AssertionError, match="rendered again"):
        build_handouts(catalog, catalog.medicines, TEMPLATES, settings, plans=plans,
                       inputs={"testofen": "inputs-2"})
    first.handouts[0].path.unlink()
    with pytest.raises(AssertionError, match="rendered again"):
        build_handouts(catalog, catalog.medicines, TEMPLATES, settings, plans=plans,
                       inputs={"testofen": "inputs-1"})


def test_a_damaged_cache_entry_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    first = build(FIXTURES / "content", cache)
    damaged = first.handouts[0]
    damaged.path.with_suffix(".json").write_text("{not json", encoding="utf-8")
    again = build(FIXTURES / "content", cache)
    assert again.rendered == [damaged.file_name]


def test_the_same_content_gives_byte_identical_pdfs(built, tmp_path, monkeypatch):
    # One build in this process, one over a pool of worker processes, both from scratch.
    with workers.using(1):
        alone = build(FIXTURES / "content", tmp_path / "one")
    with workers.using(2):
        pooled = build(FIXTURES / "content", tmp_path / "two")
    assert len(alone.rendered) == len(pooled.rendered) == 3
    for a, b in zip(alone.handouts, pooled.handouts):
        assert a.file_name == b.file_name
        assert a.path.read_bytes() == b.path.read_bytes(), a.file_name
        assert a.path.read_bytes() == built[a.file_name].path.read_bytes(), a.file_name


def test_missing_system_libraries_are_a_clear_error(tmp_path, monkeypatch):
    def no_pango(job):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("generator.build.pdf.render_pdf", no_pango)
    with workers.using(1), pytest.raises(HandoutProblem) as caught:
        build(FIXTURES / "content", tmp_path / "cache")  # one worker: the stand-in runs here
    assert "libpango-1.0-0" in caught.value.message
    assert "make site" in caught.value.hint


def test_a_build_stopped_halfway_keeps_the_pdfs_it_made(tmp_path, monkeypatch):
    from generator.build import pdf

    made = []

    def second_one_fails(job):
        if made:
            raise OSError("the machine ran out of memory")
        made.append(job.file_name)
        return real_render(job)

    real_render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", second_one_fails)
    with workers.using(1), pytest.raises(HandoutProblem):
        build(FIXTURES / "content", tmp_path / "cache")
    monkeypatch.setattr(pdf, "render_pdf", real_render)
    again = build(FIXTURES / "content", tmp_path / "cache")
    assert made and made[0] in again.cached and made[0] not in again.rendered


def test_with_stand_ins_a_changed_pdf_is_put_off_and_the_last_one_stands_in(content,
                                                                            record_path,
                                                                            tmp_path):
    """The preview's first pass: pages can be served before a changed PDF is rendered (or
    even its HTML: the changed medicine's PDFs are all put off to the next pass)."""
    cache = tmp_path / "cache"
    last = build(content, cache)
    edit(record_path, "  - Is this right for me?", "  - Is this right for me today?")
    stand_ins = {handout.file_name: handout for handout in last.handouts}
    first = build(content, cache, stand_ins=stand_ins)
    assert first.rendered == [] and first.deferred == [
        "testofen-oral.pdf", "testofen-pump.pdf", "testofen-wallet-card.pdf"]
    assert first.handouts == last.handouts  # the old PDF, with its size and page count
    second = build(content, cache)  # the next pass renders it
    assert second.rendered == ["testofen-oral.pdf"] and second.deferred == []
    [oral] = [h for h in second.handouts if h.file_name == "testofen-oral.pdf"]
    assert "right for me today?" in pdf_text(oral.path)



def test_background_pdfs_render_in_worker_processes_that_yield_to_the_editor(monkeypatch):
    """The preview's put-off PDFs: even on one worker they render in another process (this
    one's interpreter is the editor's next save's), started at a lower priority."""
    from generator.build import pdf

    pools = []

    class Pool:
        def __init__(self, workers, **options):
            pools.append((workers, options))

        def map(self, function, jobs):
            return [("rendered", job) for job in jobs]

        def shutdown(self, **options):
            pass

    monkeypatch.setattr(pdf.concurrent.futures, "ProcessPoolExecutor", Pool)
    with workers.using(1):
        assert list(pdf.run_jobs(["a job"], background=True)) == [("rendered", "a job")]
        assert pools == [(1, {"mp_context": pools[0][1]["mp_context"], "initializer": os.nice,
                              "initargs": (pdf.BACKGROUND_NICENESS,)})]
        monkeypatch.setattr(pdf, "render_pdf", lambda job: ("here", job))
        assert list(pdf.run_jobs(["a job"])) == [("here", "a job")]  # a build: in-process
    assert len(pools) == 1


def test_rendering_leaves_no_temporary_folders_behind(tmp_path, monkeypatch):
    """WeasyPrint keeps a handout's fonts in a temporary folder that it removes only when
    garbage-collected: each job's is removed when the job ends."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with workers.using(1):  # in this process, so its temporary folder is the one above
        made = build(FIXTURES / "content", tmp_path / "cache")
    assert made.rendered
    # (Jinja's compiled-template cache lives there too, on purpose.)
    assert [p.name for p in scratch.iterdir() if not p.name.startswith("_jinja2-cache")] == []
