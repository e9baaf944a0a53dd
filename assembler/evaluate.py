"""The evaluation harness behind ``memoji eval DIR``: does the avatar look like the person — to an embedder that the
search never saw — and does it agree with what the photo shows?

``DIR/<person>/<photos>``. Every photo is analysed once and embedded by the *judge* (``facenet-casia-opencv``, see
:mod:`assembler.judge`) from its own landmarks: that is the gallery. For every photo A of person P and every method
(``search``, the full method, and the baselines ``attributes``, ``greedy``, ``random``, all made by the same
``assembler.make`` code) the avatar is embedded by the judge from the renderer's landmarks and the gallery minus A
is ranked by cosine to it:

- **rank**: position of the best-ranked other photo of P (1 = the nearest photo is the same person); **top-1** /
  **top-3**: rank ≤ 1 / ≤ 3; **chance** is what a random ordering gives for the same gallery.
- **cosines**: judge(avatar)·judge(A), mean to P's other photos, mean to other people's photos — since the judge
  is given landmarks it never "fails to find" a face, so its cosine distribution is the honest signal; the judge's
  own MTCNN detection rate on the avatars is reported beside it.
- **attribute agreement** between the avatar's recipe and the photo's measured attributes (skin Monk tone within
  ±1, hair colour family, beard yes/no, glasses yes/no), and against the human notes of ``DIR/manifest.csv``
  (``path,…,notes`` as in ../shared/faces) where present (skin light/dark, hair colour family, beard, glasses).
- **timings** per stage (analyze, classify, search, render from ``Avatar.timings``; judge).

Every method is made with ``seed`` except ``random``, which draws an independent avatar per photo (see
:func:`_seed_for`).

A ``photo`` row (the judge ranking the gallery from photo A itself) gives the ceiling. Photos where analysis fails
are reported and skipped; a failing ``make`` is reported per method.
"""
from __future__ import annotations

import csv
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .search import METHODS

__all__ = ["METHODS", "collect_photos", "evaluate", "EvalReport", "PhotoEval", "AvatarEval", "attribute_agreement"]

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
DEFAULT_EXCLUDE = ("hard",)
BEARD_KEYS = ("beard", "moustache", "mustache", "goatee")
# human notes → acceptable hair palette families (first match wins)
HAIR_NOTES: tuple[tuple[str, set[str]], ...] = (
    (r"\b(gray|grey|graying|greying|white|silver) hair", {"gray", "white"}),
    (r"\bred hair", {"red"}),
    (r"\bblond", {"blonde"}),
    (r"\bbrown hair", {"brown"}),
    (r"\b(black|dark) hair", {"black", "brown"}),
)


# ---- inputs ----------------------------------------------------------------------------------------------------
def collect_photos(root, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> dict[str, list[Path]]:
    """``{person: [photo paths]}`` from ``root/<person>/<photos>``; folders starting with ``_`` or ``.`` and those
    named in ``exclude`` are skipped (symlinks are followed)."""
    root = Path(root)
    if not root.is_dir():
        from .errors import ImageReadError

        raise ImageReadError(f"cannot evaluate {root}: not a folder (expected DIR/<person>/<photos>)")
    people: dict[str, list[Path]] = {}
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        if d.name.startswith(("_", ".")) or d.name in exclude:
            continue
        photos = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTS)
        if photos:
            people[d.name] = photos
    if not people:
        from .errors import ImageReadError

        raise ImageReadError(f"no photos in {root}: expected DIR/<person>/<photos> ({', '.join(sorted(IMAGE_EXTS))})")
    return people


def _notes_truth(root: Path) -> dict[str, dict[str, bool]]:
    """Per photo path (relative to root): beard / glasses from the human ``notes`` of ``root/manifest.csv``."""
    path = root / "manifest.csv"
    if not path.is_file():
        return {}
    out = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            notes = (row.get("notes") or "").lower()
            if not row.get("path") or not notes:
                continue
            truth: dict = {"beard": bool(re.search(r"(?<!no )(beard|goatee|moustache|mustache)", notes)),
                           "glasses": "glasses" in notes}
            if re.search(r"\b(fair|light) skin", notes):
                truth["skin"] = (1, 5)  # Monk range
            elif re.search(r"\bdark(-brown)? skin", notes):
                truth["skin"] = (6, 10)
            for pattern, families in HAIR_NOTES:
                if re.search(pattern, notes):
                    truth["hair"] = families
                    break
            out[row["path"]] = truth
    return out


# ---- attribute agreement ---------------------------------------------------------------------------------------
def _swatch(palette: str, value: str | None):
    """The palette swatch for a colour name (``auburn``, ``hair/auburn``) or the nearest one to a ``#hex``."""
    if not value:
        return None
    from parts_library.palettes import PALETTES, hex_to_rgb, nearest, srgb_to_lab

    value = str(value)
    if value.startswith("#"):
        return nearest(palette, srgb_to_lab(hex_to_rgb(value)))[0]
    return PALETTES[palette].get(value.rpartition("/")[2])


def _monk(value: str | None) -> int | None:
    sw = _swatch("skin", value)
    return int(sw.name.split("_")[1]) if sw is not None else None


def _has_part(parts: dict, category: str) -> bool:
    pid = parts.get(category)
    if isinstance(pid, dict):
        pid = pid.get("id")
    return bool(pid) and str(pid).lower() not in ("none", "null")


def _avatar_beard(parts: dict) -> bool:
    return _has_part(parts, "facial_hair") and "stubble" not in str(parts.get("facial_hair")).lower()


def attribute_agreement(recipe: dict, attributes, truth: dict[str, bool] | None = None) -> dict[str, bool | None]:
    """Does the recipe agree with the photo? ``{skin, hair, beard, glasses}`` against the measured ``attributes``
    (``None`` where the photo gives no value) plus ``beard_notes`` / ``glasses_notes`` against human notes."""
    parts, colors = recipe.get("parts") or {}, recipe.get("colors") or {}
    out: dict[str, bool | None] = {"skin": None, "hair": None, "beard": None, "glasses": None}
    if attributes is not None:
        avatar_skin = _monk(colors.get("skin"))
        if attributes.skin_tone is not None and avatar_skin is not None:
            out["skin"] = abs(int(attributes.skin_tone) - avatar_skin) <= 1
        photo_hair, avatar_hair = _swatch("hair", attributes.hair_color), _swatch("hair", colors.get("hair"))
        if photo_hair is not None and avatar_hair is not None:
            out["hair"] = photo_hair.family == avatar_hair.family
        fh = attributes.facial_hair or {}
        if fh:
            out["beard"] = (max(fh.get(k, 0.0) for k in BEARD_KEYS) >= 0.5) == _avatar_beard(parts)
        if attributes.glasses is not None:
            out["glasses"] = (attributes.glasses >= 0.5) == _has_part(parts, "glasses")
    if truth:
        out["beard_notes"] = truth["beard"] == _avatar_beard(parts)
        out["glasses_notes"] = truth["glasses"] == _has_part(parts, "glasses")
        avatar_skin = _monk(colors.get("skin"))
        if "skin" in truth and avatar_skin is not None:
            lo, hi = truth["skin"]
            out["skin_notes"] = lo <= avatar_skin <= hi
        avatar_hair = _swatch("hair", colors.get("hair"))
        if "hair" in truth and avatar_hair is not None:
            out["hair_notes"] = avatar_hair.family in truth["hair"]
    return out


# ---- records ---------------------------------------------------------------------------------------------------
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


def _chance(n_cand: int, n_pos: int) -> tuple[float, float, float]:
    """Random-ordering top-1, top-3 and expected best rank for ``n_pos`` positives among ``n_cand``."""
    if n_pos <= 0 or n_cand <= 0:
        return math.nan, math.nan, math.nan
    top1 = n_pos / n_cand
    k = min(3, n_cand)
    top3 = 1.0 - math.comb(n_cand - n_pos, k) / math.comb(n_cand, k)
    return top1, top3, (n_cand + 1) / (n_pos + 1)


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion k/n."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _mean(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(values)) if values else math.nan


# ---- the report ------------------------------------------------------------------------------------------------
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
            chance = [_chance(a.n_candidates, a.n_positives) for a in ranked]
            agree = {}
            for key in ("skin", "hair", "beard", "glasses", "skin_notes", "hair_notes", "beard_notes",
                        "glasses_notes"):
                vals = [a.agreement.get(key) for a in ok if a.agreement.get(key) is not None]
                agree[key] = (float(np.mean(vals)) if vals else math.nan, len(vals))
            timing_keys = sorted({k for a in ok for k in a.timings})
            out.append({
                "method": method, "avatars": len(ok), "failed": len(rows) - len(ok), "ranked": len(ranked),
                "top1": _mean([a.rank == 1 for a in ranked]), "top3": _mean([a.rank <= 3 for a in ranked]),
                "top1_ci95": _wilson(sum(a.rank == 1 for a in ranked), len(ranked)),
                "mean_rank": _mean([a.rank for a in ranked]),
                "chance_top1": _mean([c[0] for c in chance]), "chance_top3": _mean([c[1] for c in chance]),
                "chance_rank": _mean([c[2] for c in chance]),
                "cos_own": _mean([a.cos_own for a in ok]), "cos_same": _mean([a.cos_same for a in ok]),
                "cos_other": _mean([a.cos_other for a in ok]),
                "cos_own_p10_p90": (tuple(np.percentile([a.cos_own for a in ok], [10, 90]).round(3))
                                    if ok else (math.nan, math.nan)),
                "detected": _mean([a.detected for a in ok if a.detected is not None]),
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
        from scipy.stats import binomtest

        if len(self.methods) < 2:
            return []
        first = {(a.person, a.photo): a.rank for a in self.rows(self.methods[0]) if a.ok and a.rank is not None}
        out = []
        for other in self.methods[1:]:
            pairs = [(first[(a.person, a.photo)], a.rank) for a in self.rows(other)
                     if a.ok and a.rank is not None and (a.person, a.photo) in first]
            better = sum(x < y for x, y in pairs)
            worse = sum(x > y for x, y in pairs)
            p = binomtest(better, better + worse).pvalue if better + worse else math.nan
            d = np.array([x - y for x, y in pairs], dtype=np.float64)
            if len(d):
                boot = d[np.random.default_rng(0).integers(0, len(d), (n_boot, len(d)))].mean(axis=1)
                diff, ci = float(d.mean()), [float(v) for v in np.percentile(boot, [2.5, 97.5])]
            else:
                diff, ci = math.nan, [math.nan, math.nan]
            out.append({"method": self.methods[0], "versus": other, "photos": len(pairs), "better": better,
                        "tied": len(pairs) - better - worse, "worse": worse, "sign_test_p": float(p),
                        "rank_diff": diff, "rank_diff_ci95": ci})
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
                pv = r["sign_test_p"]
                lo, hi = r["rank_diff_ci95"]
                lines.append(f"| {r['versus']} | {r['photos']} | {r['better']} | {r['tied']} | {r['worse']} "
                             f"| {'< 0.001' if pv < 0.001 else f(pv, '{:.3f}')} "
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

    def contact_sheet(self, thumb: int | None = None, n_top: int = 3, top_method: str | None = None):
        """PIL image: one row per photo — photo | avatar per method | the judge's top ``n_top`` gallery photos for
        the ``top_method`` avatar (green frame: same person, red: someone else)."""
        from PIL import Image, ImageDraw

        thumb = thumb or self.thumb
        top_method = top_method or self.methods[0]
        label_h, pad = 18, 6
        cols = ["photo", *self.methods] + [f"judge #{i + 1} ({top_method})" for i in range(n_top)]
        w = pad + len(cols) * (thumb + pad)
        rows = self.gallery
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


# ---- the run ---------------------------------------------------------------------------------------------------
def _face_thumb(rgb: np.ndarray, landmarks68: np.ndarray, size: int):
    """A square crop around the face (hair and chin included) for the contact sheet."""
    from PIL import Image

    pts = np.asarray(landmarks68, dtype=np.float64)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    side = 1.9 * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.12 * side
    box = tuple(int(round(v)) for v in (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2))
    img = Image.fromarray(rgb).crop(box)
    img.thumbnail((size, size))
    return img


def _seed_for(seed: int, method: str, photo: PhotoEval) -> int:
    """``seed`` for every method except ``random``, which gets an independent draw per photo (``seed`` + CRC32 of
    ``person/file``): one shared random avatar for everyone would be a constant, not a random baseline."""
    if method != "random":
        return seed
    import zlib

    return seed + zlib.crc32(f"{photo.person}/{photo.path.name}".encode()) % 100_000


def _default_make(photo, *, method: str, seed: int):
    from .make import make

    return make(photo, method=method, seed=seed)


def _default_analyze(path):
    from .analyze import analyze

    return analyze(path, max_faces=1)[0]


def evaluate(root, methods: Sequence[str] = METHODS, *, make_fn: Callable | None = None, judge=None,
             analyze_fn: Callable | None = None, seed: int = 0, exclude: Sequence[str] = DEFAULT_EXCLUDE,
             detect: bool = True, thumb: int = 160, avatar_dir=None, progress: bool = True) -> EvalReport:
    """Run every method on every photo under ``root`` and judge the avatars (see the module docstring).

    ``make_fn(photo_path, method=..., seed=...) -> Avatar`` (default :func:`assembler.make`),
    ``analyze_fn(photo_path) -> FaceRecord`` (default ``analyze(path, max_faces=1)[0]``), ``judge``: an embedder
    (default ``facenet-casia-opencv``). ``avatar_dir``: also write every avatar PNG + recipe there.
    """
    from tqdm.auto import tqdm

    from .errors import MemojiError
    from .io import load_image
    from .judge import JUDGE_NAME, create_judge, flatten_rgba

    t_start = time.perf_counter()
    root = Path(root)
    methods = list(methods)
    make_fn = make_fn or _default_make
    analyze_fn = analyze_fn or _default_analyze
    judge = judge if judge is not None else create_judge()
    judge_name = getattr(judge, "name", JUDGE_NAME)
    people = collect_photos(root, exclude)
    truth = _notes_truth(root)

    # 1. the gallery: analyse + judge every photo once
    photos: list[PhotoEval] = []
    items = [(person, path) for person, paths in people.items() for path in paths]
    for person, path in tqdm(items, desc="photos", unit="photo", disable=not progress):
        pe = PhotoEval(person, path, ok=False)
        photos.append(pe)
        try:
            t0 = time.perf_counter()
            face = analyze_fn(path)
            pe.timings["analyze"] = time.perf_counter() - t0
            rgb = np.asarray(load_image(path))[..., :3]
            t0 = time.perf_counter()
            pe.embedding = judge.embed(rgb, face.landmarks)
            pe.timings["judge"] = time.perf_counter() - t0
        except (MemojiError, ValueError) as err:
            pe.error = str(err).splitlines()[0] if str(err) else type(err).__name__
            continue
        pe.thumb = _face_thumb(rgb, face.landmarks, thumb * 2)
        pe.ok = True
    gallery = [p for p in photos if p.ok]
    G = np.stack([p.embedding for p in gallery]) if gallery else np.zeros((0, getattr(judge, "dim", 512)))
    people_of = np.array([p.person for p in gallery])

    def judge_rank(i: int, e: np.ndarray, a: AvatarEval) -> None:
        sims = G @ e
        cand = np.array([j for j in range(len(gallery)) if j != i])
        order = cand[np.argsort(-sims[cand], kind="stable")]
        pos = [k for k, j in enumerate(order) if people_of[j] == gallery[i].person]
        a.n_candidates, a.n_positives = len(cand), len(pos)
        a.rank = pos[0] + 1 if pos else None
        a.cos_own = float(sims[i])
        same = [sims[j] for j in cand if people_of[j] == gallery[i].person]
        other = [sims[j] for j in cand if people_of[j] != gallery[i].person]
        a.cos_same = float(np.mean(same)) if same else None
        a.cos_other = float(np.mean(other)) if other else None
        a.top = [(int(j), float(sims[j])) for j in order[:5]]

    # 2. the ceiling: the photo itself as the query
    avatars: list[AvatarEval] = []
    for i, p in enumerate(gallery):
        a = AvatarEval(p.person, p.path, "photo", ok=True, timings={"judge": p.timings["judge"]})
        judge_rank(i, p.embedding, a)
        avatars.append(a)

    # 3. every method on every photo
    jobs = [(i, m) for i in range(len(gallery)) for m in methods]
    for i, method in tqdm(jobs, desc="avatars", unit="avatar", disable=not progress):
        p = gallery[i]
        a = AvatarEval(p.person, p.path, method, ok=False)
        avatars.append(a)
        try:
            t0 = time.perf_counter()
            avatar = make_fn(p.path, method=method, seed=_seed_for(seed, method, p))
            wall = time.perf_counter() - t0
            a.timings = {k: float(v) for k, v in (getattr(avatar, "timings", None) or {}).items()}
            a.timings.setdefault("total", wall)
            image = avatar.image
            t0 = time.perf_counter()
            e = judge.embed(flatten_rgba(image), np.asarray(avatar.landmarks))
            a.timings["judge"] = time.perf_counter() - t0
        except (MemojiError, ValueError) as err:
            a.error = str(err).splitlines()[0] if str(err) else type(err).__name__
            continue
        judge_rank(i, e, a)
        a.recipe = avatar.recipe.to_dict()
        face = getattr(avatar, "face", None)
        rel = str(p.path.relative_to(root)) if p.path.is_relative_to(root) else None
        a.agreement = attribute_agreement(a.recipe, getattr(face, "attributes", None), truth.get(rel))
        if detect and hasattr(judge, "detect"):
            a.detected = any(d.get("confidence", 0) >= 0.9 for d in judge.detect(image))
        a.thumb = image.copy()
        a.thumb.thumbnail((thumb * 2, thumb * 2))
        if avatar_dir is not None:
            from index.vector import atomic_write

            d = Path(avatar_dir) / p.person
            d.mkdir(parents=True, exist_ok=True)
            image.save(d / f"{p.path.stem}__{method}.png")
            atomic_write(d / f"{p.path.stem}__{method}.recipe.json", json.dumps(a.recipe, indent=1).encode())
        a.ok = True
    return EvalReport(root, methods, photos, avatars, judge_name, time.perf_counter() - t_start, thumb)
