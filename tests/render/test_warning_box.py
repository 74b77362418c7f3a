"""The warning box at the top of a medicine's pages: the record says whether it is an FDA boxed
warning or our own advice about stopping, and the page, its JSON-LD and the handouts name it
accordingly (generator/render/warning_box.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import TEMPLATES, edit
from pydantic import ValidationError

from generator.build.handouts import HandoutSettings, plan_handouts
from generator.build.pipeline import build_site
from generator.checks.records import check_catalog
from generator.content.loader import load_catalog
from generator.model.records import Stopping
from generator.render.structured_data import drug

STOPPING = dict(withdrawal_risk=True, boxed_warning="Do not stop it.", risk=["Risky."],
                taper=["Slowly."])
ONLY_THE_PUMP = ("warning_kind: stopping_advice",
                 "warning_kind: fda_boxed_warning\n  fda_boxed_warning_forms: [pump]")


def pages(content: Path) -> dict[str, str]:
    result = build_site(content, TEMPLATES)
    assert result.ok, result.problems.errors
    return {page.src_uri: page.markdown for page in result.pages}


def handout_html(content: Path) -> dict[str, str]:
    catalog, problems = load_catalog(content)
    assert not problems.errors, problems.errors
    return {job.file_name: job.html for job in plan_handouts(
        catalog, catalog.medicines, TEMPLATES, HandoutSettings(Path("unused")))}


def structured_warning(content: Path) -> str:
    catalog, _ = load_catalog(content)
    return drug(catalog.medicines[0].record, "https://example.org/")["warning"]


def test_a_warning_must_say_whether_it_is_an_fda_boxed_warning():
    with pytest.raises(ValidationError, match="warning_kind is required"):
        Stopping(**STOPPING)
    with pytest.raises(ValidationError, match="only for warning_kind: fda_boxed_warning"):
        Stopping(**STOPPING, warning_kind="stopping_advice", fda_boxed_warning_forms=["pump"])
    Stopping(**STOPPING, warning_kind="stopping_advice")


def test_our_stopping_advice_is_never_called_an_fda_boxed_warning(content):
    for uri, text in pages(content).items():
        if uri.startswith("medicines/testofen/"):
            assert "Important: do not stop testofen suddenly" in text, uri
            # The full box (overview, "Stopping safely") says so; the strip elsewhere never
            # mentions the FDA.
            assert text.count("FDA boxed warning") == text.count(
                "There is no FDA boxed warning for testofen."), uri
    assert structured_warning(content).startswith(
        "Important: do not stop testofen suddenly. There is no FDA boxed warning for testofen.")
    for name, html in handout_html(content).items():
        if name != "testofen-wallet-card.pdf":
            assert "<h2>Important: do not stop testofen suddenly</h2>" in html, name


def test_an_fda_boxed_warning_is_named_for_the_forms_whose_label_carries_it(content,
                                                                           record_path):
    edit(record_path, *ONLY_THE_PUMP)
    overview = pages(content)["medicines/testofen/index.md"]
    assert "FDA boxed warning for the testofen pump</h2>" in overview
    assert "For testofen tablets, this is our advice" in overview
    assert structured_warning(content).startswith("FDA boxed warning for the testofen pump. "
                                                  "For testofen tablets, this is our advice")
    html = handout_html(content)
    assert "<h2>FDA boxed warning</h2>" in html["testofen-pump.pdf"]
    assert "<h2>Important: do not stop testofen suddenly</h2>" in html["testofen-oral.pdf"]
    assert "There is no FDA boxed warning for testofen tablets." in html["testofen-oral.pdf"]


def test_an_fda_boxed_warning_for_every_form_is_shown_even_without_a_withdrawal_risk(
        content, record_path):
    edit(record_path, "withdrawal_risk: true", "withdrawal_risk: false")
    edit(record_path, "warning_kind: stopping_advice", "warning_kind: fda_boxed_warning")
    overview = pages(content)["medicines/testofen/index.md"]
    assert ">FDA boxed warning</h2>" in overview
    assert "the strongest kind of warning the FDA puts on a medicine" in overview


def test_fda_boxed_warning_forms_must_name_forms_of_the_record(content, record_path):
    edit(record_path, ONLY_THE_PUMP[0], ONLY_THE_PUMP[1].replace("[pump]", "[pumpp]"))
    catalog, _ = load_catalog(content)
    messages = [p.message for p in check_catalog(catalog, dt.date(2026, 6, 1)).items]
    assert "no form with id 'pumpp'" in messages
