"""How long handouts take to build: per handout, cold and from the cache.

Run: .venv/bin/python benchmarks/handouts.py [--copies N]

Builds the bundled content's handouts into a fresh cache, first one at a time in this process
(time per handout), then over a process pool (one worker per core), then again with everything
cached. `--copies N` adds N renamed copies of every medicine, to see how the pool scales.
Timing targets live here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from generator.build.handouts import (
    HandoutSettings,
    asset_digest,
    build_handouts,
    job_key,
    plan_handouts,
    render_pdf,
)
from generator.content.loader import load_catalog

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def content_with_copies(copies: int, work: Path) -> Path:
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    originals = sorted(p for p in (content / "medicines").iterdir() if p.is_dir())
    for n in range(copies):
        for folder in originals:
            copy = folder.with_name(f"{folder.name}-copy{n}")
            shutil.copytree(folder, copy)
            record = copy / "medicine.yaml"
            text = record.read_text(encoding="utf-8")
            record.write_text(text.replace("generic_name: ", f"generic_name: copy{n} ", 1),
                              encoding="utf-8")
    return content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        content = content_with_copies(args.copies, work)
        catalog, problems = load_catalog(content)
        if catalog is None or problems.errors:
            print("\n".join(map(str, problems.errors)), file=sys.stderr)
            return 1
        settings = HandoutSettings(work / "cache-serial")
        jobs = plan_handouts(catalog, catalog.medicines, TEMPLATES, settings)
        print(f"{len(jobs)} PDFs from {len(catalog.medicines)} medicine(s), "
              f"{os.cpu_count()} cores")

        # Warm up the process (imports, font loading) so per-handout times are steady.
        render_pdf(jobs[0])
        # CPU time as well as wall time: on a busy machine the CPU time is the steadier number.
        times, cpu_times = [], []
        for job in jobs:
            start, cpu_start = time.perf_counter(), time.process_time()
            data, pages, _ = render_pdf(job)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            print(f"  {job.file_name:<40} {pages} page(s) {len(data) / 1000:6.1f} KB "
                  f"{times[-1]:.2f} s ({cpu_times[-1]:.2f} s CPU)")
        print(f"one at a time: median {statistics.median(times):.2f} s per PDF "
              f"({statistics.median(cpu_times):.2f} s CPU), total {sum(times):.2f} s")

        cache = work / "cache-pool"
        start = time.perf_counter()
        cold = build_handouts(catalog, catalog.medicines, TEMPLATES, HandoutSettings(cache))
        elapsed = time.perf_counter() - start
        print(f"cold build over a pool: {len(cold.rendered)} rendered in {elapsed:.2f} s "
              f"({elapsed / len(cold.rendered):.2f} s per PDF, pool start-up included)")

        start = time.perf_counter()
        warm = build_handouts(catalog, catalog.medicines, TEMPLATES, HandoutSettings(cache))
        elapsed = time.perf_counter() - start
        print(f"warm build: {len(warm.rendered)} rendered, {len(warm.cached)} from cache "
              f"in {elapsed:.3f} s")

        digest = asset_digest(TEMPLATES)
        start = time.perf_counter()
        for job in plan_handouts(catalog, catalog.medicines, TEMPLATES, settings):
            job_key(job, digest, settings)
        print(f"  of which HTML rendering and hashing: {time.perf_counter() - start:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
