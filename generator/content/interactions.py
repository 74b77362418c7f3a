"""Interactions, stored once: which rule applies to which pair, and checks across the store.

A rule in `content/interactions/` is between two sides. A side is a medicine with a guide on
this site (its folder name) or an entry of `content/classes.yaml` (a class such as opioids, a
substance such as alcohol, or a medicine without a guide here). A class rule applies to every
medicine that lists the class under `classes:`.

For one concrete pair (two medicines of the site, or a medicine and a class) several rules may
apply. The most specific one wins: a rule naming both medicines beats a rule naming one
medicine and a class, which beats a rule between two classes. Two rules that are equally
specific and both apply are a contradiction, and so is a specific rule that is less serious
than a broader rule it overrides: an editor must settle both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from generator.content.loader import Catalog, InteractionSource, MedicineSource
from generator.content.pages import pair_uri
from generator.model.records import InteractingClass, Interaction, Severity

SEVERITY_RANK = {Severity.minor: 1, Severity.moderate: 2, Severity.major: 3}
MEDICINE = "medicine_in_guide"


def rule_file_name(between: list[str]) -> str:
    """The file name a rule must have: its two sides, sorted, joined by `--`."""
    return "--".join(sorted(between)) + ".yaml"


@dataclass(frozen=True)
class Side:
    """One side of an interaction, as shown to a reader."""

    id: str
    name: str
    type: str  # MEDICINE, or a ClassType value
    plain: str | None = None
    examples: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # slugs of the site's medicines in this class
    generic_name: str | None = None  # for a medicine in the guide

    @property
    def is_medicine_in_guide(self) -> bool:
        return self.type == MEDICINE

    @property
    def short_name(self) -> str:
        """The name inside a sentence: "diazepam" rather than "Diazepam (Valium)"."""
        if self.generic_name is not None:
            return self.generic_name
        return self.name[:1].lower() + self.name[1:]


@dataclass(frozen=True)
class Entry:
    """An interaction as it appears on one medicine's page: the other side and the rule."""

    medicine: str
    other: Side
    source: InteractionSource
    # Medicines of the site covered by `other`, with the page about each pair: [(slug, uri)]
    pairs: tuple[tuple[str, str], ...] = ()

    @property
    def rule(self) -> Interaction:
        return self.source.record

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.rule.severity]

    @property
    def is_member(self) -> bool:
        """The medicine is itself in the other side's class ("other muscle relaxants")."""
        return self.medicine in self.other.members

    @property
    def pair_uri(self) -> str | None:
        return pair_uri(self.medicine, self.other.id) if self.other.is_medicine_in_guide else None


@dataclass(frozen=True)
class Pair:
    """Two medicines of the site and the rule that applies to them."""

    first: MedicineSource
    second: MedicineSource
    source: InteractionSource

    @property
    def rule(self) -> Interaction:
        return self.source.record

    @property
    def uri(self) -> str:
        return pair_uri(self.first.slug, self.second.slug)

    @property
    def slug(self) -> str:
        return f"{self.first.slug}-{self.second.slug}"

    @property
    def is_specific(self) -> bool:
        """The rule names both medicines (not a class rule that covers them)."""
        return set(self.rule.between) == {self.first.slug, self.second.slug}


@dataclass
class Resolution:
    """The rules that apply to one concrete pair, most specific first."""

    matches: list[tuple[int, InteractionSource]] = field(default_factory=list)

    @property
    def winners(self) -> list[InteractionSource]:
        if not self.matches:
            return []
        best = min(level for level, _ in self.matches)
        return [source for level, source in self.matches if level == best]

    @property
    def rule(self) -> InteractionSource | None:
        winners = self.winners
        return winners[0] if winners else None


class InteractionIndex:
    """Every interaction of a set of published medicines, resolved once."""

    def __init__(self, catalog: Catalog, medicines: list[MedicineSource] | None = None,
                 rules: list[InteractionSource] | None = None):
        self.medicines = {m.slug: m for m in (catalog.medicines if medicines is None
                                              else medicines)}
        self.classes: dict[str, InteractingClass] = {}
        if catalog.classes is not None:
            for item in catalog.classes.record.classes:
                self.classes.setdefault(item.id, item)
        # A rule applies here only when both its sides are: a rule naming a medicine that
        # is not published (a draft, or a record with errors, reported already) is not.
        self.rules = sorted((rule for rule in (catalog.interactions if rules is None else rules)
                             if all(self.known(side) for side in rule.record.between)),
                            key=lambda s: s.path.name)

    # ------------------------------------------------------------ sides

    @cached_property
    def members(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for slug in sorted(self.medicines):
            for class_id in self.medicines[slug].record.classes:
                found.setdefault(class_id, []).append(slug)
        return {class_id: tuple(slugs) for class_id, slugs in found.items()}

    def side(self, side_id: str) -> Side:
        if side_id in self.medicines:
            source = self.medicines[side_id]
            return Side(side_id, medicine_label(source), MEDICINE,
                        generic_name=source.record.generic_name)
        item = self.classes[side_id]
        return Side(item.id, item.name, item.type.value, item.plain, tuple(item.examples),
                    self.members.get(item.id, ()))

    def known(self, side_id: str) -> bool:
        return side_id in self.medicines or side_id in self.classes

    def cover(self, side_id: str, entity: str) -> int | None:
        """How a rule's side reaches `entity`: 0 by name, 1 through a class, None not at all."""
        if side_id == entity:
            return 0
        if entity in self.medicines and entity in self.members.get(side_id, ()):
            return 1
        return None

    # ------------------------------------------------------------ resolution

    @cached_property
    def rules_by_entity(self) -> dict[str, list[int]]:
        """For each medicine or side, the positions (in `rules`) of the rules one of whose
        sides covers it. Resolution looks only at these: a site of a thousand medicines has
        thousands of rules, and almost every one is about a few of them."""
        found: dict[str, list[int]] = {}
        for position, source in enumerate(self.rules):
            entities = set()
            for side in source.record.between:
                entities.add(side)
                entities.update(self.members.get(side, ()))
            for entity in entities:
                found.setdefault(entity, []).append(position)
        return found

    def covered_medicines(self, side_id: str) -> set[str]:
        """The site's medicines a rule's side reaches (by name or through a class)."""
        found = set(self.members.get(side_id, ()))
        if side_id in self.medicines:
            found.add(side_id)
        return found

    def candidate_pairs(self) -> list[tuple[str, str]]:
        """The pairs of the site's medicines that some rule may cover (the others cannot
        interact in this guide), in the order of `itertools.combinations` over sorted
        slugs."""
        found: set[tuple[str, str]] = set()
        for source in self.rules:
            a, b = source.record.between
            for x in self.covered_medicines(a):
                for y in self.covered_medicines(b):
                    if x != y:
                        found.add((x, y) if x < y else (y, x))
        return sorted(found)

    def resolve(self, x: str, y: str) -> Resolution:
        """The rules that apply to `x` with `y` (two different sides), by specificity."""
        resolution = Resolution()
        by_entity = self.rules_by_entity
        positions = sorted(set(by_entity.get(x, ())) & set(by_entity.get(y, ())))
        for source in (self.rules[position] for position in positions):
            a, b = source.record.between
            levels = []
            for first, second in ((a, b), (b, a)):
                cx, cy = self.cover(first, x), self.cover(second, y)
                if cx is not None and cy is not None:
                    levels.append(cx + cy)
            if levels:
                resolution.matches.append((min(levels), source))
        resolution.matches.sort(key=lambda m: (m[0], m[1].path.name))
        return resolution

    @cached_property
    def pairs(self) -> list[Pair]:
        """Every pair of the site's medicines that a rule covers, sorted by name."""
        found = []
        for x, y in self.candidate_pairs():
            rule = self.resolve(x, y).rule
            if rule is not None:
                found.append(Pair(self.medicines[x], self.medicines[y], rule))
        return found

    def pair_rules(self) -> list[tuple[str, str, int]]:
        """`pairs` as slugs and positions in `rules`: what a caller may keep and give back
        to an index of the same medicines, classes and rules (`reuse_pairs`)."""
        positions = {id(source): position for position, source in enumerate(self.rules)}
        return [(pair.first.slug, pair.second.slug, positions[id(pair.source)])
                for pair in self.pairs]

    def reuse_pairs(self, resolved: list[tuple[str, str, int]]) -> None:
        """Take `pairs` from `pair_rules` of an index of the same medicines, classes and
        rules, rather than resolving every pair again (a tenth of a second at a thousand
        medicines, at each of the preview's saves)."""
        self.__dict__["pairs"] = [  # what the cached property would have stored
            Pair(self.medicines[x], self.medicines[y], self.rules[position])
            for x, y, position in resolved]

    @cached_property
    def pairs_by_slugs(self) -> dict[tuple[str, str], Pair]:
        return {(p.first.slug, p.second.slug): p for p in self.pairs}

    @cached_property
    def pairs_by_medicine(self) -> dict[str, list[Pair]]:
        found: dict[str, list[Pair]] = {}
        for pair in self.pairs:
            found.setdefault(pair.first.slug, []).append(pair)
            found.setdefault(pair.second.slug, []).append(pair)
        return found

    def pair(self, x: str, y: str) -> Pair | None:
        a, b = sorted((x, y))
        return self.pairs_by_slugs.get((a, b))

    def other_sides(self, slug: str) -> list[str]:
        """Sides that are not medicines of the site and meet `slug` in some rule."""
        found = set()
        for source in (self.rules[p] for p in self.rules_by_entity.get(slug, ())):
            a, b = source.record.between
            for mine, other in ((a, b), (b, a)):
                if self.cover(mine, slug) is not None and other not in self.medicines:
                    found.add(other)
        return sorted(found)

    def for_medicine(self, slug: str) -> list[Entry]:
        """Every interaction involving `slug`: most serious first, then by name."""
        entries = []
        for pair in self.pairs_by_medicine.get(slug, ()):
            if slug in (pair.first.slug, pair.second.slug):
                other = pair.second.slug if pair.first.slug == slug else pair.first.slug
                entries.append(Entry(slug, self.side(other), pair.source))
        for other in self.other_sides(slug):
            rule = self.resolve(slug, other).rule
            side = self.side(other)
            covered = tuple((m, pair_uri(slug, m)) for m in side.members
                            if m != slug and self.pair(slug, m) is not None)
            entries.append(Entry(slug, side, rule, covered))
        entries.sort(key=lambda e: (-e.rank, e.other.name.casefold()))
        return entries


def medicine_name(source: MedicineSource) -> str:
    name = source.record.generic_name
    return name[:1].upper() + name[1:]


def medicine_label(source: MedicineSource) -> str:
    """The name with its best-known brand, as patients may know it: "Levetiracetam (Keppra)"."""
    brands = source.record.brand_names
    return medicine_name(source) + (f" ({brands[0].name})" if brands else "")


