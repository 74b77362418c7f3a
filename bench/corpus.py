"""A synthetic formulary for the benchmark: the real records cloned under new names.

Each clone is a copy of one real medicine folder (record and prose) with its generic name, its
brand names and its slug replaced everywhere in its text, so every generated page has the size and
shape of a real one. Names are made of syllables picked from the clone's number, so they are
unique, pronounceable and the same on every run.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu",
             "ra", "se", "ti", "vo", "xa", "ze", "lo", "ni", "ru", "ve")


def syllable_code(number: int, length: int = 3) -> str:
    """A fixed-length word for `number` (20**3 = 8,000 distinct words at length 3). The first
    syllable changes fastest, so names spread over the alphabet as real ones do."""
    word = ""
    for _ in range(length):
        number, digit = divmod(number, len(SYLLABLES))
        word += SYLLABLES[digit]
    return word


@dataclass(frozen=True)
class Template:
    """One real medicine folder, and the names in it that a clone replaces."""

    slug: str
    folder: Path
    generic_name: str
    brand_names: tuple[str, ...]


def read_templates(content_dir: Path) -> list[Template]:
    templates = []
    for folder in sorted((content_dir / "medicines").iterdir()):
        record_file = folder / "medicine.yaml"
        if not record_file.is_file():
            continue
        record = yaml.safe_load(record_file.read_text(encoding="utf-8"))
        brands = tuple(b["name"] for b in record.get("brand_names") or [])
        templates.append(Template(folder.name, folder, record["generic_name"], brands))
    if not templates:
        raise SystemExit(f"no medicine records under {content_dir / 'medicines'}")
    return templates


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter_code(number: int, length: int = 3) -> str:
    """A fixed-length word of letters for `number` (26**3 = 17,576 at length 3). The first
    letter changes fastest, so names spread over the alphabet as real ones do."""
    word = ""
    for _ in range(length):
        number, digit = divmod(number, len(LETTERS))
        word += LETTERS[digit]
    return word


def clone_names(template: Template, number: int) -> dict[str, str]:
    """Old name → new name for one clone (generic name, slug and every brand name). A new
    name is the old one with its first three letters replaced: the same length, so pages
    and handouts keep the size and layout of the real ones."""
    def renamed(name: str, code: str) -> str:
        if name[:1].isupper():
            code = code.capitalize()
        return code + name[len(code):] if len(name) > len(code) else code + name

    code = letter_code(number)
    names = {template.generic_name: renamed(template.generic_name, code)}
    if template.slug != template.generic_name:
        names[template.slug] = renamed(template.slug, code)
    # Brands get the code of the next clone (another real medicine), so a brand never ends
    # up spelled like a generic name ("Gablofen" and "baclofen" share their ending).
    brand_code = letter_code(number + 1)
    for brand in template.brand_names:
        names[brand] = renamed(brand, brand_code)
    return names


def rename_text(text: str, names: dict[str, str]) -> str:
    """Replace each old name (as a whole word, any of its capitalisations) by its new name."""
    variants: dict[str, str] = {}
    for old, new in names.items():
        variants[old] = new
        variants[old[:1].upper() + old[1:]] = new[:1].upper() + new[1:]
        variants[old.upper()] = new.upper()
    # Longest first, so "Lioresal Intrathecal" wins over "Lioresal".
    pattern = re.compile(r"(?<![\w-])(" + "|".join(
        re.escape(v) for v in sorted(variants, key=len, reverse=True)) + r")(?![\w-])")
    return pattern.sub(lambda m: variants[m.group(1)], text)


def write_clone(template: Template, number: int, medicines_dir: Path,
                class_names: dict[str, str] | None = None) -> str:
    """Write clone `number` of `template` under `medicines_dir`, its classes renamed by
    `class_names` (its group's, see `make_corpus`); returns its slug."""
    names = {**(class_names or {}), **clone_names(template, number)}
    slug = clone_slug_of(template, number)
    target = medicines_dir / slug
    target.mkdir(parents=True)
    for source in sorted(template.folder.iterdir()):
        if source.is_file():
            text = source.read_text(encoding="utf-8")
            (target / source.name).write_text(rename_text(text, names), encoding="utf-8")
    return slug


def make_corpus(content_dir: Path, target: Path, count: int) -> list[str]:
    """A copy of `content_dir` at `target` whose medicines are `count` clones of the real ones.

    Clones come in groups: one clone of each real medicine per group, so a group is a copy of
    the real formulary. When the content has an interaction store (`interactions/` and
    `classes.yaml`), each group gets its own copy of the classes the real medicines belong to
    and of the interaction records naming them or the real medicines; so interactions, pair
    pages and class rules grow with the number of medicines as in a real formulary, instead of
    every clone pairing with every other. Everything else is copied as it is. Returns the slugs
    written, in order.
    """
    templates = read_templates(content_dir)
    shutil.copytree(content_dir, target, ignore=shutil.ignore_patterns(
        "medicines", INTERACTIONS, CLASSES))
    medicines_dir = target / "medicines"
    medicines_dir.mkdir()
    classes = member_classes(content_dir)
    slugs = [write_clone(templates[number % len(templates)], number, medicines_dir,
                         group_names(number // len(templates), classes))
             for number in range(count)]
    write_interaction_store(content_dir, target, templates, set(range(count)))
    return slugs


def edit_medicine_text(corpus: Path, slug: str, revision: int) -> None:
    """Change one sentence of a medicine's text that shows on one of its pages and on its
    handouts, not its name, summary or any title (which other pages show too): the first
    question to ask gets a revision number."""
    record = corpus / "medicines" / slug / "medicine.yaml"
    text = record.read_text(encoding="utf-8")
    edited, count = re.subn(r"^(questions_to_ask:\n  - .*?)(?: \(\d+\))?$",
                            lambda m: f"{m.group(1)} ({revision})",
                            text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"{record}: no questions_to_ask list to edit")
    record.write_text(edited, encoding="utf-8")


def add_medicine(content_dir: Path, corpus: Path, number: int) -> str:
    """Add one more clone (the "new medicine" of the benchmark), with its interactions with
    the clones already there; returns its slug."""
    templates = read_templates(content_dir)
    slug = write_clone(templates[number % len(templates)], number, corpus / "medicines",
                       group_names(number // len(templates), member_classes(content_dir)))
    existing = {n for n in range(number + 1)
                if (corpus / "medicines" / clone_slug(templates, n)).is_dir()}
    write_interaction_store(content_dir, corpus, templates, existing)
    return slug


INTERACTIONS = "interactions"
CLASSES = "classes.yaml"


class _PlainDumper(yaml.SafeDumper):
    """Writes repeated values out in full: content may not use YAML aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def member_classes(content_dir: Path) -> list[str]:
    """Ids of the classes the real medicines belong to (`classes:` in their records)."""
    found: list[str] = []
    for folder in sorted((content_dir / "medicines").iterdir()):
        record = folder / "medicine.yaml"
        if record.is_file():
            for class_id in (yaml.safe_load(record.read_text(encoding="utf-8")) or {}
                             ).get("classes") or []:
                if class_id not in found:
                    found.append(class_id)
    return found


def group_names(group: int, classes: list[str]) -> dict[str, str]:
    """Old → new id of each member class, for one group of clones."""
    code = syllable_code(group, 2)
    return {class_id: f"{class_id}-{code}" for class_id in classes}


def clone_slug(templates: list[Template], number: int) -> str:
    return clone_slug_of(templates[number % len(templates)], number)


def clone_slug_of(template: Template, number: int) -> str:
    names = clone_names(template, number)
    return names.get(template.slug, names[template.generic_name]).lower().replace(" ", "-")


def write_interaction_store(content_dir: Path, target: Path, templates: list[Template],
                            existing: set[int]) -> None:
    """classes.yaml and interactions/ for the clones `existing` (see `make_corpus`)."""
    if not (content_dir / INTERACTIONS).is_dir() or not (content_dir / CLASSES).is_file():
        return
    classes = member_classes(content_dir)
    per_group = len(templates)
    groups = sorted({n // per_group for n in existing})
    store = yaml.safe_load((content_dir / CLASSES).read_text(encoding="utf-8"))
    entries = [entry for entry in store["classes"] if entry["id"] not in classes]
    for group in groups:
        renamed = group_names(group, classes)
        code = syllable_code(group, 2)
        entries += [{**entry, "id": renamed[entry["id"]],
                     "name": f"{entry['name']} (group {code})"}
                    for entry in store["classes"] if entry["id"] in classes]
    (target / CLASSES).write_text(yaml.dump({"classes": entries}, Dumper=_PlainDumper,
                                            allow_unicode=True, sort_keys=False),
                                  encoding="utf-8")
    out = target / INTERACTIONS
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    by_slug = {t.slug: index for index, t in enumerate(templates)}
    for path in sorted((content_dir / INTERACTIONS).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        between = (yaml.safe_load(text) or {}).get("between", [])
        medicines = [by_slug[side] for side in between if side in by_slug]
        if not medicines and not any(side in classes for side in between):
            shutil.copy(path, out / path.name)  # between things no clone is part of
            continue
        for group in groups:
            numbers = [group * per_group + index for index in medicines]
            if any(n not in existing for n in numbers):
                continue
            names = group_names(group, classes)
            for n in numbers:
                names.update(clone_names(templates[n % per_group], n))
            file_name = "--".join(sorted(names.get(side, side) for side in between)) + ".yaml"
            (out / file_name).write_text(rename_text(text, names), encoding="utf-8")
