"""The `medguide` command on the real content: whatever goes wrong (the content, the disk,
the person pressing Ctrl-C, a defect in medguide) ends in a clear message and the right
exit code, never in a traceback, and never with `site/` half changed."""

from __future__ import annotations

import errno
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import mutate
import pytest

from generator.build import builder
from generator.cli import main as cli
from generator.content import loader

pytestmark = pytest.mark.pdf  # check runs the whole build, handouts included

PROSE = "content/medicines/baclofen/living-with-spasticity.md"


def site_digest(project: Path) -> str:
    return mutate.site_state(project / "site")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the project with its site built once."""
    project = mutate.make_project(tmp_path_factory.mktemp("cli"))
    assert medguide(project, "build")[0] == 0
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A project whose content a test may break (restored afterwards)."""
    shutil.copytree(built / "content", tmp_path / "content-before")
    yield built
    shutil.rmtree(built / "content")
    shutil.copytree(tmp_path / "content-before", built / "content", symlinks=True)


def medguide(project: Path, *argv: str, limit_file_size: int | None = None
             ) -> tuple[int, str]:
    """Run the real `medguide` command; (exit code, everything it printed)."""
    def limits():
        if limit_file_size is not None:  # a write past it fails as on a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    done = subprocess.run([sys.executable, "-m", "generator.cli.main", *argv], cwd=project,
                          capture_output=True, text=True, preexec_fn=limits)
    return done.returncode, done.stdout + done.stderr


def in_process(project: Path, monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.chdir(project)
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("slip", ["absolute link", "zero-width javascript: link",
                                  "image path", "reference definition"])
def test_check_finds_first_what_would_stop_the_build_at_its_file_and_line(project, slip):
    prose = project / PROSE
    prose.write_text(prose.read_text() + "\n" + mutate.MARKDOWN_SLIPS[slip] + "\n")
    line = len(prose.read_text().splitlines()) - mutate.MARKDOWN_SLIPS[slip].count("\n")
    code, output = medguide(project, "check")
    assert code == 1 and "Traceback" not in output
    assert f"{PROSE}:{line}:" in output or f"{PROSE}:{line + 2}:" in output, output
    before = site_digest(project)
    code, output = medguide(project, "build")
    assert code == 1 and f"{PROSE}:" in output and site_digest(project) == before


def test_ctrl_c_says_the_site_is_unchanged_and_exits_130(project, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(builder, "build", interrupted)
    before = site_digest(project)
    code, output = in_process(project, monkeypatch, capsys, "build")
    assert (code, output.strip()) == (130, "stopped; site/ unchanged")
    assert site_digest(project) == before


def test_an_internal_error_is_one_line_and_exit_2(project, monkeypatch, capsys):
    def defect(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(loader, "check_content_tree", defect)
    code, output = in_process(project, monkeypatch, capsys, "check")
    assert code == 2 and "Traceback" not in output
    assert output.startswith("internal error in medguide while checking the content")
    assert "medguide --debug check" in output and "Reporting a bug" in output


def test_a_full_disk_is_a_clear_message_and_leaves_the_site(project):
    prose = project / PROSE
    prose.write_text(prose.read_text() + "\nOne more sentence to make pages change.\n")
    before = site_digest(project)
    code, output = medguide(project, "build", limit_file_size=4096)
    assert code == 1 and "Traceback" not in output, output
    assert "build failed: cannot write the site: File too large" in output
    assert site_digest(project) == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_a_folder_that_refuses_writes_is_a_clear_message(project, monkeypatch, capsys):
    # As a read-only project folder does (root ignores permissions, so it is simulated).
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(project))
    monkeypatch.setattr(builder.tempfile, "mkdtemp", refused)
    before = site_digest(project)
    code, output = in_process(project, monkeypatch, capsys, "build")
    assert code == 1
    assert f"build failed: cannot write the site: Permission denied ({project})" in output
    assert site_digest(project) == before


def test_a_dangling_symbolic_link_in_content_is_named(project):
    (project / "content/medicines/baclofen/notes.md").symlink_to("/nowhere/notes.md")
    code, output = medguide(project, "check")
    assert code == 1 and "Traceback" not in output
    assert ("content/medicines/baclofen/notes.md:1:1: (file): is a symbolic link "
            "(to /nowhere/notes.md)") in output


def test_a_symbolic_link_out_of_content_is_never_followed(project):
    (project / "content/pages/passwd.md").symlink_to("/etc/passwd")
    code, output = medguide(project, "build")
    assert code == 1 and "content/pages/passwd.md:1:1: (file): is a symbolic link" in output
    assert b"root:x:0:0" not in b"".join(p.read_bytes() for p in (project / "site").rglob("*")
                                    if p.is_file())


def test_files_medguide_does_not_read_are_reported(project):
    folder = project / "content/medicines/gabapentin"
    (folder / "notes.txt").write_text("to do\n")
    code, output = medguide(project, "check")
    assert code == 0
    assert ("content/medicines/gabapentin/notes.txt:1:1: (file): medguide does not read this "
            "file") in output and "[warning]" in output
    (folder / "extra.yaml").write_text("warnings: [unclosed\n")
    code, output = medguide(project, "check")
    assert code == 1 and "content/medicines/gabapentin/extra.yaml:2:1: (yaml): invalid YAML" \
        in output


@pytest.mark.parametrize("template, slip, expected", [
    ("templates/theme/main.html", "{{ nope.x }}", "'nope' is undefined"),
    ("templates/handouts/handout.html.j2", "{% endif %}", "unknown tag 'endif'"),
    ("templates/pages/medicine/side-effects.md.j2", "{% if %}", "Expected an expression"),
])
def test_a_broken_template_is_named_with_its_line(project, template, slip, expected):
    path = project / template
    original = path.read_text()
    path.write_text(original + slip + "\n")
    try:
        line = len(original.splitlines()) + 1
        for command in ("check", "build"):
            code, output = medguide(project, command)
            assert code == 1 and "Traceback" not in output and "internal error" not in output
            assert f"{template}:{line}:" in output and expected in output, output
    finally:
        path.write_text(original)
