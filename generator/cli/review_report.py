"""`medguide review-report`: every medicine's review status and due date, most urgent first."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import asdict, dataclass

from generator.content.loader import Catalog

DUE_SOON_DAYS = 30
COLUMNS = ("medicine", "status", "last_reviewed", "next_review_due", "days_left", "urgency",
           "last_changed")
HEADINGS = ("Medicine", "Status", "Last reviewed", "Next due", "Days left", "Urgency",
            "Last changed")


@dataclass(frozen=True)
class ReportRow:
    medicine: str
    slug: str
    status: str
    last_reviewed: str
    next_review_due: str
    days_left: int
    urgency: str
    last_changed: str


def review_rows(catalog: Catalog, today: dt.date) -> list[ReportRow]:
    """One row per medicine: overdue first, then by days left; drafts (never published, so
    never overdue) last."""
    rows = []
    for source in catalog.medicines:
        review = source.record.review
        days_left = (review.next_review_due - today).days
        if review.is_draft:
            urgency = "draft"
        elif review.overdue_on(today):
            urgency = "overdue"
        elif days_left <= DUE_SOON_DAYS:
            urgency = "due soon"
        else:
            urgency = "ok"
        rows.append(ReportRow(
            source.record.generic_name, source.slug, review.status.value,
            review.last_reviewed.isoformat(), review.next_review_due.isoformat(), days_left,
            urgency, max(change.date for change in source.record.changes).isoformat()))
    return sorted(rows, key=lambda r: (r.urgency == "draft", r.days_left, r.medicine.casefold()))


def as_table(rows: list[ReportRow]) -> str:
    cells = [HEADINGS] + [tuple(str(getattr(row, c)) for c in COLUMNS) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    numeric = {COLUMNS.index("days_left")}
    lines = []
    for line in cells:
        lines.append("  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    overdue = sum(r.urgency == "overdue" for r in rows)
    soon = sum(r.urgency == "due soon" for r in rows)
    lines.append("")
    lines.append(f"{len(rows)} medicine(s): {overdue} overdue, {soon} due within "
                 f"{DUE_SOON_DAYS} days")
    return "\n".join(lines) + "\n"


def as_csv(rows: list[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(getattr(row, c) for c in COLUMNS)
    return out.getvalue()


def as_json(rows: list[ReportRow]) -> str:
    return json.dumps([{c: asdict(row)[c] for c in ("slug",) + COLUMNS} for row in rows],
                      indent=2, ensure_ascii=False) + "\n"
