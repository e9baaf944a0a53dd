"""Helpers shared by the benchmark scripts: machine description and writing a markdown fragment."""
from __future__ import annotations

import datetime as _dt
import os
import platform
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {n} cores usable, Python {platform.python_version()}"


def ms(values) -> str:
    v = np.asarray(values) * 1000
    return f"{np.median(v):.1f} ms (p10 {np.percentile(v, 10):.1f}, p90 {np.percentile(v, 90):.1f})"


def write_fragment(name: str, title: str, body: str, command: str | None = None) -> Path:
    path = ROOT / "docs" / "benchmarks" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    today = _dt.date.today().isoformat()
    command = command or f"python benchmarks/bench_{name}.py"
    path.write_text(f"## {title}\n\n{today} · {machine()} · `{command}`\n\n{body.strip()}\n")
    print(path.read_text())
    return path
