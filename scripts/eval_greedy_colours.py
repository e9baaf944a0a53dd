"""docs/eval_greedy_colours.md: where the greedy baseline's identity edge comes from — the identity evaluation of
``search`` against ``greedy`` with the measured colours (``SearchConfig(greedy_colours="measured")``: skin, hair,
brow and facial-hair colours as measured, only the parts chosen by rendered identity).

    python scripts/eval_greedy_colours.py [--faces ../shared/faces] [--out docs/eval_greedy_colours.md]

The published greedy method (docs/eval.md) also picks the skin tone and hair colour that its embedder likes best,
whatever the photo shows; this run takes that freedom away and keeps everything else. ~25 minutes on 2 cores (the
greedy method renders and embeds ~250 avatars per photo).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from eval_docs import _commit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "eval_greedy_colours.md")
    args = ap.parse_args()

    from assembler.avatar import make
    from assembler.classification import get_classifier
    from assembler.evaluation import evaluate
    from assembler.search import SearchConfig

    classifier = get_classifier("measured", skin_head="held_out")  # as docs/eval.md: the head without the person

    def make_fn(photo, *, method: str, seed: int):
        return make(photo, method=method, seed=seed, classifier=classifier,
                    search=SearchConfig(seed=seed, greedy_colours="measured"))

    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.perf_counter()
    report = evaluate(args.faces, methods=("search", "greedy"), make_fn=make_fn, progress=True)
    took = time.perf_counter() - t0
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    lines = [
        "# The greedy baseline with the measured colours",
        "",
        f"Written by `scripts/eval_greedy_colours.py` on {started:%Y-%m-%d} at commit {_commit()} ({machine}) over "
        f"`{os.path.relpath(args.faces, ROOT)}`, {took:.0f} s. Protocol as in [eval.md](eval.md) (same judge, photos "
        "and skin-band head), except that **`greedy` below keeps the measured skin, hair, brow and facial-hair "
        "colours** (`SearchConfig(greedy_colours=\"measured\")`) and chooses only the parts by rendered dlib "
        "similarity, still without constraints. The published greedy method of eval.md also chooses the skin tone "
        "and hair colour by that similarity.",
        "",
        report.to_markdown().rstrip(),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
