"""This checkout against an older one, side by side on the same machine: render (bench_render.py) and photo → avatar
(bench_make.py), alternating old and new so that both see the same load; medians and their ratio.

    python benchmarks/bench_compare.py OLD_CHECKOUT [--rounds 2] [--runs 20] [--omp-threads N]

OLD_CHECKOUT is a clone at the commit to compare with (``git clone . /tmp/old && git -C /tmp/old checkout REV``); it
runs with this virtual environment and ``PYTHONPATH=OLD_CHECKOUT``. Both sides see the environment ``make bench``
sees (``OMP_NUM_THREADS`` as set, or unset: the segmenter's onnxruntime then takes 2 threads); ``--omp-threads 1``
measures them as one ``memoji batch`` worker runs, one thread each. Writes docs/benchmarks/compare.md
(compare_omp1.md with ``--omp-threads 1``).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, write_fragment  # noqa: E402


def _run(checkout: Path, script: str, args: list[str], out: Path, omp_threads: int | None = None) -> str:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    if omp_threads is not None:
        env["OMP_NUM_THREADS"] = str(omp_threads)
    cmd = [sys.executable, str(checkout / "benchmarks" / script), *args]
    if script == "bench_render.py":
        cmd += ["--out", str(out)]
    res = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True, timeout=1800)
    if res.returncode:
        raise SystemExit(f"{checkout}: {script} failed: {res.stderr.strip().splitlines()[-1:]}")
    return out.read_text() if script == "bench_render.py" else res.stdout


def _rev(checkout: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True,
                          text=True).stdout.strip()


def _render_median(md: str) -> float:
    return float(re.search(r"\| \*\*all\*\* \| \*\*([0-9.]+)\*\*", md).group(1))


def _make_stages(text: str) -> dict[str, float]:
    got = {}
    for stage in ("photo → avatar, total", "analyze", "search", "render"):
        m = re.search(rf"\| (?:\*\*)?{re.escape(stage)}(?:\*\*)? \| (?:\*\*)?([0-9.]+) ms", text)
        if m:
            got[stage] = float(m.group(1))
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--omp-threads", type=int, default=None,
                    help="OMP_NUM_THREADS for both sides (default: as make bench, the environment's)")
    args = ap.parse_args()
    old = args.old.resolve()
    rev, new_rev = _rev(old), _rev(ROOT)
    render = {"old": [], "new": []}
    make = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.rounds):
            for side, checkout in (("old", old), ("new", ROOT)):
                md = _run(checkout, "bench_render.py", ["--runs", str(args.runs)], Path(tmp) / f"r_{side}_{i}.md",
                          args.omp_threads)
                render[side].append(_render_median(md))
        for i in range(args.rounds):
            for side, checkout in (("old", old), ("new", ROOT)):
                # bench_make writes its own fragment into its checkout: keep ours and restore it afterwards
                frag = checkout / "docs" / "benchmarks" / "make.md"
                kept = frag.read_text() if frag.exists() else None
                out = _run(checkout, "bench_make.py", ["--runs", str(args.runs), "--batch-rows", "8"],
                           Path(tmp) / "unused", args.omp_threads)
                text = frag.read_text() if frag.exists() else out
                if kept is not None:
                    frag.write_text(kept)
                make[side].append(_make_stages(text))

    omp = os.environ.get("OMP_NUM_THREADS", "unset") if args.omp_threads is None else args.omp_threads

    def med(vals):
        return statistics.median(vals)

    rows = [f"| render, 4 avatars at 512 px (median of medians) | {med(render['old']):.1f} | "
            f"{med(render['new']):.1f} | {med(render['new']) / med(render['old']):.2f} |"]
    for stage in ("photo → avatar, total", "analyze", "search", "render"):
        o = med([m[stage] for m in make["old"] if stage in m])
        n = med([m[stage] for m in make["new"] if stage in m])
        rows.append(f"| make(): {stage} | {o:.1f} | {n:.1f} | {n / o:.2f} |")
    body = "\n".join([
        f"old = {rev}, new = {new_rev}, as `python benchmarks/bench_compare.py OLD` runs them: {args.rounds} "
        f"alternating rounds of `bench_render.py --runs {args.runs}` and `bench_make.py --runs {args.runs}` each "
        f"(OMP_NUM_THREADS {omp}), on "
        "this machine at the same time, so the ratio holds even where the absolute times differ from the sections "
        "above.",
        "",
        "| ms, median | old | new | new / old |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        "Per round (render medians, ms): old " + ", ".join(f"{v:.1f}" for v in render["old"]) + "; new "
        + ", ".join(f"{v:.1f}" for v in render["new"]) + ".",
    ])
    if args.omp_threads is None:
        write_fragment("compare", "Side by side with an older commit", body)
    else:  # its own fragment: the run in make bench's environment stays beside it
        write_fragment(f"compare_omp{args.omp_threads}", f"Side by side with an older commit, OMP_NUM_THREADS "
                       f"{args.omp_threads}", body, f"python benchmarks/bench_compare.py OLD --omp-threads "
                       f"{args.omp_threads}")


if __name__ == "__main__":
    main()
