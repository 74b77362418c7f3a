"""How long an editor waits in the preview: `medguide serve` on the bundled content and on
synthetic formularies, timed as an editor meets it.

    python -m bench.serve                    # 6 (the bundled content), 200 and 1,000 medicines
    python -m bench.serve --medicines 6 200  # chosen sizes
    make bench-serve

For each size it starts `medguide serve` on a fresh copy and measures:
- first page: seconds from starting the server until it answers the home page (no caches,
  no preview site: every page converted, every PDF rendered);
- edit to live: seconds from saving a visible sentence in one medicine's record until the
  served page shows it, for several saves (median and worst);
- restart: seconds until the home page answers when the server is started again on the
  same project (its caches and preview site as the last run left them).

Times are wall-clock on whatever else the machine is doing; compare sizes measured in one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.corpus import edit_medicine_text, make_corpus
from bench.run import ROOT, write_config

BUNDLED = 6
SAVES = 5
# How long to wait for a page before calling the server stuck.
PATIENCE_SECONDS = 1800
# Time given to the preview's second pass (the changed PDFs) after the last save.
SETTLE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_text(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:  # not up yet, or busy rebuilding
        return None


def wait_until(url: str, shows: str, started: float) -> float:
    """Seconds since `started` until the page at `url` contains `shows` (polled every 20 ms)."""
    while time.monotonic() - started < PATIENCE_SECONDS:
        text = page_text(url)
        if text is not None and shows in text:
            return time.monotonic() - started
        time.sleep(0.02)
    raise SystemExit(f"{url} did not show {shows!r} within {PATIENCE_SECONDS} s")


def measure(size: int, work: Path) -> dict:
    content = work / "content"
    if size == BUNDLED:
        shutil.copytree(ROOT / "content", content)
        slug = "baclofen"
    else:
        slug = make_corpus(ROOT / "content", content, size)[0]
    config = write_config(work, content, work / "site")
    server, address, started = start_server(config)
    try:
        first_page = wait_until(address + "/", "</html>", started)
        page = f"{address}/medicines/{slug}/"
        wait_until(page, "</html>", started)
        waits = []
        for revision in range(1, SAVES + 1):
            saved = time.monotonic()
            edit_medicine_text(content, slug, revision)
            waits.append(wait_until(page, f"({revision})", saved))
        # Let the last save's second pass (its PDFs) finish before the restart.
        time.sleep(SETTLE_SECONDS)
    finally:
        stop_server(server)
    server, address, started = start_server(config)
    try:
        restart = wait_until(address + "/", "</html>", started)
    finally:
        stop_server(server)
    return {"medicines": size, "first_page": first_page, "restart": restart,
            "median": statistics.median(waits), "worst": max(waits)}


def start_server(config: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator.cli.main", "--config", str(config), "serve",
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return server, f"http://127.0.0.1:{port}", started


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--medicines", type=int, nargs="+", default=[BUNDLED, 200, 1000])
    args = parser.parse_args(argv)
    print(f"{'medicines':>9}  {'first page':>10}  {'edit to live (median)':>21}  {'worst':>7}"
          f"  {'restart':>8}")
    for size in args.medicines:
        with tempfile.TemporaryDirectory(prefix="medguide-bench-serve-") as folder:
            row = measure(size, Path(folder))
        print(f"{row['medicines']:>9}  {row['first_page']:>9.2f}s  {row['median']:>20.2f}s  "
              f"{row['worst']:>6.2f}s  {row['restart']:>7.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
