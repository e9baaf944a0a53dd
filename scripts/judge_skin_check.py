"""Does the judge reward the right skin tone? A check of the evaluation, not of the product.

    python scripts/judge_skin_check.py [--faces ../shared/faces] [--out docs/judge_skin_check.md]

Runs the evaluation twice with the full method: once as it is, once with every avatar whose Monk tone contradicts the
photo's human note (``light skin`` → Monk 1–5, ``dark(-brown) skin`` → 6–10) re-rendered with the note's tone (Monk 3
or Monk 7, lips to match). Everything else — parts, placement, hair — is the same avatar. If the judge's identity
retrieval measured what a person sees, the corrected avatars would rank their person at least as well.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from assembler.evaluation import evaluate
    from assembler.evaluation.photos import notes_truth as _notes_truth
    from assembler.avatar import make, render
    from parts_library.palettes import lip_for_skin

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=Path, default=ROOT.parent / "shared" / "faces")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "judge_skin_check.md")
    args = ap.parse_args()
    truth = _notes_truth(args.faces)
    changed: list[str] = []

    def corrected(path, *, method, seed):
        avatar = make(path, method=method, seed=seed)
        want = truth.get(str(Path(path).relative_to(args.faces)), {}).get("skin")
        tone = int(avatar.recipe.colors["skin"][-2:])
        if want is None or want[0] <= tone <= want[1]:
            return avatar
        new = 3 if want[1] <= 5 else 7
        changed.append(f"{Path(path).parent.name}/{Path(path).name}: Monk {tone} → {new}")
        fixed = render(avatar.recipe, size=avatar.size, skin=f"monk_{new:02d}", lips_color=lip_for_skin(new))
        fixed.faces = avatar.faces
        return fixed

    rows = []
    for label, make_fn in (("search, as measured", None), ("search, skin tone from the notes", corrected)):
        report = evaluate(args.faces, ["search"], make_fn=make_fn, detect=False, progress=False)
        s = next(r for r in report.summary() if r["method"] == "search")
        rows.append(f"| {label} | {s['top1'] * 100:.0f} % | {s['top3'] * 100:.0f} % | {s['mean_rank']:.2f} | "
                    f"{s['cos_same']:.3f} | {s['cos_other']:.3f} | {(s['cos_same'] - s['cos_other']) * 100:.1f} |")
    text = "\n".join([
        "# Does the judge reward the right skin tone?",
        "",
        f"Written by `scripts/judge_skin_check.py` on {datetime.date.today()} ({platform.machine()}, Python "
        f"{platform.python_version()}) over `{os.path.relpath(args.faces, ROOT)}`. " + (__doc__ or "").split("\n\n")[2].replace("\n", " "),
        "",
        "| avatars | top-1 | top-3 | mean rank | cos same person | cos other people | margin (points) |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Re-rendered ({len(changed)}): " + ("; ".join(changed) if changed else "none") + ".",
        "",
    ])
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
