"""Printable handouts and the pump wallet card: PDFs rendered straight from the record.

One handout per medicine and form group (`site/handouts/<slug>-<group>.pdf`, or `<slug>.pdf`
when a medicine has a single group), plus `<slug>-wallet-card.pdf` for a medicine with a pump.
The print templates live in `templates/handouts/`; `pdf` turns their HTML into tagged PDF/UA
files.

PDFs are cached outside the site (`.cache/handouts/` by default) under a hash of everything
that goes into them: the rendered HTML (record, templates and settings), the stylesheets and
fonts, the code of `pdf` and the versions of the PDF libraries. A rebuild only renders what
changed, in parallel over the machine's cores. Independent of MkDocs.
"""

from __future__ import annotations

import concurrent.futures.process
import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import markdown
import segno

from generator.build.cache import PickleCache, digest
from generator.build.pdf import (
    HandoutJob,
    HandoutProblem,
    asset_digest,
    cache_paths,
    job_key,
    page_rule_problem,
    read_cached,
    run_jobs,
    write_cached,
)
from generator.build.progress import Progress
from generator.content.interactions import InteractionIndex
from generator.content.loader import Catalog, MedicineSource
from generator.content.pages import display_name, medicine_page_uri, page_url
from generator.content.sanitize import clean_html
from generator.model.citations import CITATION
from generator.model.records import Form, Medicine, Route
from generator.model.words import forms_in_words
from generator.render.catalog import make_environment
from generator.render.review import review_view_of
from generator.render.templates import render_template
from generator.render.warning_box import warning_box

HANDOUT_TEMPLATES = "handouts"
PAPER_SIZES = ("letter", "a4")
MAX_HANDOUT_PAGES = 2
MAX_WALLET_CARD_PAGES = 1



@dataclass(frozen=True)
class HandoutSettings:
    """How handouts are built: where the cache lives and the paper size. How many processes
    render them is the build's (`medguide build --jobs`, see build.workers)."""

    cache_dir: Path
    paper: str = "letter"
    # The preview's shortcut: a PDF that would have to be rendered is, for now, the one of the
    # same name from the last build (by file name). Pages then show at once; the preview
    # renders what was put off in a second pass (`HandoutBuild.deferred`).
    stand_ins: Mapping[str, Handout] = field(default_factory=dict)
    # Rendering while the editor works (the preview's put-off PDFs): the PDFs are made by
    # processes that yield the processor to the editor's next save (`pdf.run_jobs`).
    background: bool = False

    def __post_init__(self) -> None:
        if self.paper not in PAPER_SIZES:
            raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {self.paper!r}")


@dataclass(frozen=True)
class FormGroup:
    """Forms that share a handout, e.g. tablets and liquid, or the pump."""

    id: str
    forms: tuple[Form, ...]

    @property
    def is_pump(self) -> bool:
        return all(form.route is Route.intrathecal for form in self.forms)

    @property
    def words(self) -> str:
        """What the group is, in a few words: "tablets and liquid", "pump"."""
        return forms_in_words(self.forms)


@dataclass(frozen=True)
class Handout:
    """One PDF that was built (or taken from the cache): what the web pages link to."""

    slug: str
    kind: str
    group: str | None
    words: str
    file_name: str
    title: str
    path: Path  # the cached file
    size: int  # bytes
    pages: int

    @property
    def src_uri(self) -> str:
        """Where the PDF goes in the site."""
        return f"handouts/{self.file_name}"

    @property
    def is_wallet_card(self) -> bool:
        return self.kind == "wallet-card"

    @property
    def size_text(self) -> str:
        """The file size as people read it: "38 KB", "1.2 MB"."""
        if self.size < 1000 * 1000:
            return f"{max(1, round(self.size / 1000))} KB"
        return f"{self.size / 1000 / 1000:.1f} MB"


@dataclass
class HandoutBuild:
    """What a build did: the handouts, and which were rendered rather than taken from cache."""

    handouts: list[Handout] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # stood in for by last build's PDF
    put_off: list[str] = field(default_factory=list)  # slugs of the medicines they belong to

    def by_medicine(self) -> dict[str, list[Handout]]:
        result: dict[str, list[Handout]] = {}
        for handout in self.handouts:
            result.setdefault(handout.slug, []).append(handout)
        return result


def render_put_off(catalog: Catalog, medicines: list[MedicineSource], templates_dir: Path,
                   settings: HandoutSettings, index: InteractionIndex,
                   put_off: set[str]) -> None:
    """Render into the PDF cache the handouts a preview pass put off (of the medicines
    whose slugs are in `put_off`: `HandoutBuild.put_off`), so that the pass after it finds
    them made. `medicines` are the published ones and `index` their interactions, as in
    the pass (whose index has them worked out already). The preview runs this in
    the background while the editor reads; a problem it meets is left for that pass to
    report where it belongs."""
    build_handouts(catalog, medicines, templates_dir,
                   replace(settings, stand_ins={}, background=True), index=index,
                   only=put_off)


# ---------------------------------------------------------------- what goes on a handout


def form_groups(medicine: Medicine) -> list[FormGroup]:
    """The record's form groups, in the order their first form is listed."""
    order: list[str] = []
    forms: dict[str, list[Form]] = {}
    for form in medicine.forms:
        if form.group not in forms:
            order.append(form.group)
        forms.setdefault(form.group, []).append(form)
    return [FormGroup(group, tuple(forms[group])) for group in order]


def handout_file_name(slug: str, group: FormGroup, groups: list[FormGroup]) -> str:
    return f"{slug}.pdf" if len(groups) == 1 else f"{slug}-{group.id}.pdf"


def wallet_card_file_name(slug: str) -> str:
    return f"{slug}-wallet-card.pdf"


def handout_file_names(source: MedicineSource) -> list[str]:
    """The PDFs a medicine has, in the order they are made: a handout per form group, then
    the wallet card when it has a pump."""
    groups = form_groups(source.record)
    names = [handout_file_name(source.slug, group, groups) for group in groups]
    if wallet_card_group(source.record, groups) is not None:
        names.append(wallet_card_file_name(source.slug))
    return names


def wallet_card_group(medicine: Medicine, groups: list[FormGroup]) -> FormGroup | None:
    """The pump group a wallet card is made for (None: the medicine has no wallet card)."""
    pump = next((group for group in groups if group.is_pump), None)
    return pump if medicine.has_pump else None


def qr_code(url: str) -> str:
    """A QR code for `url`, as an SVG data URI (vector, so it prints sharp at any size)."""
    return segno.make(url, error="m").svg_data_uri(border=0, dark="#000", light="#fff",
                                                   unit="mm", nl=False)


_MARKDOWN = markdown.Markdown()


def inline_markdown(text: str) -> jinja2.utils.markupsafe.Markup:
    """A record's free text (inline Markdown) as HTML, without reference citations.

    """
    text = CITATION.sub("", str(text)).strip()
    # Content is checked to hold no HTML; what it makes still passes the allowlist, since a
    # handout has no final HTML check of its own.
    html = clean_html(_MARKDOWN.reset().convert(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return jinja2.utils.markupsafe.Markup(html)


class OnlyThisGroup:
    """Leaves out of a group's handout the text about another group: on the tablets'
    handout, every list item (and every sentence of a paragraph) that names the pump. The
    record's texts serve the web pages, which cover every form; a patient who takes tablets
    has no use for pump lines on paper. The pump's own handout keeps everything: its
    sections are the pump's, and the general ones (side effects) hold for it too."""

    def __init__(self, group: FormGroup, groups: list[FormGroup]) -> None:
        others = {other.words for other in groups if other.is_pump and not group.is_pump}
        self.names_another = (re.compile(r"\b(?:" + "|".join(
            re.escape(words) for words in sorted(others)) + r")s?\b", re.IGNORECASE)
            if others else None)

    def __call__(self, texts):
        """The items of a list, or the sentences of a text, that are for this group."""
        if self.names_another is None:
            return texts
        if isinstance(texts, str):
            return " ".join(sentence for sentence in SENTENCE_END.split(texts)
                            if not self.names_another.search(sentence))
        return [text for text in texts if not self.names_another.search(text)]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def handout_context(catalog: Catalog, source: MedicineSource, group: FormGroup,
                    settings: HandoutSettings, index: InteractionIndex) -> dict:
    """What a handout's template needs beyond the record: selections made for this group.
    The review is never shown as overdue, so the PDF does not depend on the day it is built
    (a build with an overdue review stops before the handouts, unless overridden)."""
    medicine = source.record
    interactions = index.for_medicine(source.slug)
    ids = {form.id for form in group.forms}
    url = catalog.site.url + page_url(
        medicine_page_uri(source.slug, "pump-care" if group.is_pump else "overview"))
    return dict(
        site=catalog.site, medicine=medicine, slug=source.slug, name=display_name(medicine),
        group=group, only_this_group=OnlyThisGroup(group, form_groups(medicine)),
        brands=[brand for brand in medicine.brand_names
                if not brand.forms or ids.intersection(brand.forms)],
        regimens=[regimen for regimen in medicine.dosing.regimens
                  if ids.intersection(regimen.forms)],
        major_interactions=[item for item in interactions if item.severity.value == "major"],
        other_interactions=[item for item in interactions if item.severity.value != "major"],
        review=review_view_of(medicine.review, medicine.changes, catalog, overdue=False),
        warning=warning_box(medicine, group.forms),
        url=url, qr=qr_code(url), paper=settings.paper,
        date=medicine.review.last_reviewed.isoformat(),
    )


def plan_handouts(catalog: Catalog, medicines: list[MedicineSource], templates_dir: Path,
                  settings: HandoutSettings, only: set[str] | None = None,
                  index: InteractionIndex | None = None) -> list[HandoutJob]:
    """Every PDF the site needs (or those of the medicines whose slugs are in `only`), with
    its HTML rendered from the record. `medicines` are all the published ones, and `index`
    their interactions with the published rules (None: with all rules): they show on
    handouts."""
    env = make_environment(templates_dir)
    env.filters["inline"] = inline_markdown
    base_url = (templates_dir / HANDOUT_TEMPLATES).resolve().as_uri() + "/"
    index = index or InteractionIndex(catalog, medicines)
    jobs = []
    for source in sorted(medicines, key=lambda s: s.slug):
        if only is not None and source.slug not in only:
            continue
        groups = form_groups(source.record)
        for group in groups:
            context = handout_context(catalog, source, group, settings, index)
            title = f"{context['name']} {group.words}: patient handout"
            html = render_print_template(env, templates_dir, "handout.html.j2",
                                         title=title, **context)
            jobs.append(HandoutJob(source.slug, source.path, "handout", group.id, group.words,
                                   handout_file_name(source.slug, group, groups), title, html,
                                   base_url, MAX_HANDOUT_PAGES))
        if (pump := wallet_card_group(source.record, groups)) is not None:
            context = handout_context(catalog, source, pump, settings, index)
            title = f"{context['name']} pump: wallet card"
            html = render_print_template(env, templates_dir, "wallet-card.html.j2",
                                         title=title, **context)
            jobs.append(HandoutJob(source.slug, source.path, "wallet-card", None, pump.words,
                                   wallet_card_file_name(source.slug), title, html, base_url,
                                   MAX_WALLET_CARD_PAGES))
    return jobs


def render_print_template(env: jinja2.Environment, templates_dir: Path, template_name: str,
                          **context) -> str:
    try:
        return render_template(env, f"{HANDOUT_TEMPLATES}/{template_name}", **context)
    except jinja2.TemplateNotFound as exc:
        raise HandoutProblem(templates_dir / HANDOUT_TEMPLATES, 1, "(template)",
                             f"template {exc.name} not found") from None


def build_handouts(catalog: Catalog, medicines: list[MedicineSource], templates_dir: Path,
                   settings: HandoutSettings, plans: PickleCache | None = None,
                   inputs: Mapping[str, str] | None = None,
                   index: InteractionIndex | None = None,
                   only: set[str] | None = None) -> HandoutBuild:
    """Every handout and wallet card of `medicines`, rendered or taken from the cache; with
    `only`, those of the medicines whose slugs it holds (all of `medicines` are still the
    published ones, whose interactions with each other handouts list).

    `inputs` may give, by slug, a hash of everything a medicine's handouts depend on (its
    record, the templates, the other medicines' names and classes, the interaction store);
    then `plans` remembers its jobs by that hash, so an unchanged medicine's HTML is not even
    rendered again to find its cached PDF.

    Raises TemplateProblem for a broken template and HandoutProblem for a PDF that cannot be
    made or breaks a rule (too many pages, text that does not fit the wallet card).
    """
    assets = asset_digest(templates_dir / HANDOUT_TEMPLATES)
    mine = sorted((source for source in medicines if only is None or source.slug in only),
                  key=lambda source: source.slug)
    cached_pages: dict[tuple[str, str], int | None] = {}

    def cached(job: HandoutJob) -> int | None:
        """`read_cached`, once per build for each PDF."""
        if (job.file_name, job.key) not in cached_pages:
            cached_pages[job.file_name, job.key] = read_cached(settings.cache_dir, job)
        return cached_pages[job.file_name, job.key]

    known: dict[str, list[HandoutJob]] = {}
    plan_keys: dict[str, str] = {}
    if plans is not None and inputs:
        for source in mine:
            plan_keys[source.slug] = digest(inputs[source.slug], assets, settings.paper)
            remembered = plans.get(plan_keys[source.slug])
            if remembered is not None and all(cached(job) is not None
                                              for job in remembered):
                known[source.slug] = remembered
    planned: dict[str, list[HandoutJob]] = {}
    to_plan = {source.slug for source in mine} - set(known)
    # The preview's first pass: a changed medicine whose every PDF has a stand-in is not even
    # planned (its HTML rendered) now; the next pass does it.
    put_off = {source.slug: names for source in mine
               if settings.stand_ins and source.slug in to_plan
               and (names := handout_file_names(source))
               and all(name in settings.stand_ins for name in names)}
    to_plan -= set(put_off)
    if to_plan:
        for job in plan_handouts(catalog, medicines, templates_dir, settings, only=to_plan,
                                  index=index):
            planned.setdefault(job.slug, []).append(
                replace(job, key=job_key(job, assets, settings.paper)))
    jobs = [job for source in mine
            for job in known.get(source.slug) or planned.get(source.slug, [])]
    missing = [job for job in jobs if cached(job) is None]
    deferred = {job.file_name for job in missing if job.file_name in settings.stand_ins}
    deferred.update(name for names in put_off.values() for name in names)
    later = {job.slug for job in missing if job.file_name in deferred} | set(put_off)
    missing = [job for job in missing if job.file_name not in deferred]
    # Each PDF is stored as soon as it is made: a build stopped halfway keeps the ones done.
    bar = Progress("rendering handouts", len(missing))
    with contextlib.closing(run_jobs(missing, background=settings.background)) as results:
        for job in missing:
            try:
                data, pages, problems = next(results)
            except (OSError, concurrent.futures.process.BrokenProcessPool) as exc:
                # WeasyPrint could not load its system libraries, or a worker died.
                raise HandoutProblem(templates_dir / HANDOUT_TEMPLATES, 1, "(handout)",
                                     f"could not make the PDF handouts: {exc}",
                                     "`make site` installs the Debian libraries WeasyPrint "
                                     "needs") from None
            if not data and not problems:
                raise page_rule_problem(job, f"more than {pages - 1}")
            if problems:
                raise HandoutProblem(job.source_path, 1, "(handout)",
                                     f"{job.file_name}: " + "; ".join(problems))
            write_cached(settings.cache_dir, job, data, pages)
            cached_pages.pop((job.file_name, job.key), None)
            bar.advance()
    bar.close()
    if plans is not None:
        for slug, planned_jobs in planned.items():
            if slug in plan_keys:  # without the HTML: only the cached PDF is needed again
                plans.put(plan_keys[slug], [replace(job, html="") for job in planned_jobs])
    build = HandoutBuild(rendered=[job.file_name for job in missing],
                         cached=[job.file_name for job in jobs if job not in missing
                                 and job.file_name not in deferred],
                         deferred=sorted(deferred), put_off=sorted(later))
    by_slug: dict[str, list[HandoutJob]] = {}
    for job in jobs:
        by_slug.setdefault(job.slug, []).append(job)
    for source in mine:
        build.handouts += [settings.stand_ins[name] for name in put_off.get(source.slug, [])]
        for job in by_slug.get(source.slug, []):
            if job.file_name in deferred:
                build.handouts.append(settings.stand_ins[job.file_name])
                continue
            pages = cached(job)
            pdf, _ = cache_paths(settings.cache_dir, job)
            if pages is None:
                raise HandoutProblem(job.source_path, 1, "(handout)",
                                     f"{job.file_name} was not written to {settings.cache_dir}")
            if pages > job.max_pages:
                raise page_rule_problem(job, str(pages))
            build.handouts.append(Handout(job.slug, job.kind, job.group, job.words,
                                          job.file_name, job.title, pdf, pdf.stat().st_size,
                                          pages))
    return build


