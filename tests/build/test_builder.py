"""The fast build: an incremental rebuild gives exactly the files of a cold build, converts
and writes only what changed, and removes what is gone. Correctness only: timing lives in
the benchmark (`make bench`)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, HANDOUT_CACHE, ROOT, edit, write_mkdocs_config

from bench import corpus  # the benchmark's record cloner
from generator.build import builder, handouts, pipeline, workers
from generator.build.builder import BuildFailed, build

pytestmark = pytest.mark.pdf  # builds sites, handouts included


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def clone_medicines(content: Path, count: int, first: int = 1) -> list[str]:
    """Add `count` copies of the fixture medicine under new names."""
    template = corpus.read_templates(FIXTURES / "content")[0]
    return [corpus.write_clone(template, number, content / "medicines")
            for number in range(first, first + count)]


@pytest.fixture
def project(tmp_path: Path, content: Path) -> Path:
    clone_medicines(content, 3)
    write_mkdocs_config(tmp_path, content)
    return tmp_path


def cold_build(project: Path, content: Path, name: str = "cold") -> Path:
    """A build of the same content with no previous site and no caches."""
    other = project / name
    other.mkdir()
    config = write_mkdocs_config(other, content)
    build(config, other / "site", jobs=1)
    return other / "site"


def test_a_first_build_is_full_and_equals_plain_mkdocs_build_in_every_byte(project, content):
    report = build(project / "mkdocs.yml", project / "site")
    assert report.mode == "full" and report.pages_built == report.pages
    assert report.pages == len(list((project / "site").rglob("index.html"))) > 4 * 8
    by_mkdocs = project / "by-mkdocs"
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(by_mkdocs))
    config.plugins.on_startup(command="build", dirty=False)
    mkdocs_build(config)
    assert tree(project / "site") == tree(by_mkdocs)


def test_pages_built_by_worker_processes_equal_pages_built_in_one(project, content,
                                                                 monkeypatch):
    monkeypatch.setattr(builder, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(builder, "CHUNK_PAGES", 5)
    build(project / "mkdocs.yml", project / "site", jobs=2)
    assert tree(project / "site") == tree(cold_build(project, content))


def test_a_rebuild_with_nothing_changed_converts_and_writes_nothing(project):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    manifests = {p: p.read_bytes() for p in (project / ".cache").glob("site-*.pickle")}
    assert len(manifests) == 1
    before = stats(site)
    report = build(project / "mkdocs.yml", site)
    assert report.mode == "incremental"
    assert (report.pages_built, report.files_written, report.files_removed) == (0, 0, 0)
    assert stats(site) == before  # same files, same inodes, same modification times
    assert {p: p.read_bytes() for p in (project / ".cache").glob("site-*.pickle")} == manifests


def test_editing_one_medicine_rebuilds_only_its_pages_and_equals_a_cold_build(
        project, content):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before = stats(site)
    record = content / "medicines" / "testofen" / "medicine.yaml"
    edit(record, "Testofen is a made-up medicine", "Testofen is an invented medicine")
    report = build(project / "mkdocs.yml", site)
    assert report.mode == "incremental"
    # At most its own pages, plus the home page and the A–Z, which show its summary.
    assert 0 < report.pages_built <= 10
    changed = {name for name, state in stats(site).items()
               if before.get(name) != state and (site / name).is_file()}
    search_index = {name for name in changed if name.startswith("pagefind/")}
    assert search_index  # the search index follows the pages
    its_handouts = {name for name in changed if name.startswith("handouts/testofen")}
    assert {"index.html", "medicines/index.html", "medicines/testofen/index.html"} <= (
        changed - search_index - its_handouts) <= {"index.html", "medicines/index.html"} | {
        f"medicines/testofen/{page}index.html" for page in (
            "", "how-to-take/", "side-effects/", "missed-or-extra-doses/", "stopping-safely/",
            "pump-care/", "interactions/", "other-safety-information/")}
    assert tree(site) == tree(cold_build(project, content))


def without_search_index(files: dict[str, bytes]) -> dict[str, bytes]:
    # The preview indexes on its first build only.
    return {name: data for name, data in files.items() if not name.startswith("pagefind/")}


def cold_preview(project: Path, content: Path) -> dict[str, bytes]:
    other = project / "cold-preview"
    other.mkdir()
    config = write_mkdocs_config(other, content)
    build(config, other / "site", jobs=1, preview=True)
    return without_search_index(tree(other / "site"))


def test_the_preview_applies_a_save_in_memory_and_writes_what_a_build_would(project, content):
    site, session = project / "site", builder.PreviewSession()
    build(project / "mkdocs.yml", site, preview=True, session=session)
    record = content / "medicines" / "testofen" / "medicine.yaml"
    edit(record, "Testofen is a made-up medicine", "Testofen is an invented medicine")
    report = session.update(defer_handouts=True)  # a save's first pass: pages only
    assert report is not None and report.mode == "live"
    assert 0 < report.pages_built <= 10  # its pages, the home page and the A–Z
    assert report.deferred_handouts and session.unsaved
    follow_up = session.update()  # the PDFs and the site's record
    assert follow_up.pages_built == 0 and not session.unsaved
    assert "medicines/testofen/index.html" in report.changed
    assert without_search_index(tree(site)) == cold_preview(project, content)
    nothing = session.update()
    assert (nothing.pages_built, nothing.files_written) == (0, 0)
    # The site's record kept in step: a build after it (a restart) has nothing to do.
    after = build(project / "mkdocs.yml", site, preview=True)
    assert (after.mode, after.pages_built, after.files_written) == ("incremental", 0, 0)


def test_a_preview_session_honours_jobs_in_its_saves_and_its_put_off_pdfs(project, content,
                                                                         monkeypatch):
    seen = []
    real_run_calls = pipeline.run_calls

    def run_calls(calls, label=""):
        seen.append(("save", workers.worker_count()))
        return real_run_calls(calls, label)

    def run_jobs(jobs, background=False):
        assert background, "put-off PDFs render in the background"
        seen.append(("pdfs", workers.worker_count()))
        for job in jobs:
            yield b"%PDF-1.4 stand-in", 1, []

    # A handout cache of its own: the stand-in PDFs below must not reach other tests.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        str(HANDOUT_CACHE), str(project / "handouts")), encoding="utf-8")
    site, session = project / "site", builder.PreviewSession(jobs=1)
    build(config, site, preview=True, session=session, jobs=1)
    monkeypatch.setattr(pipeline, "run_calls", run_calls)
    monkeypatch.setattr(handouts, "run_jobs", run_jobs)
    edit(content / "medicines" / "testofen" / "medicine.yaml",
         "Testofen is a made-up medicine", "Testofen is an invented medicine")
    assert session.update(defer_handouts=True).deferred_handouts
    session.put_off_handouts()()  # as the preview's background thread runs it
    assert {kind for kind, _ in seen} == {"save", "pdfs"}
    assert {count for _, count in seen} == {1}, seen


def test_the_pdfs_rendered_in_the_background_are_the_ones_the_next_pass_uses(
        tmp_path, real_content):
    """On the real content, whose handouts list interactions between the guides: the
    put-off PDFs are made from the same published guides as the pass, so the pass after
    them renders nothing in the editor's way."""
    config = write_mkdocs_config(tmp_path, real_content)
    # A handout cache of its own: the shared one may hold the right PDF from an earlier run.
    config.write_text(config.read_text(encoding="utf-8").replace(
        str(HANDOUT_CACHE), str(tmp_path / "handouts")), encoding="utf-8")
    site, session = tmp_path / "site", builder.PreviewSession()
    build(config, site, preview=True, session=session)
    edit(real_content / "medicines" / "baclofen" / "medicine.yaml",
         "questions_to_ask:\n  - ", "questions_to_ask:\n  - Is this new? ")
    assert session.update(defer_handouts=True).deferred_handouts
    session.put_off_handouts()()  # as the preview's background thread runs it
    session.update()
    made = session.state.config.plugins.get("medguide").site_build.handouts
    assert made.rendered == [] and made.deferred == []
    assert "baclofen-oral.pdf" in made.cached


@pytest.mark.parametrize("saved", [True, False])
def test_a_preview_stopped_between_a_saves_two_passes_records_its_site_on_the_way_out(
        project, content, saved):
    """Stopped after a save's first pass (its PDFs not yet made), the preview writes the
    site's record (`PreviewSession.save`, which `medguide serve` calls when it stops): the
    next start builds only what changed. Unrecorded, the site would look changed by hand and
    be built again in full."""
    site, session = project / "site", builder.PreviewSession()
    build(project / "mkdocs.yml", site, preview=True, session=session)
    edit(content / "medicines" / "testofen" / "medicine.yaml",
         "Testofen is a made-up medicine", "Testofen is an invented medicine")
    assert session.update(defer_handouts=True).deferred_handouts and session.unsaved
    if saved:
        session.save()
        assert not session.unsaved
    restart = build(project / "mkdocs.yml", site, preview=True)
    assert restart.mode == ("incremental" if saved else "full")
    assert without_search_index(tree(site)) == cold_preview(project, content)


@pytest.mark.parametrize("change", ["title", "new medicine", "settings"])
def test_a_save_that_changes_the_pages_their_titles_or_the_settings_is_left_to_a_build(
        project, content, change):
    site, session = project / "site", builder.PreviewSession()
    build(project / "mkdocs.yml", site, preview=True, session=session)
    if change == "title":
        edit(content / "medicines" / "testofen" / "medicine.yaml", "generic_name: testofen",
             "generic_name: testofenum")
    elif change == "new medicine":
        clone_medicines(content, 1, first=9)
    else:
        config = project / "mkdocs.yml"
        config.write_text(config.read_text() + "\ncopyright: Changed\n")
    assert session.update() is None
    assert session.update() is None  # until a build gives it a new start
    build(project / "mkdocs.yml", site, preview=True, session=session)
    assert without_search_index(tree(site)) == cold_preview(project, content)


def test_editing_a_page_template_rebuilds_the_pages_it_shapes(project, content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace(f"templates_dir: {ROOT / 'templates'}",
                                                 f"templates_dir: {templates}"))
    build(config, project / "site")
    edit(templates / "pages" / "medicine" / "side-effects.md.j2",
         "This is not every possible side effect.", "Edited. This is not every side effect.")
    report = build(config, project / "site")
    assert report.mode == "incremental" and report.pages_built == 4  # one per medicine
    cold = project / "cold"
    cold.mkdir()
    cold_config = cold / "mkdocs.yml"
    cold_config.write_text(config.read_text().replace(str(project / "site"),
                                                      str(cold / "site")))
    build(cold_config, cold / "site")
    assert tree(project / "site") == tree(cold / "site")


def test_adding_a_medicine_gives_the_files_of_a_cold_build(project, content):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    [slug] = clone_medicines(content, 1, first=4)
    report = build(project / "mkdocs.yml", site)
    assert report.mode == "incremental"
    assert report.pages_built < report.pages
    assert (site / "medicines" / slug / "index.html").is_file()
    assert tree(site) == tree(cold_build(project, content))


def test_deleting_a_medicine_removes_its_pages_and_handouts(project, content):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    slug = sorted(p.name for p in (content / "medicines").iterdir())[0]
    assert (site / "medicines" / slug / "side-effects" / "index.html").is_file()
    shutil.rmtree(content / "medicines" / slug)
    before = {name for name in stats(site) if (site / name).is_file()}
    report = build(project / "mkdocs.yml", site)
    after = {name for name in stats(site) if (site / name).is_file()}
    its_files = {name for name in before if name.startswith(
        (f"medicines/{slug}/", f"handouts/{slug}-"))}
    assert any(name.startswith("handouts/") for name in its_files)
    assert {name for name in before - after if not name.startswith("pagefind/")} == its_files
    assert report.files_removed >= 8
    assert not (site / "medicines" / slug).exists()
    assert tree(site) == tree(cold_build(project, content))


def test_a_site_changed_by_hand_is_rebuilt_in_full(project, content):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    page = site / "medicines" / "testofen" / "index.html"
    page.write_text("changed by hand")
    report = build(project / "mkdocs.yml", site)
    assert report.mode == "full"
    assert tree(site) == tree(cold_build(project, content))


def test_a_failed_rebuild_leaves_the_site_untouched(project, content):
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before, files = stats(site), tree(site)
    record = content / "medicines" / "testofen" / "medicine.yaml"
    edit(record, "pronunciation: TEST-oh-fen\n", "")
    with pytest.raises(BuildFailed) as failure:
        build(project / "mkdocs.yml", site)
    assert any("pronunciation" in str(p) for p in failure.value.problems.errors)
    assert stats(site) == before and tree(site) == files
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_an_unchanged_page_whose_link_target_disappears_fails_the_build(project, content):
    site = project / "site"
    tips = content / "medicines" / "testofen" / "tips.md"
    tips.write_text(tips.read_text() + "\nSee [the about page](../../about.md).\n")
    build(project / "mkdocs.yml", site)
    before = tree(site)
    (content / "pages" / "about.md").unlink()
    with pytest.raises(BuildFailed):
        build(project / "mkdocs.yml", site)
    assert tree(site) == before


def test_an_unchanged_page_linking_to_a_removed_anchor_fails_the_build(project, content):
    site = project / "site"
    about = content / "pages" / "about.md"
    about.write_text(about.read_text() + "\n## Contact us\n\nWrite to us.\n")
    tips = content / "medicines" / "testofen" / "tips.md"
    tips.write_text(tips.read_text() + "\nSee [how to reach us](../../about.md#contact-us).\n")
    build(project / "mkdocs.yml", site)
    edit(about, "## Contact us", "## Write to us")
    with pytest.raises(BuildFailed):
        build(project / "mkdocs.yml", site)


def test_the_build_remembers_nothing_without_a_cache_folder(project, content):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "      cache_dir: ''\n")
    build(config, project / "site")
    assert build(config, project / "site").mode == "full"
    assert not (project / ".cache").exists()


# ---------------------------------------------------------------- whatever happens to the process

# The steps that change files during the build's write: each link, rename, copy and
# removal, the swap, and the manifest.
WRITE_STEPS = (("os", "link"), ("os", "replace"), ("os", "rename"), ("os", "unlink"),
               ("shutil", "copy2"), ("generator.build.builder", "_swap_in"),
               ("generator.build.builder", "remove_tree"), ("generator.build.builder", "_write_manifest"))


def write_steps(monkeypatch, on_step) -> None:
    """Call `on_step(name)` before every write step."""
    import importlib
    for module_name, name in WRITE_STEPS:
        module = importlib.import_module(module_name)
        real = getattr(module, name)

        def step(*args, real=real, name=name, **kwargs):
            on_step(name)
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, step)


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
import pytest
from test_builder import write_steps
from generator.build.builder import build
log, step = open({log!r}, "w"), {step}
count = 0
def on_step(name):
    global count
    if count or name != "unlink":  # unlinks before the write are the caches'
        count += 1
        log.write(name + "\\n"); log.flush()
        if count == step:
            os.kill(os.getpid(), signal.SIGKILL)
write_steps(pytest.MonkeyPatch(), on_step)
build(Path({config!r}), Path({site!r}), jobs=1)
"""


def build_killed_at(project: Path, step: int) -> list[str]:
    """Run a build in another process that kills itself (SIGKILL: no clean-up at all) just
    before write step `step`; returns the names of the steps it reached."""
    import subprocess
    log = project / "steps.log"
    script = KILLED_BUILD.format(log=str(log), step=step,
                                 config=str(project / "mkdocs.yml"),
                                 site=str(project / "site"))
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                              [str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)])})
    assert done.returncode in (0, -9), done.stderr  # finished, or killed as planned
    return log.read_text().split()


def test_a_build_killed_at_any_step_of_the_write_leaves_the_old_site_or_the_new(
        project, content):
    site, record = project / "site", content / "medicines" / "testofen" / "medicine.yaml"
    versions = {"TEST-oh-fen": tree(cold_build(project, content, "a"))}
    build(project / "mkdocs.yml", site)
    edit(record, "pronunciation: TEST-oh-fen\n", "pronunciation: TEST-oh-fenn\n")
    versions["TEST-oh-fenn"] = tree(cold_build(project, content, "b"))
    steps = build_killed_at(project, 10**6)  # not killed: which steps a rebuild takes
    assert tree(site) == versions["TEST-oh-fenn"]
    # Every kind of step, at its first and last time, and every step around the swap.
    swap = steps.index("_swap_in") + 1
    chosen = sorted({1, len(steps), swap - 1, swap, swap + 1}
                    | {steps.index(name) + 1 for name in set(steps)}
                    | {len(steps) - steps[::-1].index(name) for name in set(steps)})
    assert len(steps) > 10
    seen = set()
    spelling = "TEST-oh-fenn"
    for step in chosen:
        old, spelling = spelling, ("TEST-oh-fen" if spelling == "TEST-oh-fenn"
                                   else "TEST-oh-fenn")
        edit(record, f"pronunciation: {old}\n", f"pronunciation: {spelling}\n")
        build_killed_at(project, step)
        after = tree(site)
        assert after in (versions[old], versions[spelling]), \
            f"killed before write step {step} ({steps[step - 1]}): a mixed site"
        seen.add(after == versions[spelling])
        build(project / "mkdocs.yml", site)  # picks up after the kill
        assert tree(site) == versions[spelling]
        assert not [p for p in project.iterdir() if p.name.startswith(".site-")]
    assert seen == {True, False}  # some kills came before the swap, some after


def test_a_write_that_fails_midway_leaves_the_site_untouched(project, content, monkeypatch):
    # As when one file of the site is immutable (chattr +i), or the disk fills up.
    site = project / "site"
    build(project / "mkdocs.yml", site)
    before, files = stats(site), tree(site)
    edit(content / "medicines" / "testofen" / "medicine.yaml", "pronunciation: TEST-oh-fen",
         "pronunciation: TEST-oh-fenn")
    calls = 0

    def fail_from_the_fifth(name):
        nonlocal calls
        calls += name in ("link", "copy2")
        if calls >= 5 and name in ("link", "copy2"):
            raise OSError(28, "No space left on device", str(site))
    write_steps(monkeypatch, fail_from_the_fifth)
    with pytest.raises(OSError):
        build(project / "mkdocs.yml", site)
    assert stats(site) == before and tree(site) == files
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_a_site_left_aside_by_a_killed_swap_is_put_back(project):
    # Without renameat2, the swap is two renames; a kill between them leaves the old site
    # aside under a name the next build knows.
    site = project / "site"
    build(project / "mkdocs.yml", site)
    files = tree(site)
    site.rename(project / ".site-old-12345")
    (project / ".site-new-abc").mkdir()
    builder.recover_site(site)
    assert tree(site) == files
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]


def test_stale_temporary_cache_files_are_removed_by_the_next_build(project):
    build(project / "mkdocs.yml", project / "site")
    stale = project / ".cache" / "records" / ".tmp-killed"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"half a pickle")
    os.utime(stale, (1, 1))
    fresh = project / ".cache" / ".tmp-being-written"
    fresh.write_bytes(b"another build is writing this")
    build(project / "mkdocs.yml", project / "site")
    assert not stale.exists() and fresh.exists()


def test_a_second_build_into_the_same_site_at_once_is_refused(project):
    with builder.build_lock(project / "site"):
        with pytest.raises(BuildFailed, match="another build is writing"):
            build(project / "mkdocs.yml", project / "site")


def test_mkdocs_warnings_from_worker_processes_are_reported_at_their_source(
        project, content, monkeypatch):
    monkeypatch.setattr(builder, "PARALLEL_MIN_PAGES", 1)
    tips = content / "medicines" / "testofen" / "tips.md"
    tips.write_text(tips.read_text() + "\nSee [About](/about/).\n")
    with pytest.raises(BuildFailed) as failure:
        build(project / "mkdocs.yml", project / "site", jobs=2)
    [problem] = failure.value.problems.errors
    line = tips.read_text().splitlines().index("See [About](/about/).") + 1
    assert (problem.path, problem.line) == (str(tips).replace(f"{os.getcwd()}/", ""), line) \
        or problem.path.endswith(f"testofen/tips.md") and problem.line == line
    assert "absolute link '/about/'" in problem.message
    assert not (project / "site").exists()
