"""Checks of the interaction store: classes, class membership, every rule (its sides, file
name, review and texts), and rules that contradict one another."""

from __future__ import annotations

import datetime as dt
import difflib

from generator.checks.review import check_overdue, check_review
from generator.checks.text import check_text, iter_text
from generator.content.interactions import SEVERITY_RANK, InteractionIndex, rule_file_name
from generator.content.loader import REVIEWERS_FILE, Catalog, InteractionSource, dotted
from generator.content.problems import Problems, display_path
from generator.content.sourcemap import Loc
from generator.model.citations import CITATION
from generator.model.records import ClassType, ReviewStatus


def check_interactions(catalog: Catalog, today: dt.date, problems: Problems, *,
                       allow_overdue: bool = False) -> None:
    """Check classes, class membership and every rule; then that rules do not contradict.
    `allow_overdue` publishes rules whose review is overdue, with a warning (as medicines)."""
    index = InteractionIndex(catalog)
    check_classes(catalog, index, problems)
    check_membership(catalog, index, problems)
    valid = []
    seen: dict[frozenset, InteractionSource] = {}
    for source in catalog.interactions:
        if not check_rule(source, index, today, problems, allow_overdue=allow_overdue,
                          catalog=catalog):
            continue
        key = frozenset(source.record.between)
        if key in seen:
            report(problems, source, ("between",),
                   f"another file already has the rule for these two ({seen[key].path.name})",
                   "keep one file per pair and merge what each says")
            continue
        seen[key] = source
        valid.append(source)
    check_contradictions(InteractionIndex(catalog, rules=valid), problems)


def report(problems: Problems, source, loc: Loc, message: str, hint: str | None = None,
           severity: str = "error") -> None:
    line, column = source.source_map.locate(loc)
    problems.add(source.path, line, column, dotted(loc), message, hint, severity)


def check_classes(catalog: Catalog, index: InteractionIndex, problems: Problems) -> None:
    if catalog.classes is None:
        return
    seen: set[str] = set()
    used = {side for s in catalog.interactions + catalog.skipped_rules
            for side in s.record.between}
    for i, item in enumerate(catalog.classes.record.classes):
        loc = ("classes", i, "id")
        if item.id in seen:
            report(problems, catalog.classes, loc, f"class id {item.id!r} is used twice")
        if item.id in index.medicines:
            report(problems, catalog.classes, loc,
                   f"{item.id!r} is already the name of a medicine in this guide",
                   "interactions name the medicine directly; remove this class")
        if item.id not in used and item.id not in index.members:
            report(problems, catalog.classes, loc,
                   f"class {item.id!r} is not used by any interaction or medicine",
                   severity="warning")
        seen.add(item.id)


def check_membership(catalog: Catalog, index: InteractionIndex, problems: Problems) -> None:
    if catalog.classes_failed:
        return  # classes.yaml's own problems are reported; no class can be looked up
    for source in catalog.medicines:
        seen: set[str] = set()
        for i, class_id in enumerate(source.record.classes):
            loc = ("classes", i)
            line, column = source.source_map.locate(loc)
            if class_id not in index.classes:
                close = difflib.get_close_matches(class_id, sorted(index.classes), n=1)
                problems.add(source.path, line, column, dotted(loc),
                             f"no class called {class_id!r} in classes.yaml",
                             f"did you mean {close[0]}?" if close else
                             "add it to content/classes.yaml")
            elif index.classes[class_id].type is not ClassType.medicine_class:
                problems.add(source.path, line, column, dotted(loc),
                             f"{class_id!r} is a {index.classes[class_id].type.value}, "
                             "not a class a medicine can belong to")
            elif class_id in seen:
                problems.add(source.path, line, column, dotted(loc),
                             f"class {class_id!r} is listed twice")
            seen.add(class_id)


def check_rule(source: InteractionSource, index: InteractionIndex, today: dt.date,
               problems: Problems, *, catalog: Catalog, allow_overdue: bool = False) -> bool:
    """Checks of one rule on its own (its review against `catalog`'s reviewers). True if
    its sides are usable for resolution."""
    # Imported here: validate imports this module.

    rule = source.record
    approved = rule.review.status is ReviewStatus.approved
    usable = True
    for i, side in enumerate(rule.between):
        if not index.known(side):
            close = difflib.get_close_matches(
                side, sorted(set(index.medicines) | set(index.classes)), n=1)
            report(problems, source, ("between", i),
                   f"no medicine or class called {side!r}",
                   f"did you mean {close[0]}?" if close else
                   "name a medicine folder or an id from content/classes.yaml")
            usable = False
    if rule.between[0] == rule.between[1] and rule.between[0] in index.medicines:
        report(problems, source, ("between",), "a medicine cannot interact with itself")
        usable = False
    expected = rule_file_name(rule.between)
    if usable and source.path.name != expected:
        report(problems, source, ("between",),
               f"the file for this pair must be called {expected}",
               "one file per pair, named by its two sides in A–Z order, so it is easy to find")

    keys = [ref.key for ref in rule.references]
    cited: set[str] = set()
    for loc, text in iter_text(rule.model_dump(mode="json", exclude={"references", "review"})):
        for match in CITATION.finditer(text):
            cited.add(match.group(1))
            if match.group(1) not in keys:
                report(problems, source, loc, f"cites unknown reference [^{match.group(1)}]",
                       "add it under references: or fix the key")
        check_text(text, lambda message, hint=None, loc=loc:
                   report(problems, source, loc, message, hint))
    # Sources are shown too (as footnotes): held to the same allowlist, but cite nothing.
    for loc, text in iter_text(rule.model_dump(mode="json", include={"references"})):
        check_text(text, lambda message, hint=None, loc=loc:
                   report(problems, source, loc, message, hint))
    for i, ref in enumerate(rule.references):
        if keys.index(ref.key) != i:
            report(problems, source, ("references", i, "key"),
                   f"reference key {ref.key!r} is used twice")
        elif ref.key not in cited:
            report(problems, source, ("references", i, "key"),
                   f"reference {ref.key!r} is never cited", severity="warning")
    if not rule.references:
        # Patients and reviewers must be able to see where an interaction comes from.
        report(problems, source, ("references",), "this interaction cites no source",
               "add the label, MedlinePlus or NHS page that says it under references: and "
               "cite it as [^key]" + ("" if approved else "; it cannot be approved without one"),
               severity="error" if approved else "warning")
    # The same review rules as medicines, from the same function.
    check_review(rule.review, catalog.reviewers, display_path(catalog.root / REVIEWERS_FILE),
                 lambda loc, message, hint=None: report(problems, source, loc, message, hint),
                 what="interaction", today=today)
    check_overdue(rule.review, today, "this interaction",
                  lambda loc, message, hint=None, severity="error":
                  report(problems, source, loc, message, hint, severity),
                  allow_overdue=allow_overdue)
    return usable


def check_contradictions(index: InteractionIndex, problems: Problems) -> None:
    # Pairs no rule covers have nothing to contradict: only candidates are looked at.
    concrete = index.candidate_pairs()
    for slug in sorted(index.medicines):
        concrete += [(slug, other) for other in index.other_sides(slug)]
    reported: set[tuple] = set()
    for x, y in concrete:
        resolution = index.resolve(x, y)
        winners = resolution.winners
        if not winners:
            continue
        what = f"{x} with {y}"
        if len(winners) > 1:
            key = tuple(sorted(w.path.name for w in winners))
            if key not in reported:
                reported.add(key)
                others = ", ".join(w.path.name for w in winners[1:])
                settle = (rule_file_name([x, y]) if y in index.medicines
                          else "a rule for the medicine itself")
                report(problems, winners[0], ("between",),
                       f"this rule and {others} both apply to {what}, and neither is more "
                       "specific", f"add {settle} that says which applies")
            continue
        winner = winners[0]
        for level, source in resolution.matches:
            broader = source.record.severity
            if SEVERITY_RANK[broader] > SEVERITY_RANK[winner.record.severity]:
                key = (winner.path.name, source.path.name)
                if key not in reported:
                    reported.add(key)
                    report(problems, winner, ("severity",),
                           f"says {winner.record.severity.value} for {what}, but the broader "
                           f"rule {source.path.name} says {broader.value}",
                           "a more specific rule may add detail but must not be less serious")
    for pair in index.pairs:
        rule = pair.rule
        missing = [name for name in ("summary", "watch_for", "higher_risk")
                   if not getattr(rule, name)]
        if missing:
            key = (pair.source.path.name, "pair-page")
            if key not in reported:
                reported.add(key)
                report(problems, pair.source, ("between",),
                       f"this rule gives the page about {pair.first.slug} with "
                       f"{pair.second.slug}, so it needs " + " and ".join(missing),
                       "the page shows the short answer, what to watch for and who is at "
                       "higher risk")
