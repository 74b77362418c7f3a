"""Review rules: the one function that decides whether a record's review holds, for every
kind of reviewed record (medicines, interaction rules, and translations later).

- every reviewer id (writers, reviewers, the change log's authors) is in reviewers.yaml;
- an approved record names who approved it, and only a reviewer with credentials can approve;
- `reviewed_by` only once a record is under review or approved;
- the review is not dated before the newest change in the change log (if the record has one);
- the review is not dated in the future.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence

from generator.content.sourcemap import Loc
from generator.model.records import Change, Review, Reviewer, ReviewStatus

Report = Callable[..., None]  # report(loc, message, hint=None)


def check_review(review: Review, reviewers: dict[str, Reviewer] | None, reviewers_file: str,
                 report: Report, changes: Sequence[Change] = (), where: Loc = ("review",),
                 what: str = "guide", today: dt.date | None = None) -> None:
    """Report each way `review` (at `where` in its record; a record's `changes` at
    ("changes", i)) breaks the review rules. `reviewers` is None when reviewers.yaml could
    not be read: ids are then not checked, rather than all reported as unknown. Without
    `today`, the review date is not compared with the date."""
    a_what = ("an " if what[:1] in "aeiou" else "a ") + what
    if reviewers is not None:
        named = [(where + ("written_by", i), rid) for i, rid in enumerate(review.written_by)]
        named += [(where + ("reviewed_by", i), rid) for i, rid in enumerate(review.reviewed_by)]
        named += [(("changes", i, "by"), change.by) for i, change in enumerate(changes)]
        for loc, reviewer_id in named:
            if reviewer_id not in reviewers:
                close = difflib.get_close_matches(reviewer_id, list(reviewers), n=1, cutoff=0.6)
                report(loc, f"unknown reviewer {reviewer_id!r}",
                       f"did you mean {close[0]}?" if close
                       else f"reviewers are listed in {reviewers_file}")
    if review.status is ReviewStatus.approved:
        if not review.reviewed_by:
            report(where + ("status",), f"an approved {what} must say who approved it",
                   "add `reviewed_by: [reviewer id]` under review")
        for index, reviewer_id in enumerate(review.reviewed_by):
            reviewer = (reviewers or {}).get(reviewer_id)
            if reviewer is not None and not reviewer.credentials:
                report(where + ("reviewed_by", index),
                       f"{reviewer.byline} has no credentials, so cannot approve {a_what}",
                       f"add their credentials in {reviewers_file}, or ask a clinician")
    elif review.reviewed_by and review.status in (ReviewStatus.draft, ReviewStatus.submitted):
        report(where + ("reviewed_by",),
               f"reviewed_by is only for {what}s under review or approved (status is "
               f"{review.status.value})",
               "set status to under_review or approved, or remove reviewed_by")
    if changes:
        newest = max(changes, key=lambda change: change.date)
        if newest.date > review.last_reviewed:
            report(where + ("last_reviewed",),
                   f"last reviewed on {review.last_reviewed.isoformat()}, before the newest "
                   f"change ({newest.date.isoformat()}: {newest.what})",
                   f"review the changed {what}, then update review.last_reviewed")
    if today is not None and review.dated_after(today):
        report(where + ("last_reviewed",),
               f"last reviewed on {review.last_reviewed.isoformat()}, a date in the future",
               "write the date the review was done")


def check_overdue(review: Review, today: dt.date, subject: str, report, *,
                  allow_overdue: bool) -> None:
    """An overdue review stops a published build; with the override it is published and
    reported as a warning. `subject` names the record in the message ("baclofen", "this
    interaction"); `report(loc, message, hint=None, severity="error")`."""
    if not review.overdue_on(today):  # (a draft never is: it is never published)
        return
    due = review.next_review_due.isoformat()
    if allow_overdue:
        report(("review", "next_review_due"),
               f"review of {subject} was due on {due} and is overdue; published anyway "
               "because the overdue override is on", severity="warning")
    else:
        report(("review", "next_review_due"), f"review of {subject} was due on {due} and is "
               "overdue", "review the content, then update review.last_reviewed and "
               "next_review_due")
