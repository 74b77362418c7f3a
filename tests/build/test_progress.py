"""Progress on long builds and the time of each phase."""

from __future__ import annotations

import io
import re

from generator.build.progress import Phases, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_at_every_tenth_when_not_on_a_terminal():
    out = io.StringIO()
    progress = Progress("pages", 1000, stream=out)
    for _ in range(1000):
        progress.advance()
    progress.close()
    lines = out.getvalue().splitlines()
    assert [re.match(r"pages: (\d+)/1000", line).group(1) for line in lines] == [
        str(n) for n in range(100, 1001, 100)]
    assert "\r" not in out.getvalue()


def test_a_bar_redrawn_in_place_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    out = Terminal()
    progress = Progress("pages", 400, stream=out)
    for _ in range(400):
        progress.advance()
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 400 and text.endswith("\n")
    assert "[" + "#" * 30 + "] 400/400" in text


def test_in_ci_a_terminal_still_gets_plain_lines(monkeypatch):
    monkeypatch.setenv("CI", "true")
    out = Terminal()
    progress = Progress("pages", 400, stream=out)
    progress.advance(400)
    assert out.getvalue().startswith("pages: 400/400 (100%")


def test_short_builds_print_no_progress():
    out = io.StringIO()
    progress = Progress("pages", 20, stream=out)
    progress.advance(20)
    progress.close()
    assert out.getvalue() == ""


def test_phase_times_add_up_per_name_in_first_run_order():
    phases = Phases()
    with phases.phase("load"):
        pass
    with phases.phase("render"):
        pass
    phases.add("load", 1.5)
    assert list(phases.seconds) == ["load", "render"]
    assert phases.seconds["load"] >= 1.5
    assert re.fullmatch(r"load \d+\.\d\d s, render \d+\.\d\d s", phases.summary())
