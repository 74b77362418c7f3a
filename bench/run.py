"""`make bench`: how fast medguide builds a formulary of 100 and 1,000 medicines.

For each size N it makes a synthetic corpus (the real records cloned under new names, see
`corpus.py`) in a temporary folder and measures, as the median of several runs, with the peak
memory of all processes of a build together:

- a cold full build (no site, no caches), split into its phases: medguide's own steps (load,
  check, render), pages, search indexing and handouts (a phase not in this version of
  medguide shows as "not available");
- a rebuild with nothing changed, after editing one medicine's text, and after adding one;
- plain `mkdocs build` of the same generated Markdown (same theme and nav, no medguide, no
  search plugin), and the ratio of medguide's page build to it.

After the rebuilds it builds the edited corpus cold into a second folder and checks that the
incrementally built site is byte-identical to it. It prints one table and writes it, with a
description of the machine, to `bench/results.md`.

Time: handouts are the slow part of a cold build (over 2,000 PDFs at N=1,000). Only the first
cold run of each size starts without the handout cache; the others keep it, so their figure is
the page build. See `--help` for the number of runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import mkdocs
import yaml

from bench import corpus
from bench.measure import Measured, run

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CORE_PHASES = ("load", "check", "render", "check pages")
SEARCH_PHASES = ("search",)
HANDOUT_PHASES = ("handouts",)
PAGE_SIZE_LIMIT_KB = 150


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    peak_mb: float
    report: dict

    def phase(self, names) -> float | None:
        found = [self.report["phases"][n] for n in names if n in self.report["phases"]]
        return sum(found) if found else None


@dataclass
class SizeResult:
    size: int
    pages: int = 0
    cold: list[Run] = field(default_factory=list)
    unchanged: list[Run] = field(default_factory=list)
    edited: list[Run] = field(default_factory=list)
    added: list[Run] = field(default_factory=list)
    plain: list[Measured] = field(default_factory=list)
    handouts: int = 0
    largest_page: tuple[str, int] = ("", 0)
    search_chunks: tuple[int, int, int] | None = None  # index chunks, largest, all (bytes)
    identical: bool | None = None
    differences: list[str] = field(default_factory=list)

    def all_peaks(self) -> list[float]:
        runs = self.cold + self.unchanged + self.edited + self.added
        return [r.peak_mb for r in runs]


def write_config(project: Path, content: Path, site: Path, cache: str = ".cache",
                 handout_cache: str = ".cache/handouts") -> Path:
    """An mkdocs.yml for a corpus, inheriting everything else from the project's."""
    config = project / "mkdocs.yml"
    config.write_text(textwrap.dedent(f"""\
        INHERIT: {ROOT / 'mkdocs.yml'}
        docs_dir: {content / 'pages'}
        site_dir: {site}
        theme:
          name: null
          custom_dir: {ROOT / 'templates' / 'theme'}
          static_templates: [404.html]
          locale: en
        plugins:
          - medguide:
              content_dir: {content}
              templates_dir: {ROOT / 'templates'}
              cache_dir: {cache}
              handout_cache_dir: {handout_cache}
        """), encoding="utf-8")
    return config


def medguide_build(config: Path, site: Path, report: Path) -> Run:
    measured = run([PYTHON, "-m", "generator.cli.main", "--config", str(config), "build",
                    "--site-dir", str(site), "--report", str(report)],
                   cwd=ROOT, env={**os.environ, "CI": "1"})
    if measured.returncode != 0:
        raise SystemExit(f"medguide build failed:\n{measured.output[-4000:]}")
    return Run(measured.seconds, measured.cpu_seconds, measured.peak_mb,
               json.loads(report.read_text()))


def clear_caches(project: Path, keep: tuple[str, ...] = ()) -> None:
    cache = project / ".cache"
    if cache.is_dir():
        for entry in cache.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def plain_docs(content: Path, target: Path, project: Path) -> Path:
    """The Markdown medguide generates, as a plain MkDocs project (no medguide plugin)."""
    from generator.build.pipeline import build_site

    result = build_site(content, ROOT / "templates")
    if not result.ok:
        raise SystemExit("corpus has errors:\n" + "\n".join(map(str, result.problems.errors)))
    docs = target / "docs"
    for page in result.pages:
        path = docs / page.src_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page.markdown, encoding="utf-8")
    # Everything else (Markdown extensions, validation, strict mode) from the project's own
    # mkdocs.yml; no plugins at all (not even MkDocs' default search).
    settings = {
        "INHERIT": str(ROOT / "mkdocs.yml"),
        "site_name": result.catalog.site.name,
        "site_description": result.catalog.site.description,
        "docs_dir": str(docs), "site_dir": str(target / "site"), "plugins": [],
        "hooks": [str(ROOT / "bench" / "plain_hooks.py")],
        "nav": result.nav,
        "theme": {"name": None, "custom_dir": str(ROOT / "templates" / "theme"),
                  "static_templates": ["404.html"], "locale": "en"},
    }
    config = project / "plain-mkdocs.yml"
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return config


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def search_chunks(site: Path) -> tuple[int, int, int] | None:
    """Pagefind's index chunks: how many, the largest, and all of them together. A search
    downloads the entry file and only the chunks for the words it looks up."""
    chunks = [p.stat().st_size for p in (site / "pagefind" / "index").glob("*.pf_index")]
    return (len(chunks), max(chunks), sum(chunks)) if chunks else None


def largest_html(site: Path) -> tuple[str, int]:
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    size, name = max(pages)
    return name, size


def bench_size(size: int, runs: int, work: Path, log) -> SizeResult:
    result = SizeResult(size)
    project = work / f"n{size}"
    content = project / "content"
    site = project / "site"
    slugs = corpus.make_corpus(ROOT / "content", content, size)
    config = write_config(project, content, site)
    report = project / "report.json"

    for number in range(runs):
        shutil.rmtree(site, ignore_errors=True)
        clear_caches(project, keep=("handouts",) if number else ())
        result.cold.append(medguide_build(config, site, report))
        log(f"N={size} cold build {number + 1}/{runs}: {result.cold[-1].seconds:.1f} s")
    result.pages = result.cold[-1].report["pages"]
    handouts = site / "handouts"
    result.handouts = len(list(handouts.glob("*.pdf"))) if handouts.is_dir() else 0
    result.largest_page = largest_html(site)
    result.search_chunks = search_chunks(site)

    for number in range(runs):
        result.unchanged.append(medguide_build(config, site, report))
        log(f"N={size} unchanged rebuild {number + 1}/{runs}: "
            f"{result.unchanged[-1].seconds:.2f} s")
    for number in range(runs):
        corpus.edit_medicine_text(content, slugs[len(slugs) // 2], number + 1)
        result.edited.append(medguide_build(config, site, report))
        log(f"N={size} rebuild after an edit {number + 1}/{runs}: "
            f"{result.edited[-1].seconds:.2f} s")
    for number in range(runs):
        corpus.add_medicine(ROOT / "content", content, size + number)
        result.added.append(medguide_build(config, site, report))
        log(f"N={size} rebuild after adding a medicine {number + 1}/{runs}: "
            f"{result.added[-1].seconds:.2f} s")

    # The incrementally built site must be exactly what a cold build of the same content gives.
    cold_project = work / f"n{size}-cold"
    cold_project.mkdir()
    cold_site = cold_project / "site"
    # No site, no record or page caches; the handouts already made are reused (they are
    # content-addressed, and making them again would take minutes without checking more).
    cold_config = write_config(cold_project, content, cold_site,
                               handout_cache=str(project / ".cache" / "handouts"))
    medguide_build(cold_config, cold_site, cold_project / "report.json")
    incremental, cold = tree_bytes(site), tree_bytes(cold_site)
    result.identical = incremental == cold
    result.differences = sorted(name for name in set(incremental) | set(cold)
                                if incremental.get(name) != cold.get(name))[:5]
    shutil.rmtree(cold_project)
    log(f"N={size} incremental site identical to a cold build: {result.identical}")

    plain_config = plain_docs(content, project / "plain", project)
    for number in range(runs):
        shutil.rmtree(project / "plain" / "site", ignore_errors=True)
        measured = run([PYTHON, "-m", "mkdocs", "build", "--quiet", "-f", str(plain_config)],
                       cwd=project, env={**os.environ, "PYTHONPATH": str(ROOT),
                                         "MEDGUIDE_BENCH_SITE_YAML": str(content / "site.yaml")})
        if measured.returncode != 0:
            raise SystemExit(f"plain mkdocs build failed:\n{measured.output[-4000:]}")
        result.plain.append(measured)
        log(f"N={size} plain mkdocs build {number + 1}/{runs}: {measured.seconds:.1f} s")
    shutil.rmtree(project)
    return result


# ---------------------------------------------------------------- the table

def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def secs(value: float | None) -> str:
    return "not available" if value is None else f"{value:.2f} s"


def pages_seconds(run_: Run, handouts: bool = False) -> float:
    """A build's time without search indexing (and without handouts unless `handouts`)."""
    return (run_.seconds - (run_.phase(SEARCH_PHASES) or 0)
            - (0 if handouts else run_.phase(HANDOUT_PHASES) or 0))


def rows(result: SizeResult) -> list[tuple[str, str, str]]:
    """(measure, value, target) rows for one size; targets apply at N=1,000."""
    cold = median(pages_seconds(r) for r in result.cold)
    cold_cpu = median(r.cpu_seconds for r in result.cold[1:] or result.cold)
    core = median(r.phase(CORE_PHASES) for r in result.cold)
    plain = median(m.seconds for m in result.plain)
    plain_cpu = median(m.cpu_seconds for m in result.plain)
    search = median(r.phase(SEARCH_PHASES) for r in result.cold)
    handouts = result.cold[0].phase(HANDOUT_PHASES)
    unchanged = median(r.seconds for r in result.unchanged)
    edited = median(pages_seconds(r, handouts=True) for r in result.edited)
    added = median(pages_seconds(r, handouts=True) for r in result.added)
    edited_search = median(r.phase(SEARCH_PHASES) for r in result.edited)
    added_search = median(r.phase(SEARCH_PHASES) for r in result.added)
    written_unchanged = max(r.report["files_written"] for r in result.unchanged)
    out = [
        ("pages built", f"{result.pages}", "about 8,000"),
        ("cold full build (pages)", f"{secs(cold)} ({cold / result.pages * 1000:.1f} ms/page)",
         "≤ 15 ms/page"),
        ("plain `mkdocs build`, same Markdown", secs(plain), ""),
        ("medguide ÷ plain mkdocs", f"{cold / plain:.2f}×", "≤ 1.1×"),
        ("CPU time: medguide, plain mkdocs", f"{cold_cpu:.1f} s, {plain_cpu:.1f} s "
         f"({cold_cpu / plain_cpu:.2f}×)", "(all cores added up)"),
        ("medguide's own steps (load, check, render, check pages)",
         f"{secs(core)} ({core / cold:.0%} of the build)", "< 10%"),
        ("search indexing", secs(search), ""),
        ("search index chunks", "not available" if not result.search_chunks else
         f"{result.search_chunks[0]} chunks, largest {result.search_chunks[1] / 1024:.0f} KB "
         f"of {result.search_chunks[2] / 1024:.0f} KB", "loads in chunks"),
        ("handouts (cold, all cores)",
         "not available" if handouts is None else
         f"{handouts:.2f} s for {result.handouts} "
         f"({handouts / max(result.handouts, 1):.2f} s each)", "< 0.3 s each"),
        ("rebuild, nothing changed",
         f"{secs(unchanged)} ({unchanged / cold:.0%} of cold; "
         f"{written_unchanged} files written)", "< 10% of cold, writes nothing"),
        ("rebuild after editing one medicine (pages, handouts)",
         f"{secs(edited)} ({median(r.report['pages_built'] for r in result.edited):.0f} pages "
         f"converted)", "< 2 s"),
        ("… then the search index", secs(edited_search), ""),
        ("… byte-identical to a cold build", "yes" if result.identical else
         "NO: " + ", ".join(result.differences), "yes"),
        ("rebuild after adding one medicine (pages, handouts)",
         f"{secs(added)} ({median(r.report['pages_built'] for r in result.added):.0f} pages "
         f"converted)", ""),
        ("… then the search index", secs(added_search), ""),
        ("peak memory (all processes)", f"{max(result.all_peaks()):.0f} MB", "< 1,024 MB"),
        ("largest page", f"{result.largest_page[1] / 1024:.0f} KB ({result.largest_page[0]})",
         f"≤ {PAGE_SIZE_LIMIT_KB} KB"),
    ]
    return out


def table(results: list[SizeResult]) -> str:
    header = "| measure | " + " | ".join(f"N = {r.size:,}" for r in results) + \
        " | target (N = 1,000) |"
    lines = [header, "|" + " --- |" * (len(results) + 2)]
    by_size = [rows(r) for r in results]
    for index, (name, _, target) in enumerate(by_size[0]):
        values = " | ".join(r[index][1] for r in by_size)
        lines.append(f"| {name} | {values} | {target} |")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory_gb = f"{int(memory) / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory_gb = "unknown memory"
    return (f"{model}, {os.cpu_count()} cores, {memory_gb}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, MkDocs "
            f"{mkdocs.__version__}, Markdown {markdown.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000",
                        help="numbers of medicines, comma-separated (default: 100,1000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each measure; the table shows the median (default: 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md",
                        help="where to write the table (default: bench/results.md)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    def log(message: str) -> None:
        print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)

    load_before = os.getloadavg()
    started = dt.datetime.now()
    work = Path(tempfile.mkdtemp(prefix="medguide-bench-"))
    try:
        results = [bench_size(size, args.runs, work, log) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    minutes = (dt.datetime.now() - started).total_seconds() / 60
    text = table(results)
    print()
    print(text)
    args.out.write_text(
        "# Benchmark results\n\n"
        f"`make bench` on {started:%Y-%m-%d %H:%M} UTC, {args.runs} runs per measure "
        f"(median shown), {minutes:.0f} minutes in all.\n\n"
        f"Machine: {machine()}.\n"
        f"Load average before the run: {load_before[0]:.2f} (1 min), "
        f"{load_before[1]:.2f} (5 min); other work on the machine slows every figure.\n\n"
        + text + "\n\n"
        "Cold full build (pages): a whole `medguide build` with no site and no caches, less "
        "search indexing and handouts. Handouts: the first cold run, without the handout "
        "cache. Rebuilds: `medguide build` again into the same site folder. Peak memory: the "
        "largest sum over all the processes of one build (PSS, so memory shared by forked "
        "workers counts once), across every run of that size.\n",
        encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
