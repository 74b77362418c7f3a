"""Run a command and measure it: wall time and peak memory of all its processes together."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # user + system time of the command and every process it waited for
    peak_mb: float  # largest sum of memory over the command's processes (see `tree_memory_kb`)
    returncode: int
    output: str


def children_of(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                text = Path(f"/proc/{parent}/task/{task}/children").read_text()
            except OSError:
                continue
            for child in text.split():
                found.append(int(child))
                todo.append(int(child))
    return found


def process_memory_kb(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker's copy of its parent) count once
    across the processes sharing them, so the sum over a tree is what the tree really uses."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_kb(pid: int) -> int:
    return sum(process_memory_kb(p) for p in [pid, *children_of(pid)])


def run(command: list[str], *, cwd: Path | None = None, env: dict | None = None,
        interval: float = 0.05) -> Measured:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory_kb(process.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read()
    # wait4 gives the largest resident size any one of its processes reached: a floor for
    # short peaks the sampler may miss.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    peak_mb = max(peak, usage.ru_maxrss) / 1024
    return Measured(seconds, usage.ru_utime + usage.ru_stime, peak_mb, process.returncode,
                    output)
