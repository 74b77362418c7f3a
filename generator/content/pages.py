"""The pages of the site, as plain objects: where each lives, its title, and its place in nav."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from generator.content.loader import Catalog, MedicineSource
from generator.model.records import Medicine


@dataclass(frozen=True)
class MedicinePageKind:
    id: str
    nav_title: str
    heading: str  # "{name}" is replaced by the medicine's name
    # The page's meta description ("{name}" as above); the overview uses the record's summary.
    description: str = ""
    # Shows a medicine's warning box in full; every other page of the medicine shows a strip
    # that names the warning and links to it, so the answer stays on a phone's first screen.
    full_warning: bool = False
    # Says its own emergencies in the one emergency box of the page; every other page ends
    # with the medicine's general "Call 911" box.
    own_emergency_box: bool = False

    def applies_to(self, medicine: Medicine) -> bool:
        return self.id != "pump-care" or medicine.has_pump

    @property
    def file_name(self) -> str:
        return "index.md" if self.id == "overview" else f"{self.id}.md"

    def src_uri(self, slug: str) -> str:
        return f"medicines/{slug}/{self.file_name}"


# The pages every medicine has, in reading order.
MEDICINE_PAGE_KINDS = (
    MedicinePageKind("overview", "Overview", "{name}: what it is and what it is for",
                     full_warning=True),
    MedicinePageKind("how-to-take", "How to take it", "How to take {name}",
                     "How to take {name}: forms, strengths, usual doses and tips."),
    MedicinePageKind("side-effects", "Side effects", "Side effects of {name}",
                     "Side effects of {name}: common ones, when to call your prescriber and "
                     "when to get emergency help.", own_emergency_box=True),
    MedicinePageKind("missed-or-extra-doses", "Missed or extra doses",
                     "{name}: missed doses and taking too much",
                     "What to do if you forget a dose of {name} or take too much.",
                     own_emergency_box=True),
    MedicinePageKind("stopping-safely", "Stopping safely", "Stopping {name} safely",
                     "Why stopping {name} needs care, signs to watch for, and how to stop "
                     "safely with your prescriber.", full_warning=True,
                     own_emergency_box=True),
    MedicinePageKind("pump-care", "Pump care", "Living with a {name} pump",
                     "Living with a {name} pump: refills, alarms, infection signs, travel "
                     "and scans.", own_emergency_box=True),
    MedicinePageKind("interactions", "Interactions", "{name} with other medicines, alcohol and food",
                     "How {name} mixes with other medicines, alcohol and food, and what to do."),
    MedicinePageKind("other-safety-information", "Other safety information",
                     "{name}: other safety information",
                     "Who should not take {name}; pregnancy, breastfeeding, driving, storage "
                     "and disposal."),
)

MEDICINES_INDEX_URI = "medicines/index.md"
GLOSSARY_URI = "glossary.md"
# A site with more medicines than this splits its A–Z into a page per letter, and its home page
# links to the A–Z instead of listing every medicine: no page grows with the size of the site.
ONE_PAGE_LIST_MAX = 100
SEARCH_URI = "search.md"
CHECKER_URI = "interactions/index.md"
CHECKER_DATA_URI = "interactions/checker.json"
CHECKER_NAV_TITLE = "Interaction checker"


def term_id(term: str) -> str:
    """The anchor of a term on the Glossary page: `off-label`, `gaba`."""
    return re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


def pair_uri(first: str, second: str) -> str:
    """Source path of the page about two medicines of the site (names sorted)."""
    a, b = sorted((first, second))
    return f"interactions/{a}-{b}.md"


def page_url(src_uri: str) -> str:
    """Where MkDocs publishes a page, from the site's root, with directory URLs:
    `medicines/baclofen/how-to-take.md` → `medicines/baclofen/how-to-take/`,
    `medicines/baclofen/index.md` → `medicines/baclofen/`, `index.md` → `` (the home page)."""
    path = src_uri[:-len(".md")]
    if path == "index":
        return ""
    if path.endswith("/index"):
        return path[:-len("index")]
    return path + "/"


def relative_url(src_uri: str, from_file: str) -> str:
    """A link to a page from another file of the site (such as the checker's JSON)."""
    return posixpath.relpath(page_url(src_uri) or ".", posixpath.dirname(from_file) or ".") + "/"


def medicine_page_uri(slug: str, kind_id: str) -> str:
    kind = next(k for k in MEDICINE_PAGE_KINDS if k.id == kind_id)
    return kind.src_uri(slug)


@dataclass(frozen=True)
class Page:
    """One generated page: MkDocs source path, titles, and the Markdown to build."""

    src_uri: str
    title: str
    nav_title: str
    description: str
    markdown: str
    medicine: str | None = None
    in_nav: bool = True  # False for pages reached otherwise (Search; a letter of the A–Z)
    # (link as written, page it leads to) for each link to another page's .md file. Found
    # when the page is made (in the worker that renders it, and kept in the page cache), so
    # checking the links of a thousand medicines' pages needs no second pass over their text.
    links: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "links", page_links(self.src_uri, self.markdown))


# A Markdown link or link reference definition to a .md file (not an image, not a footnote).
PAGE_LINK = re.compile(r"(?<!!)\[[^\]^][^\]]*\]\(\s*<?([^)\s>]+\.md)(#[^)\s>]*)?>?(?:\s[^)]*)?\)"
                       r"|^[ \t]{0,3}\[[^\]^][^\]]*\]:[ \t]*<?(\S+\.md)(#\S*)?", re.MULTILINE)


def page_links(src_uri: str, markdown: str) -> tuple[tuple[str, str], ...]:
    """(target as written, source path it resolves to) of each link from the page at
    `src_uri` to another page of the site."""
    found = []
    folder = posixpath.dirname(src_uri)
    for match in PAGE_LINK.finditer(markdown):
        target = match.group(1) or match.group(3)
        if "://" in target or target.startswith(("/", "mailto:", "tel:")):
            continue
        found.append((target, posixpath.normpath(posixpath.join(folder, target))))
    return tuple(found)


@dataclass(frozen=True)
class Letter:
    """One first letter of the A–Z and the page listing its names."""

    label: str  # "B", or "#" for names that start with a digit or sign
    entries: tuple  # A–Z entries (generic and brand names), see `render.a_to_z`

    @property
    def src_uri(self) -> str:
        slug = self.label.lower() if self.label.isalpha() else "other"
        return f"a-z/{slug}.md"


def letter_groups(entries: list[dict]) -> list[Letter]:
    """A–Z entries (in order) grouped by their letter."""
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        groups.setdefault(entry["letter"], []).append(entry)
    return [Letter(label, tuple(group)) for label, group in groups.items()]


def page_kinds_for(medicine: Medicine) -> list[MedicinePageKind]:
    return [kind for kind in MEDICINE_PAGE_KINDS if kind.applies_to(medicine)]


def display_name(medicine: Medicine) -> str:
    name = medicine.generic_name
    return name[:1].upper() + name[1:]


def build_nav(catalog: Catalog, medicines: list[MedicineSource], checker: bool = False, *,
              mark_drafts: bool = False) -> list:
    """MkDocs nav: Home, Medicines A–Z, the glossary, the interaction checker (when the site
    has one), one section per medicine, then the other site pages. The pages about pairs of
    medicines are not in it (see `interaction_pages`). The preview marks drafts, which a
    published site never contains."""
    nav: list = [{"Home": "index.md"}, {"Medicines A–Z": MEDICINES_INDEX_URI}]
    if catalog.glossary is not None:
        nav.append({"Glossary": GLOSSARY_URI})
    if checker:
        nav.append({CHECKER_NAV_TITLE: CHECKER_URI})
    for source in sorted(medicines, key=lambda s: s.record.generic_name.casefold()):
        label = display_name(source.record)
        if mark_drafts and source.record.review.is_draft:
            label += " (draft)"
        nav.append({label: [
            {kind.nav_title: kind.src_uri(source.slug)} for kind in page_kinds_for(source.record)
        ]})
    for page in catalog.pages:
        if page.name != "index":
            nav.append({page.front_matter.nav_title or page.front_matter.title: f"{page.name}.md"})
    return nav
