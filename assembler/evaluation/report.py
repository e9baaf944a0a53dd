"""The identity evaluation's records and report: per-photo and per-avatar results, the summary per method, the paired
comparison, markdown, JSON and the contact sheet."""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .stats import chance, mean, p_text, paired, wilson

__all__ = ["PhotoEval", "AvatarEval", "EvalReport"]


@dataclass
class PhotoEval:
    person: str
    path: Path
    ok: bool
    error: str | None = None
    embedding: np.ndarray | None = field(default=None, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    thumb: Any = field(default=None, repr=False)  # PIL thumbnail for the contact sheet


@dataclass
class AvatarEval:
    person: str
    photo: Path
    method: str
    ok: bool
    error: str | None = None
    rank: int | None = None  # best rank of another photo of the same person (1 = top)
    n_candidates: int = 0
    n_positives: int = 0
    cos_own: float | None = None
    cos_same: float | None = None
    cos_other: float | None = None
    detected: bool | None = None  # the judge's MTCNN finds a face in the avatar
    agreement: dict[str, bool | None] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    top: list[tuple[int, float]] = field(default_factory=list)  # (gallery index, cosine), best first
    recipe: dict | None = field(default=None, repr=False)
    thumb: Any = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "photo": str(self.photo), "method": self.method, "ok": self.ok,
                "error": self.error, "rank": self.rank, "n_candidates": self.n_candidates,
                "n_positives": self.n_positives, "cos_own": self.cos_own, "cos_same": self.cos_same,
                "cos_other": self.cos_other, "detected": self.detected, "agreement": self.agreement,
                "timings": {k: round(v, 4) for k, v in self.timings.items()}, "recipe": self.recipe}


@dataclass
class EvalReport:
    root: Path
    methods: list[str]
    photos: list[PhotoEval]
    avatars: list[AvatarEval]
    judge: str
    total_s: float = 0.0
    thumb: int = 160  # contact-sheet tile size (px)

    @property
    def gallery(self) -> list[PhotoEval]:
        return [p for p in self.photos if p.ok]

    def rows(self, method: str) -> list[AvatarEval]:
        return [a for a in self.avatars if a.method == method]

    def summary(self) -> list[dict[str, Any]]:
        """One dict per method (plus the ``photo`` ceiling row, first)."""
        out = []
        for method in ["photo", *self.methods]:
            rows = self.rows(method)
            ok = [a for a in rows if a.ok]
            ranked = [a for a in ok if a.rank is not None]
            chances = [chance(a.n_candidates, a.n_positives) for a in ranked]
            agree = {}
            for key in ("skin", "hair", "beard", "glasses", "skin_notes", "hair_notes", "beard_notes",
                        "glasses_notes"):
                vals = [a.agreement.get(key) for a in ok if a.agreement.get(key) is not None]
                agree[key] = (float(np.mean(vals)) if vals else math.nan, len(vals))
            timing_keys = sorted({k for a in ok for k in a.timings})
            out.append({
                "method": method, "avatars": len(ok), "failed": len(rows) - len(ok), "ranked": len(ranked),
                "top1": mean([a.rank == 1 for a in ranked]), "top3": mean([a.rank <= 3 for a in ranked]),
                "top1_ci95": wilson(sum(a.rank == 1 for a in ranked), len(ranked)),
                "mean_rank": mean([a.rank for a in ranked]),
                "chance_top1": mean([c[0] for c in chances]), "chance_top3": mean([c[1] for c in chances]),
                "chance_rank": mean([c[2] for c in chances]),
                "cos_own": mean([a.cos_own for a in ok]), "cos_same": mean([a.cos_same for a in ok]),
                "cos_other": mean([a.cos_other for a in ok]),
                "cos_own_p10_p90": (tuple(np.percentile([a.cos_own for a in ok], [10, 90]).round(3))
                                    if ok else (math.nan, math.nan)),
                "detected": mean([a.detected for a in ok if a.detected is not None]),
                "agreement": agree,
                "timings_ms": {k: 1000 * float(np.median([a.timings[k] for a in ok if k in a.timings]))
                               for k in timing_keys},
            })
        return out

    def paired(self, n_boot: int = 4000) -> list[dict[str, Any]]:
        """The first method (the full one) against each other method on the same photos: how often its avatar ranks
        the person better, the same, or worse, the two-sided sign-test p-value over the untied photos, and the mean
        rank difference (full − other; negative: the full method ranks the person nearer the top) with a 95 %
        bootstrap interval over photos (``n_boot`` resamples, fixed seed)."""
        if len(self.methods) < 2:
            return []
        first = {(a.person, a.photo): a.rank for a in self.rows(self.methods[0]) if a.ok and a.rank is not None}
        out = []
        for other in self.methods[1:]:
            pairs = [(first[(a.person, a.photo)], a.rank) for a in self.rows(other)
                     if a.ok and a.rank is not None and (a.person, a.photo) in first]
            c = paired(pairs, higher_is_better=False, n_boot=n_boot)  # a rank: lower is better
            out.append({"method": self.methods[0], "versus": other, "photos": c["photos"], "better": c["better"],
                        "tied": c["tied"], "worse": c["worse"], "sign_test_p": c["sign_test_p"],
                        "rank_diff": c["mean_difference"], "rank_diff_ci95": c["ci95"]})
        return out

    def to_markdown(self) -> str:
        s = self.summary()
        people = sorted({p.person for p in self.gallery})
        failed = [p for p in self.photos if not p.ok]

        def f(v, fmt="{:.2f}"):
            return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

        def pct(v):
            return f(100 * v if v == v else v, "{:.0f} %")

        lines = [
            f"Judge: `{self.judge}` (never used by the search). Gallery: {len(self.gallery)} photos of "
            f"{len(people)} people; avatars ranked against every other photo.",
            "",
            "| method | avatars | top-1 (95 % CI) | top-3 | mean rank | cos(avatar, own photo) | cos same person | "
            "cos other people | judge MTCNN finds face | skin ±1 | hair family | beard | glasses |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in s:
            a = r["agreement"]
            name = "photo (ceiling: the photo itself)" if r["method"] == "photo" else f"**{r['method']}**" \
                if r["method"] == "search" else r["method"]
            lo, hi = r["cos_own_p10_p90"]
            failed_note = f" ({r['failed']} failed)" if r["failed"] else ""
            lines.append(
                f"| {name} | {r['avatars']}{failed_note} "
                f"| {pct(r['top1'])} ({f(100 * r['top1_ci95'][0], '{:.0f}')}–{f(100 * r['top1_ci95'][1], '{:.0f}')}) "
                f"| {pct(r['top3'])} | {f(r['mean_rank'], '{:.1f}')} "
                f"| {f(r['cos_own'])} ({f(lo)}–{f(hi)}) | {f(r['cos_same'])} | {f(r['cos_other'])} "
                f"| {pct(r['detected'])} | {pct(a['skin'][0])} | {pct(a['hair'][0])} | {pct(a['beard'][0])} "
                f"| {pct(a['glasses'][0])} |")
        ch = s[0] if s else None
        if ch is not None:
            lines += ["", f"Chance (random ordering of the same gallery): top-1 {pct(ch['chance_top1'])}, top-3 "
                          f"{pct(ch['chance_top3'])}, mean rank {f(ch['chance_rank'], '{:.1f}')}. "
                          "cos: mean cosine under the judge (10th–90th percentile for the own photo)."]
        paired = self.paired()
        if paired:
            lines += ["", f"Paired, photo by photo: does `{paired[0]['method']}`'s avatar rank the person better than "
                          "the other method's avatar of the same photo? (two-sided sign test over the untied photos; "
                          "rank difference = full method − other, negative is better, with a 95 % bootstrap interval "
                          "over photos)",
                      "", "| versus | photos | better | tied | worse | sign-test p | mean rank difference (95 % CI) |",
                      "|---|---|---|---|---|---|---|"]
            for r in paired:
                lo, hi = r["rank_diff_ci95"]
                lines.append(f"| {r['versus']} | {r['photos']} | {r['better']} | {r['tied']} | {r['worse']} "
                             f"| {p_text(r['sign_test_p'])} "
                             f"| {f(r['rank_diff'], '{:+.1f}')} ({f(lo, '{:+.1f}')} … {f(hi, '{:+.1f}')}) |")
        if any(r["agreement"]["beard_notes"][1] for r in s):
            lines += ["", "Attribute agreement against the human notes of manifest.csv (skin: light/fair → Monk 1–5, "
                          "dark → 6–10; hair colour family; beard; glasses) — this also checks the measurements:",
                      "", "| method | skin (notes) | hair (notes) | beard (notes) | glasses (notes) |", "|---|---|---|---|---|"]
            for r in s:
                if r["method"] == "photo":
                    continue
                a = r["agreement"]
                lines.append(f"| {r['method']} | " + " | ".join(
                    f"{pct(a[k][0])} of {a[k][1]}" for k in ("skin_notes", "hair_notes", "beard_notes",
                                                              "glasses_notes")) + " |")
        lines += ["", "Median time per avatar (ms):", "",
                  "| method | " + " | ".join(("analyze", "classify", "search", "render", "total", "judge")) + " |",
                  "|---|---|---|---|---|---|---|"]
        for r in s:
            if r["method"] == "photo":
                continue
            t = r["timings_ms"]
            lines.append(f"| {r['method']} | " + " | ".join(
                f(t.get(k), "{:.0f}") for k in ("analyze", "classify", "search", "render", "total", "judge")) + " |")
        if failed:
            lines += ["", f"Skipped {len(failed)} photo(s) where analysis failed: "
                      + "; ".join(f"{p.person}/{p.path.name}: {p.error}" for p in failed)]
        bad = [a for a in self.avatars if not a.ok]
        if bad:
            lines += ["", f"{len(bad)} avatar(s) failed: " + "; ".join(
                f"{a.method} {a.person}/{a.photo.name}: {a.error}" for a in bad[:10])]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({
            "root": str(self.root), "judge": self.judge, "methods": self.methods, "total_s": round(self.total_s, 2),
            "summary": self.summary(), "paired": self.paired(),
            "photos": [{"person": p.person, "path": str(p.path), "ok": p.ok, "error": p.error,
                        "timings": {k: round(v, 4) for k, v in p.timings.items()}} for p in self.photos],
            "avatars": [a.to_dict() for a in self.avatars],
        }, indent=1, default=lambda o: None if isinstance(o, float) and math.isnan(o) else str(o))

    def contact_sheet(self, thumb: int | None = None, n_top: int = 3, top_method: str | None = None,
                      people: Sequence[str] | None = None):
        """PIL image: one row per photo — photo | avatar per method | the judge's top ``n_top`` gallery photos for
        the ``top_method`` avatar (green frame: same person, red: someone else). ``people``: only their photos' rows
        (e.g. the public-domain ones, with ``n_top=0`` so no one else's photo appears)."""
        from PIL import Image, ImageDraw

        thumb = thumb or self.thumb
        top_method = top_method or self.methods[0]
        label_h, pad = 18, 6
        cols = ["photo", *self.methods] + [f"judge #{i + 1} ({top_method})" for i in range(n_top)]
        w = pad + len(cols) * (thumb + pad)
        rows = [p for p in self.gallery if people is None or p.person in people]
        sheet = Image.new("RGB", (w, label_h + pad + len(rows) * (thumb + label_h + pad)), "white")
        draw = ImageDraw.Draw(sheet)
        for c, name in enumerate(cols):
            draw.text((pad + c * (thumb + pad), 3), name[: thumb // 6], fill="black")
        by_key = {(a.photo, a.method): a for a in self.avatars}
        gallery = self.gallery
        for r, p in enumerate(rows):
            y = label_h + pad + r * (thumb + label_h + pad)

            def put(col, img, caption="", frame=None):
                x = pad + col * (thumb + pad)
                if img is not None:
                    im = img.copy()
                    im.thumbnail((thumb, thumb))
                    tile = Image.new("RGB", (thumb, thumb), "white")
                    if im.mode == "RGBA":
                        tile.paste(im, ((thumb - im.width) // 2, (thumb - im.height) // 2), im)
                    else:
                        tile.paste(im.convert("RGB"), ((thumb - im.width) // 2, (thumb - im.height) // 2))
                    sheet.paste(tile, (x, y))
                if frame:
                    draw.rectangle([x - 2, y - 2, x + thumb + 1, y + thumb + 1], outline=frame, width=3)
                draw.text((x, y + thumb + 3), caption[: thumb // 6], fill="black")

            put(0, p.thumb, f"{p.person[:14]}")
            for c, method in enumerate(self.methods, start=1):
                a = by_key.get((p.path, method))
                if a is None or not a.ok:
                    put(c, None, "failed")
                    continue
                put(c, a.thumb, f"rank {a.rank if a.rank is not None else '-'} cos {a.cos_own:.2f}")
            a = by_key.get((p.path, top_method))
            if a is not None and a.ok:
                for i, (g, cos) in enumerate(a.top[:n_top]):
                    q = gallery[g]
                    put(1 + len(self.methods) + i, q.thumb, f"{q.person[:12]} {cos:.2f}",
                        frame="#1a9b3c" if q.person == p.person else "#c0392b")
        return sheet

    def save(self, out_dir, *, sheet: bool = True) -> dict[str, Path]:
        """Write ``eval.md``, ``eval.json`` and ``contact_sheet.png`` (and the avatars) into ``out_dir``."""
        from index.vector import atomic_write

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out_dir / "eval.md", "json": out_dir / "eval.json"}
        atomic_write(paths["markdown"], self.to_markdown().encode())
        atomic_write(paths["json"], self.to_json().encode())
        if sheet and self.gallery:
            paths["contact_sheet"] = out_dir / "contact_sheet.png"
            self.contact_sheet().save(paths["contact_sheet"])
        return paths
