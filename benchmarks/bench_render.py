"""Render speed: a full avatar at 512 px (parts_library.render), median over many runs.

    python benchmarks/bench_render.py [--runs 40]

Prints the medians and writes docs/benchmarks/render.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

AVATARS = {
    "long straight, Monk 1": {
        "parts": {"face": "face_oval_01", "ears": "ears_medium_01", "eyes": "eyes_almond_02", "brows": "brows_soft_01",
                  "nose": "nose_button_01", "mouth": "mouth_soft_smile_01", "hair": "long_straight_02"},
        "colors": {"skin": "monk_01", "hair": "blonde", "eyes": "blue", "clothes": "coral"}},
    "afro, Monk 9": {
        "parts": {"face": "face_round_01", "ears": "ears_medium_01", "eyes": "eyes_round_01",
                  "brows": "brows_straight_02", "nose": "nose_wide_01", "mouth": "mouth_smile_02", "hair": "afro_01"},
        "colors": {"skin": "monk_09", "hair": "black", "eyes": "dark_brown", "clothes": "teal"}},
    "bald, full beard, glasses, Monk 5": {
        "parts": {"face": "face_square_01", "ears": "ears_large_01", "eyes": "eyes_hooded_01",
                  "brows": "brows_bushy_01", "nose": "nose_roman_01", "mouth": "mouth_neutral_01", "hair": "bald_01",
                  "facial_hair": "full_beard_01", "glasses": "glasses_rect_01"},
        "colors": {"skin": "monk_05", "hair": "gray", "clothes": "gray"}},
    "curly bob with bangs, hat, Monk 7": {
        "parts": {"face": "face_heart_01", "ears": "ears_small_01", "eyes": "eyes_upturned_02",
                  "brows": "brows_arched_02", "nose": "nose_small_01", "mouth": "mouth_grin_01", "hair": "bob_03",
                  "headwear": "hat_headband_01"},
        "colors": {"skin": "monk_07", "hair": "red", "eyes": "hazel", "clothes": "navy"}},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--note", default="", help="A line about the conditions, added to the markdown.")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "render.md")
    args = ap.parse_args()

    import parts_library

    lib = parts_library.load_library()
    for spec in AVATARS.values():  # warm up: parse part files, import cairosvg
        parts_library.render(spec, size=args.size, library=lib)
    rows = []
    all_times, all_cpu = [], []
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for name, spec in AVATARS.items():
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            parts_library.render(spec, size=args.size, library=lib)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        all_times += times
        all_cpu += cpu
        med, p90 = statistics.median(times), sorted(times)[int(0.9 * len(times)) - 1]
        rows.append((name, med, p90, statistics.median(cpu)))
        print(f"{name:40s} median {med:6.1f} ms   p90 {p90:6.1f} ms   cpu {statistics.median(cpu):6.1f} ms")
    overall, overall_cpu = statistics.median(all_times), statistics.median(all_cpu)
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{'all avatars':40s} median {overall:6.1f} ms   cpu {overall_cpu:6.1f} ms  ({len(all_times)} renders at "
          f"{args.size}px, load average {load0:.1f} → {load1:.1f})")

    cpu = platform.processor() or platform.machine()
    lines = [
        "## Render (parts_library.render, full avatar)",
        "",
        f"{dt.date.today().isoformat()} · {cpu}, {os.cpu_count()} CPU cores · Python {platform.python_version()} · "
        f"`python benchmarks/bench_render.py --runs {args.runs}`",
        "",
        f"| avatar ({args.size}px PNG) | median ms (wall) | p90 ms (wall) | median ms (CPU) |",
        "|---|---:|---:|---:|",
        *[f"| {n} | {m:.1f} | {p:.1f} | {c:.1f} |" for n, m, p, c in rows],
        f"| **all** | **{overall:.1f}** | | **{overall_cpu:.1f}** |",
        "",
        "Budget: ≤ 50 ms median on 2 cores. Time covers composing the SVG from cached part fragments, cairosvg "
        "rasterisation and PNG encoding, in one process (single-threaded). Wall time depends on what else the "
        f"machine runs (load average during this run: {load0:.1f} → {load1:.1f}); CPU time is the process's own.",
        *([f"", args.note] if args.note else []),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
