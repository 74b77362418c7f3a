"""The record model: what a medicine record may hold."""

import datetime as dt

import pytest
from pydantic import ValidationError

from generator.model.records import Amount, Review, Stopping, in_base_unit, unit_family


def test_amounts_compare_across_units_of_one_family():
    assert Amount(value=500, unit="mcg").base == Amount(value=0.5, unit="mg").base
    assert unit_family("mcg/mL") == unit_family("mg/mL") == "concentration"
    assert in_base_unit(2, "days") == 48


@pytest.mark.parametrize("value", [0, -5])
def test_an_amount_must_be_positive(value):
    with pytest.raises(ValidationError):
        Amount(value=value, unit="mg")


def test_an_amount_needs_a_known_unit():
    with pytest.raises(ValidationError):
        Amount(value=5, unit="milligrams")


def test_an_amount_written_as_text_is_rejected():
    with pytest.raises(ValidationError):
        Amount.model_validate({"value": "5", "unit": "mg"})


def test_withdrawal_risk_requires_a_boxed_warning():
    with pytest.raises(ValidationError, match="boxed_warning is required"):
        Stopping(withdrawal_risk=True, risk=["Risky."], taper=["Slowly."])
    Stopping(withdrawal_risk=False, risk=["Low."], taper=["Slowly."])


def test_next_review_must_come_after_last_review():
    with pytest.raises(ValidationError, match="must be after last_reviewed"):
        Review(status="submitted", written_by=["editorial-team"],
               last_reviewed=dt.date(2026, 5, 1), next_review_due=dt.date(2026, 4, 1))


def review_due(status: str, due: dt.date) -> Review:
    return Review(status=status, written_by=["editorial-team"],
                  last_reviewed=dt.date(2026, 5, 1), next_review_due=due)


def test_a_review_is_overdue_the_day_after_it_was_due():
    review = review_due("submitted", dt.date(2026, 11, 1))
    assert not review.overdue_on(dt.date(2026, 11, 1))
    assert review.overdue_on(dt.date(2026, 11, 2))


def test_a_draft_is_never_overdue():
    review = review_due("draft", dt.date(2026, 11, 1))
    assert review.is_draft
    assert not review.overdue_on(dt.date(2030, 1, 1))


def test_a_review_dated_after_today_is_dated_in_the_future():
    review = review_due("submitted", dt.date(2026, 11, 1))
    assert review.dated_after(dt.date(2026, 4, 30))
    assert not review.dated_after(dt.date(2026, 5, 1))
