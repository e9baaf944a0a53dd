"""Agreement of the measurements and of the avatar recipe with what a person sees at a glance
(``../shared/faces/labels.csv``), per labelled photo.

    python scripts/eval_labels.py --tag after [--faces ../shared/faces] [--workers 2] [--sheet /tmp/sheet.png]

Runs ``assembler.make`` (analyze → classify → search → render) on every labelled photo, the development folders and
``_portraits/`` separately, and compares with the labels:

- skin band: light = Monk 1–4, medium = 5–7, dark = 8–10 (measured: the classifier's Monk tone; recipe: the skin
  colour ``monk_NN``);
- hair colour family: black, brown, blonde, red, gray (gray and white together), vivid; a label ``dark_brown`` is
  also right when drawn black; photos labelled ``none`` (bald) are not scored;
- hair length class: bald, buzz, short, medium, long, tied (recipe: the hair part's tags — ``ponytail`` / ``bun`` /
  ``man_bun`` = tied, then ``bald``, ``buzz``, ``long``, ``medium``, ``short``);
- facial hair present/absent (measured: the largest of beard / moustache / goatee / stubble ≥ 0.5; recipe: a
  facial-hair part is drawn);
- glasses (measured: probability ≥ 0.5; recipe: a glasses part is drawn).

Per-photo results go to ``docs/eval_labels/<tag>.csv``; ``docs/eval_labels.md`` is rewritten from every stored tag,
so a before/after comparison is two runs of this script with different tags (on different commits). No photo other
than the public-domain ones is copied into the repository: they are read from ``--faces`` at run time.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import subprocess
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ATTRS = ("skin", "hair_colour", "hair_length", "facial_hair", "glasses")
SKIN_BANDS = ("light", "medium", "dark")
FAMILIES = ("black", "brown", "blonde", "red", "gray", "vivid", "none")
LENGTHS = ("bald", "buzz", "short", "medium", "long", "tied")
TIED_TAGS = {"ponytail", "bun", "man_bun"}


def skin_band(monk: int | None) -> str | None:
    if monk is None:
        return None
    return "light" if monk <= 4 else "medium" if monk <= 7 else "dark"


def family_of(colour: str | None) -> str | None:
    from parts_library.palettes import PALETTES

    if colour is None or colour not in PALETTES["hair"]:
        return None
    fam = PALETTES["hair"][colour].family
    return "gray" if fam == "white" else fam


def label_family(label: str) -> str:
    return {"blond": "blonde", "dark_brown": "brown", "white": "gray"}.get(label, label)


def length_of_part(part_id: str | None) -> str | None:
    from parts_library import load_library

    if part_id is None:
        return None
    tags = set(load_library().get(part_id).tags)
    if tags & TIED_TAGS:
        return "tied"
    for t in ("bald", "buzz", "long", "medium", "short"):
        if t in tags:
            return t
    return "short" if tags & {"balding", "receding"} else None


def _agree(attr: str, label: str, got: str | None) -> bool:
    if attr == "hair_colour":
        fam = label_family(label)
        return got == fam or (label == "dark_brown" and got == "black")
    return got == label


def run_one(path: Path) -> dict:
    import assembler

    try:
        avatar = assembler.make(path, size=256)
    except Exception as exc:  # a photo the pipeline refuses is a miss on every attribute, recorded with its reason
        return {"error": f"{type(exc).__name__}: {exc}"}
    face = avatar.faces[0]
    a = face.attributes
    rec = avatar.recipe
    fh = a.facial_hair or {}
    presence = max(fh.values(), default=0.0)
    length = a.hair_length
    if a.bald is not None and a.bald >= 0.6:
        length = "bald"
    m = {
        "skin": skin_band(a.skin_tone),
        "hair_colour": family_of(a.hair_color) if length != "bald" else "none",
        "hair_length": length,
        "facial_hair": "present" if presence >= 0.5 else "none",
        "glasses": "glasses" if (a.glasses or 0.0) >= 0.5 else "none",
    }
    monk = int(rec.colors["skin"].split("_")[1])
    hair_part = rec.parts.get("hair")
    r_len = length_of_part(hair_part)
    r = {
        "skin": skin_band(monk),
        "hair_colour": family_of(rec.colors.get("hair")) if r_len != "bald" else "none",
        "hair_length": r_len,
        "facial_hair": "present" if rec.parts.get("facial_hair") else "none",
        "glasses": "glasses" if rec.parts.get("glasses") else "none",
    }
    out = {f"m_{k}": v for k, v in m.items()} | {f"r_{k}": v for k, v in r.items()}
    out.update(monk_measured=a.skin_tone, monk_recipe=monk, hair_color=a.hair_color, hair_part=hair_part,
               facial_hair_part=rec.parts.get("facial_hair"), glasses_part=rec.parts.get("glasses"),
               png=avatar.png)
    return out


def _worker(args):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    path, = args
    return run_one(path)


def load_labels(faces: Path) -> list[dict]:
    with open(faces / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["group"] = "portraits" if r["path"].startswith("_portraits/") else "dev"
        r["facial_hair_pa"] = "none" if r["facial_hair"] == "none" else "present"
        r["glasses_pa"] = "none" if r["glasses"] == "none" else "glasses"
    return rows


def label_value(row: dict, attr: str) -> str | None:
    if attr == "facial_hair":
        return row["facial_hair_pa"]
    if attr == "glasses":
        return row["glasses_pa"]
    if attr == "hair_colour" and row["hair_colour"] == "none":
        return None  # bald: no colour to judge
    return row[attr]


def score(rows: list[dict], results: list[dict], prefix: str, group: str) -> dict[str, tuple[int, int]]:
    out = {}
    for attr in ATTRS:
        n = ok = 0
        for row, res in zip(rows, results):
            if row["group"] != group:
                continue
            lab = label_value(row, attr)
            if lab is None:
                continue
            n += 1
            ok += _agree(attr, lab, res.get(f"{prefix}_{attr}"))
        out[attr] = (ok, n)
    n = ok = 0
    for row, res in zip(rows, results):
        if row["group"] != group:
            continue
        n += 1
        ok += all(_agree(a, label_value(row, a), res.get(f"{prefix}_{a}")) for a in ATTRS
                  if label_value(row, a) is not None)
    out["all"] = (ok, n)
    return out


def confusion(rows, results, prefix, attr, labels_order, got_order) -> str:
    tally = Counter()
    for row, res in zip(rows, results):
        lab = label_value(row, attr)
        if lab is None:
            continue
        if attr == "hair_colour":
            lab = label_family(lab)
        tally[(lab, res.get(f"{prefix}_{attr}") or "?")] += 1
    gots = [g for g in got_order if any(tally[(lab, g)] for lab in labels_order)] + \
        (["?"] if any(tally[(lab, "?")] for lab in labels_order) else [])
    lines = ["| label \\ got | " + " | ".join(gots) + " |", "|---|" + "---|" * len(gots)]
    for lab in labels_order:
        if not any(tally[(lab, g)] for g in gots):
            continue
        lines.append(f"| {lab} | " + " | ".join(str(tally[(lab, g)] or "") for g in gots) + " |")
    return "\n".join(lines)


CSV_FIELDS = ["path", "group", "error", "monk_measured", "monk_recipe", "hair_color", "hair_part", "facial_hair_part",
              "glasses_part"] + [f"{p}_{a}" for p in ("m", "r") for a in ATTRS]


def write_tag(tag: str, rows: list[dict], results: list[dict], meta: dict) -> Path:
    out = ROOT / "docs" / "eval_labels" / f"{tag}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        note = f"; {meta['note']}" if meta.get("note") else ""
        f.write(f"# commit {meta['commit']}, {meta['date']}, {meta['seconds']:.0f} s{note}\n")
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for row, res in zip(rows, results):
            w.writerow({"path": row["path"], "group": row["group"], **res})
    return out


def read_tag(path: Path) -> tuple[str, list[dict]]:
    with open(path, newline="") as f:
        head = f.readline().lstrip("# ").strip()
        return head, list(csv.DictReader(f))


def render_md(rows: list[dict]) -> str:
    tags = sorted((ROOT / "docs" / "eval_labels").glob("*.csv"), key=lambda p: (p.stem != "before", p.stem))
    by_path = {r["path"]: r for r in rows}
    md = ["# Glance attributes against labels.csv", "",
          "Written by `scripts/eval_labels.py` (see its docstring for the rules); per-photo results are in "
          "`docs/eval_labels/<tag>.csv`. *Measured* = the `measured` classifier's attributes; *recipe* = what the "
          "avatar draws. `dev` = the 33 photos of the identity folders and `_singles/`; `portraits` = the 78 "
          "studio portraits of `_portraits/`. Each cell: agreement (right / scored). *all* = photos right on every "
          "scored attribute.", ""]
    header = "| run | group | source | " + " | ".join(ATTRS) + " | all |"
    md += [header, "|---|---|---|" + "---|" * (len(ATTRS) + 1)]
    loaded = []
    for p in tags:
        head, res = read_tag(p)
        res_rows = [by_path[r["path"]] for r in res if r["path"] in by_path]
        res = [r for r in res if r["path"] in by_path]
        loaded.append((p.stem, head, res_rows, res))
        for group in ("dev", "portraits"):
            for prefix, name in (("m", "measured"), ("r", "recipe")):
                s = score(res_rows, res, prefix, group)
                cells = [f"{ok / n:.0%} ({ok}/{n})" if n else "–" for ok, n in (s[a] for a in ATTRS + ("all",))]
                md.append(f"| {p.stem} | {group} | {name} | " + " | ".join(cells) + " |")
    md.append("")
    for stem, head, res_rows, res in loaded:
        md += [f"## Run `{stem}` ({head})", ""]
        errors = [(r["path"], r["error"]) for r in res if r.get("error")]
        if errors:
            md += ["Photos the pipeline refused: " + "; ".join(f"`{p}` ({e})" for p, e in errors), ""]
        for group in ("dev", "portraits"):
            gr = [(a, b) for a, b in zip(res_rows, res) if a["group"] == group]
            if not gr:
                continue
            lr, rr = [a for a, _ in gr], [b for _, b in gr]
            md += [f"### {group}: skin band (recipe)", "", confusion(lr, rr, "r", "skin", SKIN_BANDS, SKIN_BANDS), "",
                   f"### {group}: hair colour family (recipe)", "",
                   confusion(lr, rr, "r", "hair_colour", FAMILIES, FAMILIES), "",
                   f"### {group}: hair length (recipe)", "",
                   confusion(lr, rr, "r", "hair_length", LENGTHS, LENGTHS), ""]
    md += ["Hardware: " + platform.platform() + f", {os.cpu_count()} CPUs.", ""]
    return "\n".join(md)


def contact_sheet(rows: list[dict], results: list[dict], faces: Path, out: Path, cell: int = 150) -> None:
    import io

    from PIL import Image, ImageDraw, ImageOps

    cols = 6
    n = len(rows)
    sheet = Image.new("RGB", (cols * 2 * cell, ((n + cols - 1) // cols) * (cell + 26)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (row, res) in enumerate(zip(rows, results)):
        x, y = (i % cols) * 2 * cell, (i // cols) * (cell + 26)
        try:
            photo = ImageOps.exif_transpose(Image.open(faces / row["path"])).convert("RGB")
            photo.thumbnail((cell, cell))
            sheet.paste(photo, (x, y))
        except OSError:
            pass
        if res.get("png"):
            av = Image.open(io.BytesIO(res["png"])).convert("RGBA").resize((cell, cell))
            sheet.paste(av, (x + cell, y), av)
        bad = [a for a in ATTRS if label_value(row, a) is not None
               and not _agree(a, label_value(row, a), res.get(f"r_{a}"))]
        text = f"{Path(row['path']).stem[:14]} " + (",".join(f"{a[:6]}:{res.get('r_' + a)}" for a in bad) or "ok")
        draw.text((x + 2, y + cell + 2), text[:46], fill="red" if bad else "green")
        draw.text((x + 2, y + cell + 13), f"L {row['skin'][:3]} {row['hair_colour']} {row['hair_length']}"[:46],
                  fill="black")
    sheet.save(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faces", default=str(ROOT.parent / "shared" / "faces"))
    ap.add_argument("--tag", default="after", help="name of this run (before / after / …)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sheet", default=None, help="also write a contact sheet (photo | avatar) to this PNG")
    ap.add_argument("--only", default=None, help="only photos whose path contains this (no files written)")
    ap.add_argument("--note", default="", help="one line on what this run measures (kept with its results)")
    args = ap.parse_args()
    faces = Path(args.faces)
    rows = load_labels(faces)
    todo = [r for r in rows if args.only is None or args.only in r["path"]]
    import time

    t0 = time.perf_counter()
    if args.workers > 1:
        import multiprocessing as mp

        with mp.get_context("spawn").Pool(args.workers) as pool:
            results = pool.map(_worker, [(faces / r["path"],) for r in todo], chunksize=1)
    else:
        results = [run_one(faces / r["path"]) for r in todo]
    seconds = time.perf_counter() - t0
    if args.sheet:
        contact_sheet(todo, results, faces, Path(args.sheet))
    if args.only is not None:
        for r, res in zip(todo, results):
            print(r["path"], {k: v for k, v in res.items() if k != "png"})
        return
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "assembler", "classifiers"],
                           capture_output=True, text=True).stdout.strip()
    meta = {"commit": commit + ("+changes" if dirty else ""), "date": datetime.date.today().isoformat(),
            "seconds": seconds, "note": args.note}
    write_tag(args.tag, todo, results, meta)
    (ROOT / "docs" / "eval_labels.md").write_text(render_md(rows))
    print((ROOT / "docs" / "eval_labels.md").read_text().split("\n## ")[0])


if __name__ == "__main__":
    main()
