"""Interactions stored once: rules for pairs and classes, how they apply, and the checks that
keep the store free of gaps, duplicates and contradictions."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, add_medicine, as_of_newest_review, edit

from generator.build.pipeline import build_site
from generator.checks.records import check_catalog
from generator.content.interactions import InteractionIndex
from generator.content.loader import load_catalog

TODAY = dt.date(2026, 11, 21)
RULE = "interactions/alcohol--test-sedatives.yaml"


def problems_for(content: Path) -> list[str]:
    catalog, problems = load_catalog(content)
    assert catalog is not None
    problems.extend(check_catalog(catalog, TODAY))
    return [str(p).replace(f"{content}/", "") for p in problems.errors + problems.warnings]


def add_rule(content: Path, name: str, between: str, severity: str = "moderate",
             pair_page: bool = True, status: str = "submitted", sourced: bool = True) -> Path:
    page_fields = textwrap.dedent("""\
        summary: Take care with these two.
        watch_for: [Sleepiness.]
        higher_risk: [Older adults.]
        """) if pair_page else ""
    path = content / "interactions" / name
    path.write_text(f"between: {between}\nkinds: [drowsiness]\nseverity: {severity}\n"
                    + page_fields + textwrap.dedent(f"""\
        what_happens: More sleepiness.{"[^label]" if sourced else ""}
        what_to_do: Ask your prescriber.
        {"references: [{key: label, title: A label, publisher: Test Agency, year: 2025}]"
         if sourced else ""}
        review:
          status: {status}
          written_by: [editorial-team]
          last_reviewed: 2026-01-10
          next_review_due: 2099-01-10
        """))
    return path


def pages_by_uri(content: Path) -> dict:
    result = build_site(content, TEMPLATES, today=TODAY)
    assert result.ok, [str(p) for p in result.problems.errors]
    return {page.src_uri: page for page in result.pages}, result


# ---------------------------------------------------------------- how rules apply


def test_a_class_rule_applies_to_every_medicine_in_the_class(content):
    add_medicine(content, "placebin")
    catalog, problems = load_catalog(content)
    assert not problems
    index = InteractionIndex(catalog)
    for slug in ("testofen", "placebin"):
        [entry] = index.for_medicine(slug)
        assert entry.other.name == "Alcohol"
        assert entry.severity.value == "major"
        assert entry.source.path.name == "alcohol--test-sedatives.yaml"


def test_a_medicine_outside_the_class_gets_no_class_rule(content):
    add_medicine(content, "placebin", classes="[]")
    index = InteractionIndex(load_catalog(content)[0])
    assert index.for_medicine("placebin") == []


def test_a_rule_naming_both_medicines_wins_over_class_rules(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--test-sedatives.yaml", "[placebin, test-sedatives]")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]", severity="major")
    assert problems_for(content) == []
    index = InteractionIndex(load_catalog(content)[0])
    [pair] = index.pairs
    assert (pair.first.slug, pair.second.slug) == ("placebin", "testofen")
    assert pair.source.path.name == "placebin--testofen.yaml"
    assert pair.is_specific


def test_a_class_rule_gives_a_pair_when_nothing_more_specific_exists(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--test-sedatives.yaml", "[placebin, test-sedatives]")
    # Only one rule covers placebin with testofen (testofen is a test sedative).
    [pair] = InteractionIndex(load_catalog(content)[0]).pairs
    assert pair.source.path.name == "placebin--test-sedatives.yaml"
    assert not pair.is_specific


# ---------------------------------------------------------------- errors an editor can fix


def test_a_side_that_does_not_exist_is_a_located_error(content):
    edit(content / RULE, "between: [alcohol, test-sedatives]", "between: [alcohol, test-sedativs]")
    assert problems_for(content) == [
        f"{RULE}:1:20: between[1]: no medicine or class called 'test-sedativs' "
        "(did you mean test-sedatives?)"]


def test_a_rule_file_must_be_named_by_its_sides(content):
    (content / RULE).rename(content / "interactions" / "drinks.yaml")
    assert problems_for(content) == [
        "interactions/drinks.yaml:1:10: between: the file for this pair must be called "
        "alcohol--test-sedatives.yaml (one file per pair, named by its two sides in A–Z order, "
        "so it is easy to find)"]


def test_two_files_for_the_same_pair_are_a_duplicate(content):
    text = (content / RULE).read_text().replace("[alcohol, test-sedatives]",
                                                "[test-sedatives, alcohol]")
    (content / "interactions" / "test-sedatives--alcohol.yaml").write_text(text)
    found = problems_for(content)
    assert ("interactions/test-sedatives--alcohol.yaml:1:10: between: another file already has "
            "the rule for these two (alcohol--test-sedatives.yaml) (keep one file per pair and "
            "merge what each says)") in found


def test_two_equally_specific_rules_for_one_pair_are_a_contradiction(content):
    add_medicine(content, "placebin", classes="[test-sedatives, test-relaxants]")
    with (content / "classes.yaml").open("a") as f:
        f.write("  - id: test-relaxants\n    type: class\n    name: Pretend relaxants\n"
                "    plain: Pretend.\n")
    add_rule(content, "placebin--test-sedatives.yaml", "[placebin, test-sedatives]")
    add_rule(content, "test-relaxants--testofen.yaml", "[test-relaxants, testofen]")
    assert problems_for(content) == [
        "interactions/placebin--test-sedatives.yaml:1:10: between: this rule and "
        "test-relaxants--testofen.yaml both apply to placebin with testofen, and neither is "
        "more specific (add placebin--testofen.yaml that says which applies)"]


def test_a_specific_rule_may_not_be_less_serious_than_the_class_rule_it_overrides(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--test-sedatives.yaml", "[placebin, test-sedatives]",
             severity="major")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]", severity="minor")
    assert problems_for(content) == [
        "interactions/placebin--testofen.yaml:3:11: severity: says minor for placebin with "
        "testofen, but the broader rule placebin--test-sedatives.yaml says major (a more "
        "specific rule may add detail but must not be less serious)"]


def test_a_rule_that_gives_a_pair_page_needs_its_short_answer_and_risks(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]", pair_page=False)
    assert problems_for(content) == [
        "interactions/placebin--testofen.yaml:1:10: between: this rule gives the page about "
        "placebin with testofen, so it needs summary and watch_for and higher_risk (the page "
        "shows the short answer, what to watch for and who is at higher risk)"]


def test_a_medicine_cannot_interact_with_itself(content):
    add_rule(content, "testofen--testofen.yaml", "[testofen, testofen]")
    assert problems_for(content) == [
        "interactions/testofen--testofen.yaml:1:10: between: a medicine cannot interact with "
        "itself"]


def test_a_medicine_must_name_classes_that_exist(content, record_path):
    edit(record_path, "classes: [test-sedatives]", "classes: [test-sedative, alcohol]")
    assert problems_for(content) == [
        "medicines/testofen/medicine.yaml:93:11: classes[0]: no class called 'test-sedative' "
        "in classes.yaml (did you mean test-sedatives?)",
        "medicines/testofen/medicine.yaml:93:26: classes[1]: 'alcohol' is a substance, not a "
        "class a medicine can belong to"]


def test_class_ids_are_unique_and_not_medicine_names(content):
    with (content / "classes.yaml").open("a") as f:
        f.write("  - id: testofen\n    type: medicine\n    name: T\n    plain: T.\n"
                "  - id: alcohol\n    type: substance\n    name: A\n    plain: A.\n")
    found = problems_for(content)
    assert "classes.yaml:12:9: classes[2].id: 'testofen' is already the name of a medicine " \
        "in this guide (interactions name the medicine directly; remove this class)" in found
    assert "classes.yaml:16:9: classes[3].id: class id 'alcohol' is used twice" in found


def test_a_rule_cites_only_its_own_references(content):
    edit(content / RULE, "what_to_do: Avoid alcohol.", "what_to_do: Avoid alcohol.[^nhs]")
    assert problems_for(content) == [
        f"{RULE}:5:13: what_to_do: cites unknown reference [^nhs] "
        "(add it under references: or fix the key)"]


def test_a_bad_rule_field_is_reported_like_any_record(content):
    edit(content / RULE, "severity: major", "severity: severe")
    edit(content / RULE, "kinds: [drowsiness]", "kinds: [sleepy]")
    catalog, problems = load_catalog(content)
    assert [str(p).replace(f"{content}/", "") for p in problems.errors] == [
        f"{RULE}:2:9: kinds[0]: must be one of: drowsiness, blood_levels, blood_pressure, "
        "other",
        f"{RULE}:3:11: severity: must be one of: major, moderate, minor"]


def test_a_rule_without_a_source_is_a_warning_until_it_is_approved(content):
    add_rule(content, "alcohol--testofen.yaml", "[alcohol, testofen]", severity="major",
             sourced=False)
    assert problems_for(content) == [
        "interactions/alcohol--testofen.yaml:1:1: references: this interaction cites no source "
        "(add the label, MedlinePlus or NHS page that says it under references: and cite it as "
        "[^key]; it cannot be approved without one) [warning]"]
    add_rule(content, "alcohol--testofen.yaml", "[alcohol, testofen]", severity="major",
             sourced=False, status="approved")
    assert [p for p in problems_for(content) if "cites no source" in p] == [
        "interactions/alcohol--testofen.yaml:1:1: references: this interaction cites no source "
        "(add the label, MedlinePlus or NHS page that says it under references: and cite it as "
        "[^key])"]


def test_an_overdue_interaction_review_is_an_error(content):
    edit(content / RULE, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    assert problems_for(content) == [
        f"{RULE}:15:20: review.next_review_due: review of this interaction was due on "
        "2026-06-30 and is overdue (review the content, then update review.last_reviewed and "
        "next_review_due)"]


def test_the_overdue_override_publishes_an_overdue_rule_with_a_warning(content):
    edit(content / RULE, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    catalog, problems = load_catalog(content)
    found = check_catalog(catalog, TODAY, allow_overdue=True)
    assert not found.errors
    assert [str(p).replace(f"{content}/", "") for p in found.warnings] == [
        f"{RULE}:15:20: review.next_review_due: review of this interaction was due on "
        "2026-06-30 and is overdue; published anyway because the overdue override is on "
        "[warning]"]


def test_a_draft_rule_is_never_overdue(content):
    edit(content / RULE, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    edit(content / RULE, "status: submitted", "status: draft")
    assert not [p for p in problems_for(content) if "overdue" in p]


# ---------------------------------------------------------------- pages


def test_the_interactions_page_lists_rules_from_the_store(content):
    pages, _ = pages_by_uri(content)
    text = pages["medicines/testofen/interactions.md"].markdown
    assert "### Alcohol {: #alcohol }" in text
    assert "## Serious interactions {: #major }" in text
    assert "- **Serious (1):** [Alcohol](#alcohol)" in text
    cite = re.search(r"More sleepiness\.\[\^(source-[0-9a-f]{10})\]", text)
    assert cite, "the rule's citation is renamed after its source"
    assert f"[^{cite.group(1)}]: Testofen label. Test Agency, 2025." in text


def test_rules_citing_the_same_source_share_one_footnote(content):
    add_rule(content, "test-sedatives--test-sedatives.yaml", "[test-sedatives, test-sedatives]",
             severity="major")
    edit(content / "interactions" / "test-sedatives--test-sedatives.yaml",
         "{key: label, title: A label,", "{key: other-key, title: Testofen label,")
    edit(content / "interactions" / "test-sedatives--test-sedatives.yaml",
         "More sleepiness.[^label]", "More sleepiness.[^other-key]")
    add_medicine(content, "placebin")
    pages, _ = pages_by_uri(content)
    text = pages["medicines/testofen/interactions.md"].markdown
    assert len(set(re.findall(r"More sleepiness\.\[\^(source-\w+)\]", text))) == 1
    assert text.count("More sleepiness.[^source-") >= 2  # the alcohol rule and the class rule
    assert text.count("]: Testofen label. Test Agency, 2025.") == 1


def test_a_rule_citing_the_medicines_own_source_shares_its_footnote(content):
    # The same title, publisher, year and address as testofen's own reference.
    edit(content / "interactions" / "alcohol--test-sedatives.yaml",
         "    year: 2025\n", "    year: 2025\n    url: https://example.org/testofen\n")
    pages, _ = pages_by_uri(content)
    text = pages["medicines/testofen/interactions.md"].markdown
    assert "More sleepiness.[^test-label]" in text
    assert "[^source-" not in text
    # Listed once, its title the link to it.
    assert text.count("]: [Testofen label](https://example.org/testofen). Test Agency, "
                      "2025.") == 1


def test_a_pair_page_puts_the_short_answer_first(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]")
    pages, result = pages_by_uri(content)
    text = pages["interactions/placebin-testofen.md"].markdown
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" {:")[0] for h in headings][:5] == [
        "## The short answer", "## Why this happens", "## What to watch for",
        "## What to do", "## Who is at higher risk"]
    assert text.index("Take care with these two.") < text.index("More sleepiness.")
    assert "Pending clinical review" in text and 'class="review"' in text
    assert "# Placebin and testofen\n" in text
    # Reached from both medicines' Interactions pages and the checker, not from the nav
    # (a nav section of every pair would grow with the square of the number of medicines).
    assert not pages["interactions/placebin-testofen.md"].in_nav
    assert "interactions/placebin-testofen.md" not in json.dumps(result.nav)
    assert "(../../interactions/placebin-testofen.md)" in pages[
        "medicines/testofen/interactions.md"].markdown


def test_a_draft_rule_is_not_published(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]", status="draft")
    pages, result = pages_by_uri(content)
    assert "interactions/placebin-testofen.md" not in pages
    assert json.loads(result.files["interactions/checker.json"])["pairs"] == []


def test_the_checker_data_is_complete_and_the_same_every_time(content):
    add_medicine(content, "placebin")
    add_rule(content, "placebin--testofen.yaml", "[placebin, testofen]")
    _, first = pages_by_uri(content)
    _, second = pages_by_uri(content)
    text = first.files["interactions/checker.json"]
    assert text == second.files["interactions/checker.json"]
    data = json.loads(text)
    assert [m["id"] for m in data["medicines"]] == ["placebin", "testofen"]
    assert data["pairs"] == [{
        "medicines": ["placebin", "testofen"], "severity": "moderate",
        "summary": "Take care with these two.", "what_to_do": "Ask your prescriber.",
        "url": "placebin-testofen/"}]
    assert {(o["medicine"], o["side"], o["severity"]) for o in data["others"]} == {
        ("placebin", "alcohol", "major"), ("testofen", "alcohol", "major")}
    # Citations are for pages; the checker shows plain words.
    assert all("[^" not in o["what_happens"] for o in data["others"])


def test_the_checker_page_lists_every_pair_even_without_an_interaction(content):
    add_medicine(content, "placebin", classes="[]")
    pages, _ = pages_by_uri(content)
    text = pages["interactions/index.md"].markdown
    assert ("| Placebin and testofen | None recorded | No interaction is recorded in this "
            "guide. That does not mean they are safe together. Ask your pharmacist. |") in text
    assert "Always ask your pharmacist" in text


# ---------------------------------------------------------------- the real content


@pytest.fixture(scope="module")
def real():
    catalog, problems = load_catalog(ROOT / "content")
    assert not problems.errors
    return catalog, InteractionIndex(catalog)


def test_the_real_store_has_no_problems(real):
    catalog, _ = real
    # As of the newest review in the content: no review is then dated in the future, and
    # the test does not start failing when a review falls due.
    problems = check_catalog(catalog, max(TODAY, as_of_newest_review()))
    assert [str(p) for p in problems.errors] == []
    # Every rule cites a source a reviewer can check (see the warning's hint).
    assert [Path(p.path).name for p in problems.warnings if "cites no source" in p.message] == []
    assert len(problems.warnings) == 0


def test_every_rule_involving_a_medicine_is_on_its_page_unless_a_more_specific_one_wins(real):
    catalog, index = real
    for slug in index.medicines:
        shown = {entry.source.path.name for entry in index.for_medicine(slug)}
        for source in catalog.interactions:
            a, b = source.record.between
            if index.cover(a, slug) is None and index.cover(b, slug) is None:
                continue
            other = b if index.cover(a, slug) is not None else a
            if other in index.medicines or source.path.name in shown:
                continue
            winner = index.resolve(slug, other).rule
            assert winner is not None and winner.path.name in shown, (slug, source.path.name)


def test_every_pair_of_the_six_medicines_has_a_page(real):
    _, index = real
    assert len(index.medicines) == 6
    pairs = {(p.first.slug, p.second.slug) for p in index.pairs}
    assert pairs == set(itertools.combinations(sorted(index.medicines), 2))


def test_class_membership_makes_class_rules_apply(real):
    _, index = real
    diazepam = {e.other.id: e for e in index.for_medicine("diazepam")}
    assert diazepam["opioids"].source.path.name == "opioids--sedatives.yaml"
    assert diazepam["opioids"].severity.value == "major"
    assert index.pair("baclofen", "levetiracetam").source.path.name == (
        "baclofen--levetiracetam.yaml")


def test_pairs_resolved_once_can_be_given_to_an_index_of_the_same_content():
    """The preview keeps each pass's pairs (`pair_rules`) and gives them to the next pass's
    index while the rules and the medicines' identities are unchanged (`reuse_pairs`)."""
    catalog, _ = load_catalog(ROOT / "content")
    resolved = InteractionIndex(catalog)
    kept = resolved.pair_rules()
    again = InteractionIndex(load_catalog(ROOT / "content")[0])
    again.reuse_pairs(kept)
    assert len(kept) > 10
    assert [(p.first.slug, p.second.slug, p.source.path) for p in again.pairs] == \
        [(p.first.slug, p.second.slug, p.source.path) for p in resolved.pairs]
    assert all(p.first is again.medicines[p.first.slug] for p in again.pairs), \
        "the pairs hold the new index's medicines"
