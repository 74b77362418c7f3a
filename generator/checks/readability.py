"""Readability: the Flesch-Kincaid grade of each section of each page, as a patient reads it.

Pages are scored from the Markdown the templates render (so template words count too), turned
into text the way a reader meets it: each heading starts a section, each paragraph, list item
or table cell is its own sentence. Navigation, review status, disclaimers, source lists and the
key facts box are left out, and so are headings: they are labels and fragments, not prose.

textstat is pinned to 0.7.8: later versions download data at first use and fail offline.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import markdown
import textstat

from generator.content.loader import FRONT_MATTER, Catalog
from generator.content.pages import SEARCH_URI, Page

DEFAULT_MAX_GRADE = 10.0
# Below this many words a grade says little (two words, "Drowsiness. Dizziness.", score as
# grade 20). Such sections are counted and reported, not scored.
DEFAULT_MIN_WORDS = 10
WORST_SENTENCES = 3

SECTION_TAGS = {"h1", "h2"}
BLOCK_TAGS = {"p", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "div", "section", "ul", "ol", "dl", "table", "tr", "aside"}
# Headings are labels, not sentences: h1 and h2 name the section, the others are left out.
SKIP_TAGS = {"nav", "sup", "script", "style", "button", "code", "pre", "h3", "h4", "h5", "h6"}
# .name-label marks generated "Name: forms" labels (the brand list): a list of names scores as
# hard prose ("extended-release tablets" is grade 13) although no editor wrote a sentence.
SKIP_CLASSES = {"review", "disclaimers", "footnote", "key-facts", "banner", "page-tools",
                "medicine-pages", "visually-hidden", "name-label"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")
MARKDOWN_EXTENSIONS = ["md_in_html", "attr_list", "footnotes", "tables"]


@dataclass
class Section:
    page: str  # the page's title
    url: str  # the page's source path in the site, e.g. medicines/baclofen/index.md
    heading: str
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class SectionScore:
    section: Section
    grade: float
    words: int

    def worst_sentences(self, count: int = WORST_SENTENCES) -> list[tuple[float, str]]:
        scored = [(grade_of(sentence), sentence) for sentence in self.section.sentences
                  if textstat.lexicon_count(sentence) >= 3]
        return sorted(scored, key=lambda item: (-item[0], item[1]))[:count]


@dataclass
class ReadabilityReport:
    max_grade: float
    min_words: int
    scores: list[SectionScore]
    too_short: list[Section]

    @property
    def failing(self) -> list[SectionScore]:
        return sorted((s for s in self.scores if s.grade > self.max_grade),
                      key=lambda s: -s.grade)

    @property
    def ok(self) -> bool:
        return not self.failing

    @property
    def median(self) -> float | None:
        return statistics.median(s.grade for s in self.scores) if self.scores else None

    @property
    def worst(self) -> SectionScore | None:
        return max(self.scores, key=lambda s: (s.grade, s.section.url)) if self.scores else None


def grade_of(text: str) -> float:
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


class _TextExtractor(HTMLParser):
    """Splits a page's HTML into sections of sentences."""

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.sections: list[Section] = []
        self.current = Section(page.title, page.src_uri, page.title)
        self.buffer: list[str] = []
        self.heading: list[str] | None = None
        self.stack: list[bool] = []  # for each open element: is it skipped?

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            if tag == "br" and not self.skipping:
                self.flush()  # a line break ends a label, e.g. a name before its summary
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or "hidden" in dict(attrs)
        if not self.skipping:
            if tag in BLOCK_TAGS:
                self.flush()
            if tag in SECTION_TAGS and not skip:
                self.heading = []
        self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.stack:
            return
        was_skipping = self.skipping
        self.stack.pop()
        if was_skipping:
            return
        if tag in SECTION_TAGS and self.heading is not None:
            self.start_section(" ".join("".join(self.heading).split()))
            self.heading = None
            self.buffer = []
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.heading is not None:
            self.heading.append(data)
        else:
            self.buffer.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if not text or self.heading is not None:
            return
        # A list item or label is a sentence of its own, even without a full stop.
        if text[-1] in ":;,":
            text = text[:-1] + "."
        elif text.rstrip("\"”’)")[-1:] not in (".", "!", "?", "…"):
            text += "."
        self.current.sentences.extend(s.strip() for s in SENTENCE_END.split(text) if s.strip())

    def start_section(self, heading: str) -> None:
        self.flush()
        if self.current.sentences:
            self.sections.append(self.current)
        self.current = Section(self.page.title, self.page.src_uri, heading)

    def close(self) -> None:
        super().close()
        self.flush()
        if self.current.sentences:
            self.sections.append(self.current)


def page_sections(page: Page) -> list[Section]:
    body = FRONT_MATTER.sub("", page.markdown, count=1)
    html = markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS)
    extractor = _TextExtractor(page)
    extractor.feed(html)
    extractor.close()
    return extractor.sections


def check_readability(pages: list[Page], max_grade: float = DEFAULT_MAX_GRADE,
                      min_words: int = DEFAULT_MIN_WORDS) -> ReadabilityReport:
    scores: list[SectionScore] = []
    too_short: list[Section] = []
    for page in pages:
        if page.src_uri == SEARCH_URI:
            continue
        for section in page_sections(page):
            words = textstat.lexicon_count(section.text)
            if words < min_words:
                too_short.append(section)
                continue
            scores.append(SectionScore(section, grade_of(section.text), words))
    return ReadabilityReport(max_grade, min_words, scores, too_short)


def source_files(catalog: Catalog, page: str, templates_dir: Path) -> list[Path]:
    """Files whose words can appear on the page at `page` (a source path in the site), the
    page's own file first."""
    parts = page.split("/")
    if parts[0] == "medicines" and len(parts) == 3:
        for source in catalog.medicines:
            if source.slug == parts[1]:
                return [source.path, *(prose.path for prose in source.prose)]
    if page == "glossary.md" and catalog.glossary is not None:
        return [catalog.glossary.path]
    own = [p.path for p in catalog.pages if f"{p.name}.md" == page]
    if page == "medicines/index.md":
        own = [templates_dir / "pages" / "medicines_index.md.j2"]
    if page in ("index.md", "medicines/index.md"):  # these list every medicine's summary
        return own + [source.path for source in catalog.medicines]
    return own


def locate(sentence: str, files: list[Path]) -> tuple[Path, int] | None:
    """The file and line where a sentence's first words are written, if they can be found.
    Text in YAML may be folded over several lines, so whitespace is matched loosely; a
    sentence the templates put together ("Label: text") is looked for by its text too."""
    texts = {}
    for path in files:
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except OSError:
            continue
    candidates = [sentence] + ([sentence.split(": ", 1)[1]] if ": " in sentence else [])
    for candidate in candidates:
        words = re.findall(r"[\w'’-]+", candidate)[:6]
        if len(words) < 2:
            continue
        pattern = re.compile(r"[^\w'’-]+".join(re.escape(w) for w in words), re.IGNORECASE)
        for path, text in texts.items():
            match = pattern.search(text)
            if match:
                return path, text.count("\n", 0, match.start()) + 1
    return None


def format_report(report: ReadabilityReport, catalog: Catalog, templates_dir: Path) -> list[str]:
    """Lines for the terminal: each failing section with its worst sentences, then a summary."""
    from generator.content.problems import display_path

    lines: list[str] = []
    template_files = sorted(templates_dir.rglob("*.j2")) if templates_dir.is_dir() else []
    for score in report.failing:
        section = score.section
        files = source_files(catalog, section.url, templates_dir)
        where = display_path(files[0]) if files else section.url
        lines.append(f"{where}: readability: \"{section.page}\" › \"{section.heading}\" reads at "
                     f"grade {score.grade:.1f} (maximum {report.max_grade:g}, "
                     f"{score.words} words)")
        for grade, sentence in score.worst_sentences():
            found = locate(sentence, files + template_files)
            place = f"{display_path(found[0])}:{found[1]}" if found else "(generated text)"
            lines.append(f"    grade {grade:5.1f}  {place}: {sentence}")
    if report.scores:
        worst = report.worst
        lines.append(
            f"readability: {len(report.scores)} sections checked, median grade "
            f"{report.median:.1f}, worst {worst.grade:.1f} (\"{worst.section.page}\" › "
            f"\"{worst.section.heading}\"); {len(report.failing)} above grade "
            f"{report.max_grade:g}; {len(report.too_short)} sections under "
            f"{report.min_words} words not scored")
    else:
        lines.append("readability: no section long enough to score")
    return lines
