"""Does the measured hair colour survive the light? The hair colour family of every labelled photo under the 8
relightings of :mod:`assembler.evaluation.relighting`.

    python scripts/hair_relight.py [--labels ../shared/faces/labels.csv] [--out docs/hair_relight.md] [--workers 2]

``memoji eval --labels --relight`` relights only the public-domain photos (6 photos of 2 people); this runs every
labelled photo with hair (not labelled bald) through ``assembler.analyze`` as taken and under each relighting, and
writes, per relighting, how often the measured hair colour family is the one measured as taken and the labelled one,
and the commonest changes. The photos stay where they are: the output holds counts and family names only.
"""
from __future__ import annotations

import argparse
import collections
import datetime
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def families(path: str) -> dict[str, str | None]:
    """``{"as taken" | relighting: hair colour family}`` of the largest face of one photo (None: no colour or no
    face)."""
    import numpy as np
    from PIL import Image

    from assembler import analyze
    from assembler.errors import MemojiError
    from assembler.evaluation.colours import hair_family
    from assembler.evaluation.relighting import RELIGHTINGS, relight

    rgb = np.asarray(Image.open(path).convert("RGB"))
    out: dict[str, str | None] = {}
    for name in ("as taken",) + RELIGHTINGS:
        try:
            hair = analyze(rgb if name == "as taken" else relight(rgb, name), max_faces=1)[0].measurements.hair
        except MemojiError:
            out[name] = None
            continue
        out[name] = hair_family(hair.color) if hair.color else None
    return out


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(rows, results, seconds: float, labels: Path) -> str:
    from assembler.evaluation.label_rules import agrees
    from assembler.evaluation.relighting import RELIGHTINGS

    lines = [
        "# Hair colour under the light",
        "",
        f"Written by `scripts/hair_relight.py` on {datetime.date.today()} at commit {_commit()} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, {seconds:.0f} s) over `{os.path.relpath(labels, ROOT)}`: every labelled photo with "
        "hair (not labelled bald), analysed as taken and under each relighting of "
        "`assembler/evaluation/relighting.py`. *= as taken*: the measured hair colour family is the one measured on "
        "the photo as taken; *= label*: it agrees with the label (the rules of `memoji eval --labels`: dark_brown "
        "agrees with brown or black).",
        "",
        "| light | photos | = as taken | = label | commonest changes (as taken → relit) |",
        "|---|---|---|---|---|",
    ]
    for name in ("as taken",) + RELIGHTINGS:
        n = same = right = 0
        changes: collections.Counter = collections.Counter()
        for row in rows:
            got = results.get(row["path"])
            if not got or got.get("as taken") is None or got.get(name) is None:
                continue
            n += 1
            same += got[name] == got["as taken"]
            right += bool(agrees("hair_colour", row["hair_colour"], got[name]))
            if got[name] != got["as taken"]:
                changes[(got["as taken"], got[name])] += 1
        if not n:
            continue
        top = ", ".join(f"{a} → {b} ({k})" for (a, b), k in changes.most_common(4)) or "–"
        lines.append(f"| {name} | {n} | {100 * same / n:.0f} % ({same}/{n}) | {100 * right / n:.0f} % ({right}/{n}) "
                     f"| {top if name != 'as taken' else '–'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=ROOT.parent / "shared" / "faces" / "labels.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "hair_relight.md")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    from assembler.evaluation import read_labels

    table = read_labels(args.labels)
    rows = [{"path": r.path, "hair_colour": r.labels.get("hair_colour")} for r in table.rows
            if r.labels.get("hair_colour") and r.labels.get("hair_length") != "bald"]
    start = time.perf_counter()
    photos = [str(table.root / r["path"]) for r in rows]
    with ProcessPoolExecutor(max(1, args.workers)) as ex:
        results = dict(zip((r["path"] for r in rows), ex.map(families, photos)))
    text = report(rows, results, time.perf_counter() - start, args.labels)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
