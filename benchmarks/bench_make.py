"""Photo → 512 px PNG, warm, median over N runs on the public-domain test photos; batch throughput with 1 and 2
workers. Targets: ≤ 0.5 s per photo warm on 2 cores; batch ≥ 4 photos/s with 2 workers."""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, ms, write_fragment  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--batch-rows", type=int, default=64)
    args = ap.parse_args()

    import numpy as np
    import torch

    import assembler

    torch.set_num_threads(2)
    photos = [ROOT / "tests" / "data" / n for n in ("obama.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg")]
    for p in photos:
        assembler.make(p)  # warm-up: models loaded, index built
    totals, stages = [], {}
    for i in range(args.runs):
        t0 = time.perf_counter()
        av = assembler.make(photos[i % len(photos)])
        totals.append(time.perf_counter() - t0)
        for k, v in av.timings.items():
            if k != "total":
                stages.setdefault(k, []).append(v)

    lines = [f"`assembler.make(photo)` → 512 px PNG + SVG + recipe, warm, {args.runs} runs over the 4 public-domain "
             "test photos (0.6–2.1 MP JPEGs), torch threads 2.", "", "| stage | median (p10, p90) |", "|---|---|",
             f"| **photo → avatar, total** | **{ms(totals)}** |"]
    lines += [f"| {k} | {ms(v)} |" for k, v in stages.items()]

    work = Path(tempfile.mkdtemp())
    with open(work / "in.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "photo"])
        for i in range(args.batch_rows):
            w.writerow([f"row{i}", str(photos[i % len(photos)])])
    lines += ["", f"Batch (`memoji batch`, {args.batch_rows} rows). *End to end* includes starting the worker processes "
              "(each loads torch, dlib and MTCNN); *steady* is workers / median seconds per row, what a long batch "
              "approaches:", "",
              "| workers | photos/s end to end | photos/s steady | seconds | median s/row |", "|---|---|---|---|---|"]
    for workers in (1, 2):
        out = work / f"out{workers}"
        t0 = time.perf_counter()
        s = assembler.run_batch(work / "in.csv", out, workers=workers, progress=False)
        dt = time.perf_counter() - t0
        assert s["ok"] == args.batch_rows, s
        with open(s["results"], newline="") as f:
            per_row = [float(r["seconds"]) for r in csv.DictReader(f)]
        med = float(np.median(per_row))
        lines.append(f"| {workers} | {args.batch_rows / dt:.2f} | {workers / med:.2f} | {dt:.1f} | {med:.3f} |")
    shutil.rmtree(work, ignore_errors=True)
    write_fragment("make", "Photo → avatar (issue 8)", "\n".join(lines))


if __name__ == "__main__":
    main()
