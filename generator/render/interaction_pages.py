"""Pages and data built from the interaction store: one page per pair of the site's medicines,
the interaction checker, and the JSON file the checker reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from functools import partial

import jinja2

from generator.content.interactions import (
    SEVERITY_RANK,
    Entry,
    InteractionIndex,
    Pair,
    medicine_name,
)
from generator.content.loader import Catalog, InteractionSource
from generator.content.pages import (
    CHECKER_DATA_URI,
    CHECKER_URI,
    ONE_PAGE_LIST_MAX,
    Page,
    medicine_page_uri,
    relative_url,
)
from generator.model.citations import CITATION, references_cited
from generator.model.records import Reference
from generator.model.words import SEVERITY_WORDS
from generator.render.plaintext import inline_plain
from generator.render.review import review_view_of
from generator.render.templates import front_matter, render_template

PAGE_TEMPLATES = "pages/interactions"
CHECKER_SCRIPT = "js/interaction-checker.js"
# The checker's table of every pair (shown without JavaScript) is built up to this many
# medicines: 190 rows.
PAIR_TABLE_MAX_MEDICINES = 20


def cited(text: str, source: InteractionSource) -> str:
    """Rule text with its citations renamed after the source they name, so they cannot clash
    with a medicine's own references on the same page, and several rules citing the same
    source share one footnote."""
    return CITATION.sub(lambda m: f"[^{reference_key(source, m.group(1))}]", text)


def reference_key(source: InteractionSource, key: str) -> str:
    ref = next((r for r in source.record.references if r.key == key), None)
    if ref is None:  # an unknown key is reported by the checks; keep it visible
        return f"{source.name}-{key}"
    return source_key(ref)


def source_key(ref: Reference) -> str:
    """The footnote key of a source cited by interaction rules: the same for every rule
    naming the same title, publisher, year and address."""
    identity = "\n".join([ref.title, ref.publisher, str(ref.year), ref.url or ""])
    return "source-" + hashlib.sha256(identity.encode("utf-8")).hexdigest()[:10]


def namespaced_references(entries: list[Entry]) -> list[Reference]:
    refs = []
    for entry in entries:
        for ref in entry.rule.references:
            refs.append(ref.model_copy(update={"key": reference_key(entry.source, ref.key)}))
    return refs


def pair_title(pair: Pair) -> str:
    return f"{medicine_name(pair.first)} and {pair.second.record.generic_name}"


def render_pair_page(env: jinja2.Environment, catalog: Catalog, index: InteractionIndex,
                     pair: Pair, today: dt.date) -> Page:
    """The page about one pair of the site's medicines that interact."""
    title = pair_title(pair)
    rule_side = None
    if not pair.is_specific:
        a, b = pair.rule.between
        rule_side = (index.side(a), index.side(b))
    context = dict(site=catalog.site, pair=pair, rule=pair.rule, title=title,
                   review=review_view_of(pair.rule.review, [], catalog,
                                         pair.rule.review.overdue_on(today)),
                   rule_sides=rule_side, checker_uri="index.md",
                   first_uri="../" + medicine_page_uri(pair.first.slug, "interactions"),
                   second_uri="../" + medicine_page_uri(pair.second.slug, "interactions"))
    body = render_template(env, f"{PAGE_TEMPLATES}/pair.md.j2", **context)
    body += render_template(env, f"{PAGE_TEMPLATES}/_footer.md.j2",
                            references=references_cited(body, pair.rule.references),
                            **context)
    description = inline_plain(pair.rule.summary or pair.rule.what_happens)[:300]
    meta = {
        "title": title, "description": description,
        "crumb_title": "Interaction checker", "crumb_url": "interactions/",
        "guide_date": context["review"].dated.date.isoformat(),
    }
    # Not in the nav: a section of every pair would grow with the square of the number of
    # medicines. Each medicine's Interactions page and the checker link the pair pages.
    return Page(pair.uri, title, title, description, front_matter(meta) + body, in_nav=False)


def render_interaction_pages(env: jinja2.Environment, catalog: Catalog, index: InteractionIndex,
                             today: dt.date, pair_renderer=None) -> list[Page]:
    """The checker page and one page per pair of the site's medicines that interact, as of
    `today` (whose reviews are overdue). `pair_renderer` gets each pair with a call that
    renders its page and returns the pages in order (it may take them from a cache, or
    spread the calls over several processes)."""
    calls = [(pair, partial(render_pair_page, env, catalog, index, pair, today))
             for pair in index.pairs]
    pages = list(pair_renderer(calls)) if pair_renderer else [call() for _, call in calls]

    medicines = sorted(index.medicines.values(), key=lambda s: s.record.generic_name.casefold())
    # Every pair in one table only while the site is small: it grows with the square of the
    # number of medicines (100 medicines make 4,950 rows, almost 1 MB). A larger site points
    # to each medicine's Interactions page instead. Past ONE_PAGE_LIST_MAX medicines the
    # choices leave out brand names too, so the page stays the same size as the site grows.
    many = len(medicines) > ONE_PAGE_LIST_MAX
    table = len(medicines) <= PAIR_TABLE_MAX_MEDICINES
    rows = []
    for first, second in (itertools.combinations(medicines, 2) if table else []):
        rows.append((first, second, index.pair(first.slug, second.slug)))
    title = "Interaction checker"
    description = ("Check how the medicines in this guide interact with each other, with "
                   "alcohol and with other common medicines.")
    body = render_template(env, f"{PAGE_TEMPLATES}/checker.md.j2", site=catalog.site,
                           title=title, medicines=medicines, rows=rows, many=many, table=table,
                           data_file=CHECKER_DATA_URI.rsplit("/", 1)[-1])
    meta = {"title": title, "description": description, "scripts": [CHECKER_SCRIPT]}
    pages.insert(0, Page(CHECKER_URI, title, title, description, front_matter(meta) + body))
    return pages


def checker_data(index: InteractionIndex) -> str:
    """The JSON the checker reads. URLs are relative to the JSON file itself. Sorted and
    indented the same way every time, so the same content gives the same bytes."""
    medicines = sorted(index.medicines.values(), key=lambda s: s.record.generic_name.casefold())
    data = {
        "severities": [{"id": severity.value, "label": SEVERITY_WORDS[severity.value],
                        "rank": rank} for severity, rank in SEVERITY_RANK.items()],
        "medicines": [{
            "id": source.slug, "name": medicine_name(source),
            "brands": [brand.name for brand in source.record.brand_names],
            "url": relative_url(medicine_page_uri(source.slug, "interactions"), CHECKER_DATA_URI),
        } for source in medicines],
        "pairs": [{
            "medicines": [pair.first.slug, pair.second.slug],
            "severity": pair.rule.severity.value,
            "summary": inline_plain(pair.rule.summary or pair.rule.what_happens),
            "what_to_do": inline_plain(pair.rule.what_to_do),
            "url": relative_url(pair.uri, CHECKER_DATA_URI),
        } for pair in index.pairs],
        "others": [],
    }
    sides = {}
    for source in medicines:
        for entry in index.for_medicine(source.slug):
            if entry.other.is_medicine_in_guide:
                continue
            sides[entry.other.id] = {"name": entry.other.name, "type": entry.other.type,
                                     "examples": list(entry.other.examples)}
            data["others"].append({
                "medicine": source.slug, "side": entry.other.id,
                "severity": entry.severity.value,
                "what_happens": inline_plain(entry.rule.what_happens),
                "what_to_do": inline_plain(entry.rule.what_to_do),
                "url": f"../medicines/{source.slug}/interactions/#{entry.other.id}",
            })
    data["sides"] = dict(sorted(sides.items()))
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
