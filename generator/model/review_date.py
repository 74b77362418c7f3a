"""The one date a page, handout or JSON-LD block gives a guide, and what that date is.

Only a clinician's approval is a review: an approved guide says "Last reviewed" with its
review date. Until then the record's `last_reviewed` is only the date an editor filled in, so
the guide is dated by its change log instead: "Written" while it has one version, "Last
updated" (the newest change) once it has more, or when it keeps no change log (an interaction
rule), by the record's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from generator.model.records import Review, ReviewStatus


class DateKind(str, Enum):
    reviewed = "Last reviewed"
    written = "Written"
    updated = "Last updated"


@dataclass(frozen=True)
class GuideDate:
    kind: DateKind
    date: dt.date

    @property
    def label(self) -> str:
        return self.kind.value


def guide_date(review: Review, change_dates: Sequence[dt.date]) -> GuideDate:
    if review.status is ReviewStatus.approved:
        return GuideDate(DateKind.reviewed, review.last_reviewed)
    if len(change_dates) == 1:
        return GuideDate(DateKind.written, change_dates[0])
    return GuideDate(DateKind.updated, max(change_dates, default=review.last_reviewed))
