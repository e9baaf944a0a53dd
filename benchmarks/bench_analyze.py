"""Analyze-stage timing per stage (decode, detect, landmarks, align, embed, measure) on a 1-megapixel photo, warm,
median over N runs. Target: analyze ≤ 0.25 s per 1 MP photo on 2 cores."""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, ms, write_fragment  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=25)
    args = ap.parse_args()

    import numpy as np
    import torch
    from PIL import Image

    from assembler.analysis import Analyzer

    torch.set_num_threads(2)
    src = Image.open(ROOT / "tests" / "data" / "obama.jpg").convert("RGB")
    scale = (1_000_000 / (src.width * src.height)) ** 0.5
    img = src.resize((round(src.width * scale), round(src.height * scale)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    path = Path("/tmp/bench_analyze_1mp.jpg")
    path.write_bytes(buf.getvalue())

    rows = {}
    cases = [("analyze (no measurements)", False, None), ("analyze + measurements", True, None),
             ("analyze(max_faces=1) + measurements — what make() runs", True, 1)]
    for label, measure, max_faces in cases:
        analyzer = Analyzer(measure=measure)
        for _ in range(3):  # warm-up
            analyzer(path, max_faces=max_faces)
        per_stage: dict[str, list[float]] = {}
        totals = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            analyzer(path, max_faces=max_faces)
            totals.append(time.perf_counter() - t0)
            for k, v in analyzer.timings.items():
                per_stage.setdefault(k, []).append(v)
        rows[label] = (totals, per_stage)

    lines = [f"Photo: tests/data/obama.jpg resized to {img.width}x{img.height} ({img.width * img.height / 1e6:.2f} MP), "
             f"JPEG; {args.runs} warm runs, torch threads 2. All faces: MTCNN at ≤ 1280 px; largest face only "
             f"(`max_faces=1`): a first pass at ≤ 640 px, 1280 px only if it finds no face ≥ 120 px wide.", "", "| stage | median (p10, p90) |", "|---|---|"]
    for label, (totals, per_stage) in rows.items():
        lines.append(f"| **{label}: total** | **{ms(totals)}** |")
        for k, v in per_stage.items():
            if np.median(v) > 0:
                lines.append(f"| {label}: {k} | {ms(v)} |")
    write_fragment("analyze", "Analyze (issue 3)", "\n".join(lines))


if __name__ == "__main__":
    main()
