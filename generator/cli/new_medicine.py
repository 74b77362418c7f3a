"""`medguide new`: start a new medicine's folder from `templates/scaffold/`.

The only part of medguide that writes into `content/`, and only when asked. The new record
is a draft with every section stubbed and marked TODO; `medguide check` lists the markers
(warnings while a draft, errors once submitted), and the record is schema-valid from the
start so the preview shows it at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import shutil
from pathlib import Path

import jinja2

from generator.checks.records import TODO, slugify
from generator.content.loader import RECORD_FILE, load_catalog, load_medicine
from generator.content.problems import Problems
from generator.model.schema import SCHEMA_COMMENT

SCAFFOLD_TEMPLATE = "scaffold/medicine.yaml.j2"
REVIEW_INTERVAL_MONTHS = 6


class ScaffoldError(Exception):
    """Why a new medicine could not be created (nothing was written)."""


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_medicine(content_dir: Path, templates_dir: Path, name: str, *,
                 author: str | None = None, today: dt.date | None = None) -> Path:
    """Write `content/medicines/<slug>/medicine.yaml` for `name`; returns its path."""
    name = " ".join(name.split())
    slug = slugify(name)
    if not slug:
        raise ScaffoldError(f"{name!r} has no letters or digits to make a folder name from")
    folder = content_dir / "medicines" / slug
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists")
    catalog, _ = load_catalog(content_dir)
    for source in catalog.medicines:
        if source.record.generic_name.casefold() == name.casefold():
            raise ScaffoldError(f"{source.path} already has the generic name {name!r}")
    reviewers = catalog.reviewers
    if not reviewers:
        raise ScaffoldError(f"{content_dir / 'reviewers.yaml'} must list at least one "
                            "reviewer before a guide can be started (run medguide check)")
    author = author or next(iter(reviewers))
    if author not in reviewers:
        raise ScaffoldError(f"unknown reviewer {author!r}; known: {', '.join(reviewers)}")

    today = today or dt.date.today()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir)),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["yaml_text"] = lambda text: json.dumps(text, ensure_ascii=False)
    try:
        text = env.get_template(SCAFFOLD_TEMPLATE).render(
            name=name, slug=slug, author=author, today=today.isoformat(),
            next_review=add_months(today, REVIEW_INTERVAL_MONTHS).isoformat(),
            schema_comment=SCHEMA_COMMENT)
    except jinja2.TemplateError as exc:
        raise ScaffoldError(f"{templates_dir / SCAFFOLD_TEMPLATE}: {exc}") from None
    folder.mkdir(parents=True)
    path = folder / RECORD_FILE
    path.write_text(text, encoding="utf-8")
    # The scaffold must load cleanly, or the editor starts from errors that are not theirs.
    problems = Problems()
    if load_medicine(folder, problems) is None or problems.errors:
        shutil.rmtree(folder)
        raise ScaffoldError("the scaffold template makes an invalid record:\n" +
                            "\n".join(str(p) for p in problems.errors))
    return path


def count_todo(path: Path) -> int:
    return len(TODO.findall(path.read_text(encoding="utf-8")))
