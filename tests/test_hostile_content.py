"""Content is untrusted input: each attack of issue 14, tried on a copy of the bundled
content. `medguide check` must name the file, line and field; the build must fail (or the
output must be clean); nothing may read the build machine's files or reach the network."""

from __future__ import annotations

import base64
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, edit, write_mkdocs_config

from generator.build.handouts import HandoutSettings, plan_handouts
from generator.build.pdf import render_pdf
from generator.cli.main import main as medguide
from generator.content.loader import load_catalog

pytestmark = pytest.mark.pdf  # builds and checks sites, handouts included

CONTENT = ROOT / "content"
SITE_YAML_LINE = "disclaimers:\n"


@pytest.fixture
def real(tmp_path: Path) -> Path:
    """A writable copy of the bundled content, with an mkdocs.yml building it into
    tmp_path/site."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    write_mkdocs_config(tmp_path, target, tmp_path / "site")
    return target


def run(real: Path, command: str, capsys) -> tuple[int, str]:
    """Exit status and everything printed by `medguide <command>` on the copy."""
    capsys.readouterr()
    status = medguide(["--config", str(real.parent / "mkdocs.yml"), command])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def add_disclaimer(real: Path, text: str) -> int:
    """Adds a disclaimer to site.yaml; returns its line."""
    site = real / "site.yaml"
    edit(site, SITE_YAML_LINE, SITE_YAML_LINE + f"  - '{text}'\n")
    return line_of(site, text)


# ---------------------------------------------------------------- 1. local files in handouts

ATTACH_PASSWD = 'x <a rel="attachment" href="file:///etc/passwd">y</a>'


def test_html_in_site_yaml_is_reported_with_file_line_and_field(real, capsys):
    line = add_disclaimer(real, ATTACH_PASSWD)
    status, out = run(real, "check", capsys)
    assert status == 1
    assert (f"site.yaml:{line}:5: disclaimers[0]: raw HTML is not allowed in content "
            "(write plain text; the site adds all formatting)") in out
    status, out = run(real, "build", capsys)
    assert status == 1
    assert not (real.parent / "site").exists()


def hostile_jobs(html_snippet: str, tmp_path: Path):
    """The real baclofen handouts, planned as if site.yaml carried `html_snippet` as a
    disclaimer that got past `check` (the fetcher is the last line of defence)."""
    catalog, problems = load_catalog(CONTENT)
    assert not problems.errors
    catalog.site = catalog.site.model_copy(
        update={"disclaimers": [*catalog.site.disclaimers, "PLACEHOLDER"]})
    settings = HandoutSettings(tmp_path / "cache")
    baclofen = [m for m in catalog.medicines if m.slug == "baclofen"]
    jobs = plan_handouts(catalog, baclofen, TEMPLATES, settings)
    # The disclaimer goes in as raw HTML, as if the sanitizer had let it through.
    return [replace(job, html=job.html.replace("PLACEHOLDER", html_snippet)) for job in jobs]


@pytest.mark.parametrize("snippet, refused", [
    ('<a rel="attachment" href="file:///etc/passwd">y</a>', "the handout would carry a file "
     "attachment (file:///etc/passwd); handouts carry no attachments"),
    ('<link rel="attachment" href="handout.css">', "the handout would carry a file "
     "attachment (a <link rel=attachment>); handouts carry no attachments"),
    ('<img alt="" src="file:///etc/passwd">', "file:///etc/passwd was refused: "
     "handouts may load only their own templates, stylesheets and fonts"),
    ('<img alt="" src="file:///usr/share/pixmaps/debian-logo.png">',
     "file:///usr/share/pixmaps/debian-logo.png was refused"),
    ('<img alt="" src="https://example.org/x.png">', "https://example.org/x.png was refused: "
     "a handout is built without reaching the network"),
    ('<link rel="stylesheet" href="file:///proc/self/environ">',
     "file:///proc/self/environ was refused"),
    ('<img alt="" src="data:text/html,hello">',
     "data:text/html,hello was refused: a data: address that is not an image"),
    ('<p style="background: url(file:///etc/hostname)">x</p>',
     "file:///etc/hostname was refused"),
    # An image we would allow, pulling in a local file itself:
    ('<img alt="" src="data:image/svg+xml;base64,' + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'width="9" height="9"><image xlink:href="file:///usr/share/pixmaps/debian-logo.png" '
        b'width="9" height="9"/></svg>').decode() + '">',
     "file:///usr/share/pixmaps/debian-logo.png was refused"),
])
def test_the_handout_renderer_loads_no_file_and_no_address_from_content(
        snippet, refused, tmp_path):
    job = hostile_jobs(snippet, tmp_path)[0]
    assert job.file_name == "baclofen-oral.pdf"
    data, _, problems = render_pdf(job)
    assert problems and refused in problems[0], problems
    assert b"root:x:0:0" not in data


def test_an_attachment_to_an_allowed_file_is_refused_too(tmp_path):
    job = hostile_jobs('<a rel="attachment" href="handout.css">y</a>', tmp_path)[0]
    _, _, problems = render_pdf(job)
    assert problems == ["the handout would carry a file attachment "
                        f"({(TEMPLATES / 'handouts' / 'handout.css').as_uri()}); handouts "
                        "carry no attachments"]


def test_a_handout_that_runs_long_stops_layout_at_the_page_cap(tmp_path):
    # 20,000 paragraphs would be hundreds of pages; layout stops as page 4 starts.
    job = hostile_jobs("<p>More words here.</p>" * 20000, tmp_path)[0]
    assert render_pdf(job) == (b"", 4, [])


def test_the_bundled_handouts_carry_no_attachments(tmp_path):
    site = tmp_path / "site"
    assert medguide(["--config", str(ROOT / "mkdocs.yml"), "build", "--site-dir",
                     str(site)]) == 0
    pdfs = sorted((site / "handouts").glob("*.pdf"))
    assert len(pdfs) == 11
    for pdf in pdfs:
        listing = subprocess.run(["pdfdetach", "-list", str(pdf)], check=True,
                                 capture_output=True, text=True).stdout
        assert listing.strip() == "0 embedded files", (pdf.name, listing)


# ---------------------------------------------------------------- 2, 3, 4. script and style

OVERLAY = ("*Stop whenever you like*{: style=position:fixed;top:0;left:0;width:100%;"
           "height:100%;background:#fff;z-index:9999}")
RECORD = "medicines/baclofen/medicine.yaml"
RULE = "interactions/baclofen--gabapentin.yaml"
ATTRIBUTE_LIST = ("attribute lists like {: style=position:fixed;top:0;left:0;wi… are not "
                  "allowed in content (delete it; write plain text; the site adds all "
                  "formatting)")
TIPS = "medicines/baclofen/tips.md"
TIPS_TEXT = "---\npage: how-to-take\ntitle: Tips for taking it\n---\n\nTake it with water.\n"

# (file, text in it, replaced by, the problem `check` must report at the new text's line)
ATTACKS = {
    "style attribute list in a side effect": (
        RECORD, "    - Feeling sleepy or drowsy.\n", f"    - '{OVERLAY}'\n",
        "side_effects.common[0]: " + ATTRIBUTE_LIST),
    "event handler attribute list in an interaction text": (
        RULE, "  - Feeling weak or unsteady\n", "  - 'Feeling weak{: onclick=alert(1)}'\n",
        "watch_for[1]: attribute lists like {: onclick=alert(1)} are not allowed in content"),
    "attribute list in the site disclaimer": (
        "site.yaml", SITE_YAML_LINE, SITE_YAML_LINE + f"  - '{OVERLAY}'\n",
        "disclaimers[0]: " + ATTRIBUTE_LIST),
    "attribute list in a prose title": (
        TIPS, "title: Tips for taking it\n", "title: 'Tips{: .boxed-warning}'\n",
        "title: attribute lists like {: .boxed-warning} are not allowed in content"),
    "attribute list in prose": (
        TIPS, "Take it with water.\n", "Take it *with water*{: style=color:red}.\n",
        "(body): attribute lists like {: style=color:red} are not allowed"),
    "script in a class name": (
        "classes.yaml", "    name: Opioid pain and cough medicines\n",
        "    name: Opioids<script>alert(1)</script>\n",
        "classes[3].name: raw HTML is not allowed in content"),
    "svg in the emergency number": (
        "site.yaml", 'emergency_number: "911"\n', "emergency_number: '911<svg onload=alert(1)>'\n",
        "emergency_number: raw HTML is not allowed in content"),
    "script in the site name": (
        "site.yaml", "name: Medicine Guide\n", "name: Guide<script>alert(1)</script>\n",
        "name: raw HTML is not allowed in content"),
    "remote image in a site page": (
        "pages/about.md", "## Who this site is for\n",
        "## Who this site is for\n\n![](https://example.org/x.png)\n",
        "(body): images are not allowed in content (remove the image; pages and handouts "
        "never load an address from content)"),
    "local file image by reference in prose": (
        TIPS, "Take it with water.\n", "![x][logo]\n\n[logo]: file:///etc/passwd\n",
        "(body): images are not allowed in content"),
    "data: link in prose": (
        TIPS, "Take it with water.\n", "[Click](data:text/html;base64,PHNjcmlwdD4=)\n",
        "(body): links must use https:// addresses"),
    "javascript: link with an entity in a record": (
        RECORD, "    - Feeling sleepy or drowsy.\n", "    - '[x](java&#x09;script:alert(1))'\n",
        "side_effects.common[0]: links must use https:// addresses"),
    "attribute list in a rule's source": (
        RULE, "    publisher: U.S. Food and Drug Administration\n",
        "    publisher: 'FDA{: style=display:none}'\n",
        "references[0].publisher: attribute lists like {: style=display:none} are not allowed"),
    "script written with character references in a record": (
        RECORD, "    - Feeling sleepy or drowsy.\n",
        "    - Feeling &lt;script&gt;alert(1)&lt;/script&gt;\n",
        "side_effects.common[0]: raw HTML (written with character references) is not allowed"),
    "right-to-left override in a brand name": (
        RECORD, "  - name: Lioresal\n", "  - name: \"Lio\\u202eresal\"\n",
        "brand_names[0].name: invisible control character U+202E in the text"),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_hostile_text_is_reported_with_file_line_and_field(attack, real, capsys):
    file, old, new, expected = ATTACKS[attack]
    path = real / file
    if file == TIPS:
        path.write_text(TIPS_TEXT, encoding="utf-8")
    edit(path, old, new)
    line = line_of(path, "![x]" if "![x]" in new else new.strip().splitlines()[-1])
    status, out = run(real, "check", capsys)
    assert status == 1
    reported = [text for text in out.splitlines() if f"content/{file}:{line}:" in text]
    assert reported and expected in reported[0], out
    status, out = run(real, "build", capsys)
    assert status == 1 and expected in out
    assert not (real.parent / "site").exists()
    assert "Traceback" not in out


def with_templates(real: Path, tmp_path: Path) -> Path:
    """A copy of the templates, and mkdocs.yml pointing at it."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    config = real.parent / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(str(TEMPLATES),
                                                                 str(templates)))
    return templates


def test_the_final_check_refuses_a_style_attribute_whatever_made_it(real, tmp_path, capsys):
    templates = with_templates(real, tmp_path)
    edit(templates / "partials" / "sources.md.j2", "## Sources {: #sources }",
         "## Sources {: #sources style=display:none }")
    status, out = run(real, "build", capsys)
    assert status == 1
    assert ("unsafe HTML in the page: style attribute on <h2> (check the content and the "
            "templates this page is made from)") in out
    assert not (real.parent / "site").exists()


def test_the_final_check_covers_404_html(real, tmp_path, capsys):
    templates = with_templates(real, tmp_path)
    edit(templates / "theme" / "404.html", "<h1>Page not found</h1>",
         '<h1 onmouseover="alert(1)">Page not found</h1>')
    status, out = run(real, "build", capsys)
    assert status == 1
    assert ("404.html: unsafe HTML in the page: onmouseover event handler on <h1> (check "
            "templates/theme and content/site.yaml)") in out


def test_404_html_escapes_the_site_settings(real, tmp_path, capsys):
    # `check` refuses markup in site.yaml; the template escapes it anyway (checked with text
    # that is not markup, so it gets past `check`).
    edit(real / "site.yaml", 'emergency_number: "911"\n', "emergency_number: 911 & 112\n")
    status, _ = run(real, "build", capsys)
    assert status == 0
    page = (real.parent / "site" / "404.html").read_text(encoding="utf-8")
    assert "In an emergency, call 911 &amp; 112</strong>" in page


# ---------------------------------------------------------------- 2. only what we made

@pytest.mark.parametrize("make, named, message", [
    (lambda pages: (pages / "promo.html").write_text("<script>alert(document.cookie)</script>"),
     "pages/promo.html", "only Markdown pages (.md) belong in pages/"),
    (lambda pages: (pages / "passwd.txt").symlink_to("/etc/passwd"),
     "pages/passwd.txt", "is a symbolic link (to "),
    (lambda pages: (pages / "ssl").symlink_to("/etc/ssl"),
     "pages/ssl", "is a symbolic link (to "),
    (lambda pages: (pages / "outside.md").symlink_to(pages.parent.parent / "outside.md"),
     "pages/outside.md", "is a symbolic link (to "),
    (lambda pages: (pages.parent / "medicines" / "baclofen" / "notes.md").symlink_to(
        "/etc/hostname"), "medicines/baclofen/notes.md", "is a symbolic link (to /etc/hostname)"),
    (lambda pages: (pages.parent / "medicines" / "keys").symlink_to("/root"),
     "medicines/keys", "is a symbolic link (to /root)"),
])
def test_only_markdown_pages_and_no_links_are_accepted(make, named, message, real, capsys):
    (real.parent / "outside.md").write_text("---\ntitle: Outside\ndescription: x\n---\n\nHi\n")
    make(real / "pages")
    status, out = run(real, "check", capsys)
    assert status == 1
    assert f"content/{named}:1:1: (file): {message}" in out
    assert "root:x:0:0" not in out and "Traceback" not in out
    status, out = run(real, "build", capsys)
    assert status == 1 and f"content/{named}:1:1: (file): {message}" in out
    assert not (real.parent / "site").exists()


def test_the_build_publishes_no_file_of_the_pages_folder_as_it_is(real, tmp_path):
    """Even past `check` (the plugin used by plain `mkdocs build`), only pages we made are
    published from content/pages/."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from generator.build.plugin import MedguidePlugin

    (real / "pages" / "promo.html").write_text("<script>alert(document.cookie)</script>")
    (real / "pages" / "passwd.txt").symlink_to("/etc/passwd")
    config = load_config(str(real.parent / "mkdocs.yml"))
    plugin = config.plugins["medguide"]
    assert isinstance(plugin, MedguidePlugin)
    plugin.site_build = type("Build", (), {"pages": [], "files": {}, "handouts": type(
        "Handouts", (), {"handouts": []})()})()
    files = plugin.on_files(get_files(config), config=config)
    assert {f.src_uri for f in files if f.abs_src_path and
            f.abs_src_path.startswith(str(real))} == set()


# ---------------------------------------------------------------- 5. review rules

@pytest.mark.parametrize("review, field, expected", [
    ("status: approved\n", "review.status",
     "an approved interaction must say who approved it (add `reviewed_by: [reviewer id]` "
     "under review)"),
    ("status: approved\n  reviewed_by: [editorial-team]\n", "review.reviewed_by[0]",
     "Editorial team has no credentials, so cannot approve an interaction (add their "
     "credentials in"),
    ("status: approved\n  reviewed_by: [clinical-pharmacist]\n", "review.reviewed_by[0]",
     "unknown reviewer 'clinical-pharmacist' (reviewers are listed in"),
    ("status: submitted\n  reviewed_by: [editorial-team]\n", "review.reviewed_by",
     "reviewed_by is only for interactions under review or approved (status is submitted)"),
])
def test_interaction_rules_follow_the_review_rules_of_medicines(review, field, expected,
                                                                real, capsys):
    rule = real / RULE
    edit(rule, "status: submitted\n", review)
    status, out = run(real, "check", capsys)
    assert status == 1
    line = line_of(rule, "reviewed_by" if "reviewed_by" in field else "status: approved")
    assert f"content/{RULE}:{line}:" in out and f": {field}: {expected}" in out, out
    status, out = run(real, "build", capsys)
    assert status == 1 and expected in out
    assert not (real.parent / "site").exists()


# ---------------------------------------------------------------- 6. drafts

def site_texts(site: Path) -> dict[str, str]:
    """The text of every file of a built site: PDFs as their text, the search index's
    compressed files decompressed."""
    import gzip

    texts = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], check=True,
                                  capture_output=True, text=True).stdout
            text = " ".join(text.split())
        else:
            try:
                data = gzip.decompress(data)
            except OSError:
                pass
            text = data.decode("utf-8", errors="replace")
        texts[str(path.relative_to(site))] = text
    return texts


DRAFT_TEXTS = ("Alcohol adds to the sleepiness and dizziness baclofen",  # the rule's text
               "tye-ZAN-i-deen", "medicines/tizanidine/")  # the medicine's


def test_drafts_are_out_of_every_output(real, capsys):
    status, out = run(real, "build", capsys)
    assert status == 0, out
    published = site_texts(real.parent / "site")
    for text in DRAFT_TEXTS:  # each is there while published, so the greps below can fail
        assert text in published["handouts/baclofen-oral.pdf"] + published[
            "medicines/tizanidine/index.html"], text
    edit(real / "interactions" / "alcohol--baclofen.yaml", "status: submitted",
         "status: draft")
    edit(real / "medicines" / "tizanidine" / "medicine.yaml", "status: submitted",
         "status: draft")
    status, out = run(real, "build", capsys)
    assert status == 0, out
    texts = site_texts(real.parent / "site")
    assert any(name.startswith("pagefind/") for name in texts)
    assert {"sitemap.xml", "interactions/checker.json", "handouts/baclofen-oral.pdf"} <= set(
        texts)
    for name, text in texts.items():
        for draft in DRAFT_TEXTS:
            assert draft not in text, (name, draft)


# ---------------------------------------------------------------- 7, 8. network and limits

def test_a_remote_image_in_prose_is_refused_before_anything_is_fetched(real, capsys):
    tips = real / TIPS
    tips.write_text(TIPS_TEXT.replace("Take it with water.", "![](https://example.org/x.png)"),
                    encoding="utf-8")
    status, out = run(real, "build", capsys)
    assert status == 1
    assert (f"content/{TIPS}:6:1: (body): images are not allowed in content (remove the "
            "image; pages and handouts never load an address from content)") in out
    assert "medicine.yaml:1:1" not in out


def test_a_record_over_the_size_limit_is_refused_with_a_clear_message(real, capsys):
    record = real / RECORD
    with record.open("a", encoding="utf-8") as out:
        out.write("# padding\n" * 200_000)  # 2 MB
    status, out = run(real, "check", capsys)
    assert status == 1
    assert (f"content/{RECORD}:1:1: (file): file is 2.0 MB; at most 1 MB is allowed (split "
            "the text or shorten it: a guide is read on a phone and printed on two pages)"
            ) in out
    assert "Traceback" not in out


def test_a_long_record_stops_the_handout_layout_early(real, capsys):
    """Within the size limit, a record can still be long: the 2-page rule stops layout at
    the page after the cap instead of laying out hundreds of pages."""
    import time

    edit(real / RECORD, "questions_to_ask:\n", "questions_to_ask:\n" + "".join(
        f"  - Is question number {i} one I should ask about this medicine?\n"
        for i in range(3000)))
    assert (real / RECORD).stat().st_size < 1_000_000
    start = time.perf_counter()
    status, out = run(real, "build", capsys)
    took = time.perf_counter() - start
    assert status == 1
    assert (f"content/{RECORD}:1:1: (handout): the handout baclofen-oral.pdf runs to more "
            "than 3 pages; at most 2 pages allowed") in out
    assert took < 120, took


@pytest.mark.parametrize("file, old, new, expected", [
    (RECORD, "amount: {value: 5, unit: mg}", "amount: {value: 300000, unit: mg}",
     "dosing.regimens[0].starting_dose.amount.value: 300000 mg is outside the plausible "
     "range for an amount in mg (0.0001 to 10000 mg) (check the number and the unit)"),
    (RECORD, "maximum_daily_dose: {value: 80, unit: mg}",
     "maximum_daily_dose: {value: 1000000000, unit: mg}",
     "dosing.regimens[0].maximum_daily_dose.value: 1e+09 mg is outside the plausible range"),
    (RULE, "what_happens: >-\n", "what_happens: >-\n  " + "Words and more words. " * 60 + "\n",
     "what_happens: text is 1,481 characters; at most 1,000 are allowed in one field"),
])
def test_implausible_values_are_errors_with_the_value_and_the_limit(file, old, new, expected,
                                                                     real, capsys):
    edit(real / file, old, new)
    status, out = run(real, "check", capsys)
    assert status == 1
    assert f"content/{file}:" in out and expected in out, out


@pytest.mark.parametrize("file", [RECORD, RULE])
def test_a_review_dated_in_the_future_is_an_error(file, real, capsys):
    import datetime as dt

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    edit(real / file, "last_reviewed: 2026-11-20", f"last_reviewed: {tomorrow}")
    edit(real / file, "next_review_due: 2027-05-20",
         f"next_review_due: {tomorrow + dt.timedelta(days=180)}")
    status, out = run(real, "check", capsys)
    assert status == 1
    line = line_of(real / file, "last_reviewed:")
    assert (f"content/{file}:{line}:18: review.last_reviewed: last reviewed on "
            f"{tomorrow}, a date in the future (write the date the review was done)") in out
