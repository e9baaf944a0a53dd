"""The identity evaluation's inputs: ``DIR/<person>/<photos>`` and the human notes of ``DIR/manifest.csv``."""
from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["collect_photos", "notes_truth", "IMAGE_EXTS", "DEFAULT_EXCLUDE", "HAIR_NOTES"]

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
DEFAULT_EXCLUDE = ("hard",)
# human notes → acceptable hair palette families (first match wins)
HAIR_NOTES: tuple[tuple[str, set[str]], ...] = (
    (r"\b(gray|grey|graying|greying|white|silver) hair", {"gray", "white"}),
    (r"\bred hair", {"red"}),
    (r"\bblond", {"blonde"}),
    (r"\bbrown hair", {"brown"}),
    (r"\b(black|dark) hair", {"black", "brown"}),
)


def collect_photos(root, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> dict[str, list[Path]]:
    """``{person: [photo paths]}`` from ``root/<person>/<photos>``; folders starting with ``_`` or ``.`` and those
    named in ``exclude`` are skipped (symlinks are followed)."""
    root = Path(root)
    if not root.is_dir():
        from ..errors import ImageReadError

        raise ImageReadError(f"cannot evaluate {root}: not a folder (expected DIR/<person>/<photos>)")
    people: dict[str, list[Path]] = {}
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        if d.name.startswith(("_", ".")) or d.name in exclude:
            continue
        photos = sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTS)
        if photos:
            people[d.name] = photos
    if not people:
        from ..errors import ImageReadError

        raise ImageReadError(f"no photos in {root}: expected DIR/<person>/<photos> ({', '.join(sorted(IMAGE_EXTS))})")
    return people


def notes_truth(root: Path) -> dict[str, dict[str, bool]]:
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
