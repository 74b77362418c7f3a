"""The pages of the site, as plain objects: where each lives, its title, and its place in nav."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Catalog, MedicineSource
from .model import Medicine


@dataclass(frozen=True)
class MedicinePageKind:
    id: str
    nav_title: str
    heading: str  # "{name}" is replaced by the medicine's name

    def applies_to(self, medicine: Medicine) -> bool:
        return self.id != "pump-care" or medicine.has_pump

    @property
    def file_name(self) -> str:
        return "index.md" if self.id == "overview" else f"{self.id}.md"

    def src_uri(self, slug: str) -> str:
        return f"medicines/{slug}/{self.file_name}"


# The pages every medicine has, in reading order.
MEDICINE_PAGE_KINDS = (
    MedicinePageKind("overview", "Overview", "{name}: what it is and what it is for"),
    MedicinePageKind("how-to-take", "How to take it", "How to take {name}"),
    MedicinePageKind("side-effects", "Side effects", "Side effects of {name}"),
    MedicinePageKind("missed-or-extra-doses", "Missed or extra doses",
                     "{name}: missed doses and taking too much"),
    MedicinePageKind("stopping-safely", "Stopping safely", "Stopping {name} safely"),
    MedicinePageKind("pump-care", "Pump care", "Living with a {name} pump"),
    MedicinePageKind("interactions", "Interactions", "{name} with other medicines, alcohol and food"),
    MedicinePageKind("other-safety-information", "Other safety information",
                     "{name}: other safety information"),
)

MEDICINES_INDEX_URI = "medicines/index.md"
# A site with more medicines than this splits its A–Z into a page per letter, and its home page
# links to the A–Z instead of listing every medicine: no page grows with the size of the site.
ONE_PAGE_LIST_MAX = 100


@dataclass(frozen=True)
class Letter:
    """One first letter of the A–Z and the page listing its medicines."""

    label: str  # "B", or "0–9" for names that start with a digit or sign
    medicines: tuple

    @property
    def src_uri(self) -> str:
        slug = self.label.lower() if self.label.isalpha() else "other"
        return f"a-z/{slug}.md"


def letter_groups(medicines: list[MedicineSource]) -> list[Letter]:
    """`medicines` (in A–Z order) grouped by the first letter of their generic name."""
    groups: dict[str, list[MedicineSource]] = {}
    for source in medicines:
        first = source.record.generic_name[:1].upper()
        groups.setdefault(first if first.isalpha() else "0–9", []).append(source)
    return [Letter(label, tuple(group)) for label, group in groups.items()]


@dataclass(frozen=True)
class Page:
    """One generated page: MkDocs source path, titles, and the Markdown to build."""

    src_uri: str
    title: str
    nav_title: str
    description: str
    markdown: str
    medicine: str | None = None
    in_nav: bool = True  # pages reached only by links (e.g. one letter of the A–Z) are not


def page_kinds_for(medicine: Medicine) -> list[MedicinePageKind]:
    return [kind for kind in MEDICINE_PAGE_KINDS if kind.applies_to(medicine)]


def display_name(medicine: Medicine) -> str:
    name = medicine.generic_name
    return name[:1].upper() + name[1:]


def build_nav(catalog: Catalog, medicines: list[MedicineSource]) -> list:
    """MkDocs nav: Home, Medicines A–Z, one section per medicine, then the other site pages."""
    nav: list = [{"Home": "index.md"}, {"Medicines A–Z": MEDICINES_INDEX_URI}]
    for source in sorted(medicines, key=lambda s: s.record.generic_name.casefold()):
        nav.append({display_name(source.record): [
            {kind.nav_title: kind.src_uri(source.slug)} for kind in page_kinds_for(source.record)
        ]})
    for page in catalog.pages:
        if page.name != "index":
            nav.append({page.front_matter.nav_title or page.front_matter.title: f"{page.name}.md"})
    return nav
