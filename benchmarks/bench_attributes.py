"""Seconds per face for measure + classify (the chip is already computed by analyze), on 2 cores.

    python benchmarks/bench_attributes.py [--runs 20]

Prints medians and writes docs/benchmarks/attributes.md.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import cv2

    cv2.setNumThreads(args.threads)
    import skimage.data

    from assembler.analysis import Analyzer
    from assembler.io import load_image
    from assembler.measure import measure_face
    from classifiers import create_classifier

    analyzer = Analyzer(measure=False)
    photos = {"astronaut": skimage.data.astronaut()}
    for name in ("obama", "obama2", "biden", "biden2"):
        photos[name] = load_image(ROOT / "tests" / "data" / f"{name}.jpg")
    clf = create_classifier("measured")
    rows, allt = [], []
    for name, img in photos.items():
        face = analyzer(img, max_faces=1)[0]
        times = []
        for _ in range(args.runs + 2):
            t0 = time.perf_counter()
            face.measurements = measure_face(img, face)
            clf.predict(face)
            times.append(time.perf_counter() - t0)
        times = times[2:]
        med = statistics.median(times)
        allt += times
        rows.append((name, img.shape[1], img.shape[0], med))
        print(f"{name:10s} {img.shape[1]}x{img.shape[0]}  measure+classify median {med * 1000:.1f} ms")
    overall = statistics.median(allt)
    print(f"overall median {overall * 1000:.1f} ms per face ({args.runs} runs x {len(photos)} photos)")
    lines = [
        "## Measured attributes (measure + classify per face)",
        "",
        f"`benchmarks/bench_attributes.py`, {datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs visible, OpenCV threads {args.threads}; the aligned chip comes from analyze and is "
        f"not timed. Median of {args.runs} runs per photo. Load average while running: "
        f"{os.getloadavg()[0]:.1f} (other jobs share the machine; an idle one is faster).",
        "",
        "| photo | size | median ms |",
        "|---|---|---|",
        *[f"| {n} | {w}×{h} | {m * 1000:.1f} |" for n, w, h, m in rows],
        f"| **all** | | **{overall * 1000:.1f}** |",
        "",
    ]
    out = ROOT / "docs" / "benchmarks" / "attributes.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
