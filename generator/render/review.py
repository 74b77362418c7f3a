"""What a page says about a record's review (a medicine, an interaction rule): status, dates,
the people named by id resolved to bylines, and the change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.content.loader import Catalog, MedicineSource
from generator.model.records import Review, Reviewer
from generator.model.review_date import DateKind, GuideDate, guide_date


@dataclass(frozen=True)
class ChangeView:
    date: dt.date
    what: str
    by: Reviewer


@dataclass(frozen=True)
class ReviewView:
    """What a page says about its guide's review: status and dates (as in the record), the
    people named by id resolved to bylines, the change log newest first, and whether the
    review is overdue."""

    record: Review
    written_by: tuple[Reviewer, ...]
    reviewed_by: tuple[Reviewer, ...]
    changes: tuple[ChangeView, ...]
    overdue: bool

    @property
    def status(self):
        return self.record.status

    @property
    def last_reviewed(self) -> dt.date:
        return self.record.last_reviewed

    @property
    def next_review_due(self) -> dt.date:
        return self.record.next_review_due

    @property
    def last_changed(self) -> dt.date:
        return self.changes[0].date if self.changes else self.record.last_reviewed

    @property
    def dated(self) -> GuideDate:
        return guide_date(self.record, [change.date for change in self.changes])

    @property
    def shows_last_changed(self) -> bool:
        """A reviewed guide also gives its newest change; otherwise `dated` is that date."""
        return bool(self.changes) and self.dated.kind is DateKind.reviewed


def review_view(source: MedicineSource, catalog: Catalog, today: dt.date) -> ReviewView:
    review = source.record.review
    return review_view_of(review, source.record.changes, catalog, review.overdue_on(today))


def review_view_of(review: Review, changes, catalog: Catalog, overdue: bool) -> ReviewView:
    """The view of any reviewed record (a medicine, an interaction rule); `overdue` is
    `review.overdue_on(the day of the build)`, or False where the output must not depend on
    the day (the handouts)."""
    reviewers = catalog.reviewers or {}

    def person(reviewer_id: str) -> Reviewer:
        # Unknown ids fail validation; only the preview renders them, as they were written.
        return reviewers.get(reviewer_id) or Reviewer(id=reviewer_id, role=reviewer_id)

    ordered = sorted(changes, key=lambda change: change.date, reverse=True)
    return ReviewView(
        review,
        tuple(person(i) for i in review.written_by),
        tuple(person(i) for i in review.reviewed_by),
        tuple(ChangeView(c.date, c.what, person(c.by)) for c in ordered),
        overdue=overdue,
    )
