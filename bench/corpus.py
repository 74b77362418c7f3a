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


def clone_names(template: Template, number: int) -> dict[str, str]:
    """Old name → new name for one clone (generic name, slug and every brand name)."""
    code = syllable_code(number)
    names = {template.generic_name: code + template.generic_name.replace(" ", "")}
    if template.slug != template.generic_name:
        names[template.slug] = code + template.slug.replace("-", "")
    for brand in template.brand_names:
        names[brand] = brand + " " + code.capitalize()
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


def write_clone(template: Template, number: int, medicines_dir: Path) -> str:
    """Write clone `number` of `template` under `medicines_dir`; returns its slug."""
    names = clone_names(template, number)
    slug = names.get(template.slug, names[template.generic_name]).lower().replace(" ", "-")
    target = medicines_dir / slug
    target.mkdir(parents=True)
    for source in sorted(template.folder.iterdir()):
        if source.is_file():
            text = source.read_text(encoding="utf-8")
            (target / source.name).write_text(rename_text(text, names), encoding="utf-8")
    return slug


def make_corpus(content_dir: Path, target: Path, count: int) -> list[str]:
    """A copy of `content_dir` at `target` whose medicines are `count` clones of the real ones.

    Everything that is not a medicine (site settings, site pages, glossary, reviewers, ...) is
    copied as it is. Returns the slugs written, in order.
    """
    templates = read_templates(content_dir)
    shutil.copytree(content_dir, target, ignore=shutil.ignore_patterns("medicines"))
    medicines_dir = target / "medicines"
    medicines_dir.mkdir()
    return [write_clone(templates[number % len(templates)], number, medicines_dir)
            for number in range(count)]


def add_medicine(content_dir: Path, corpus: Path, number: int) -> str:
    """Add one more clone (the "new medicine" of the benchmark); returns its slug."""
    templates = read_templates(content_dir)
    return write_clone(templates[number % len(templates)], number, corpus / "medicines")


def edit_medicine_text(corpus: Path, slug: str, revision: int) -> None:
    """Change one sentence of a medicine's text (not its name or any title)."""
    record = corpus / "medicines" / slug / "medicine.yaml"
    text = record.read_text(encoding="utf-8")
    edited, count = re.subn(r"^(summary: .*?)(\.?)$",
                            lambda m: f"{m.group(1)} (revision {revision}){m.group(2)}",
                            text, count=1, flags=re.MULTILINE)
    if count != 1:
        raise SystemExit(f"{record}: no summary line to edit")
    record.write_text(edited, encoding="utf-8")
