"""CelebA-format folders (torchvision's ``CelebA(root, split, target_type="attr", download=False)`` layout) and
skin-tone label CSVs.

A folder is either torchvision's ``ROOT/celeba/...`` or the files directly in ``ROOT``::

    img_align_celeba/000001.jpg ...
    list_attr_celeba.txt        # line 1: count; line 2: the 40 attribute names; then "000001.jpg -1 1 ..."
    list_eval_partition.txt     # "000001.jpg 0" (0 train, 1 valid, 2 test)

We read the two text files ourselves instead of instantiating ``torchvision.datasets.CelebA``: that class checks the
MD5 of every annotation file (including ones we do not use), so it refuses subsets and resized copies.
Skin-tone labels come from a CSV with columns ``image,monk`` (Monk 1..10); images without a label are ignored by the
skin-tone loss.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import NUM_TONES, DatasetError

__all__ = ["SPLITS", "CelebAIndex", "find_celeba_root", "read_celeba", "read_skin_csv", "write_celeba_folder",
           "CelebADataset"]

SPLITS = {"train": 0, "valid": 1, "val": 1, "test": 2}


def find_celeba_root(root: str | Path) -> Path:
    """The folder holding ``list_attr_celeba.txt`` (``root`` itself or torchvision's ``root/celeba``)."""
    root = Path(root).expanduser()
    for cand in (root, root / "celeba"):
        if (cand / "list_attr_celeba.txt").is_file():
            return cand
    if not root.exists():
        raise DatasetError(f"CelebA folder not found: {root} does not exist")
    raise DatasetError(f"not a CelebA folder: no list_attr_celeba.txt in {root} or {root / 'celeba'} "
                       "(expected img_align_celeba/, list_attr_celeba.txt, list_eval_partition.txt)")


@dataclass
class CelebAIndex:
    """The annotation tables of one CelebA-format folder."""

    root: Path  # folder with img_align_celeba/
    attr_names: list[str]
    images: list[str]  # file names, in list_attr_celeba.txt order
    attrs: np.ndarray  # (N, A) uint8 in {0, 1}
    split: np.ndarray  # (N,) int8: 0 train, 1 valid, 2 test

    def select(self, split: str, limit: int | None = None) -> np.ndarray:
        """Row indices of a split (``train``, ``valid``/``val``, ``test`` or ``all``), the first ``limit`` of them."""
        if split == "all":
            rows = np.arange(len(self.images))
        else:
            if split not in SPLITS:
                raise DatasetError(f"unknown split '{split}' (choose from train, valid, test, all)")
            rows = np.flatnonzero(self.split == SPLITS[split])
        return rows[:limit] if limit is not None else rows


def read_celeba(root: str | Path) -> CelebAIndex:
    """Parse ``list_attr_celeba.txt`` and ``list_eval_partition.txt`` of a CelebA-format folder."""
    base = find_celeba_root(root)
    attr_file, part_file = base / "list_attr_celeba.txt", base / "list_eval_partition.txt"
    if not (base / "img_align_celeba").is_dir():
        raise DatasetError(f"not a CelebA folder: {base / 'img_align_celeba'} is missing")
    if not part_file.is_file():
        raise DatasetError(f"not a CelebA folder: {part_file} is missing")
    lines = attr_file.read_text().splitlines()
    if len(lines) < 2:
        raise DatasetError(f"{attr_file}: expected a count line and a header line of attribute names")
    names = lines[1].split()
    images: list[str] = []
    rows: list[list[int]] = []
    for n, line in enumerate(lines[2:], start=3):
        tok = line.split()
        if not tok:
            continue
        if len(tok) != len(names) + 1:
            raise DatasetError(f"{attr_file}:{n}: expected an image name and {len(names)} values, got {len(tok)} fields")
        try:
            vals = [int(v) for v in tok[1:]]
        except ValueError:
            raise DatasetError(f"{attr_file}:{n}: attribute values must be 1 or -1") from None
        images.append(tok[0])
        rows.append(vals)
    attrs = (np.asarray(rows, dtype=np.int8).reshape(-1, len(names)) > 0).astype(np.uint8)
    part: dict[str, int] = {}
    for n, line in enumerate(part_file.read_text().splitlines(), start=1):
        tok = line.split()
        if not tok:
            continue
        if len(tok) != 2 or tok[1] not in ("0", "1", "2"):
            raise DatasetError(f"{part_file}:{n}: expected '<image> <0|1|2>'")
        part[tok[0]] = int(tok[1])
    missing = [im for im in images if im not in part]
    if missing:
        raise DatasetError(f"{part_file}: {len(missing)} images have no split (first: {missing[0]})")
    split = np.array([part[im] for im in images], dtype=np.int8)
    return CelebAIndex(root=base, attr_names=names, images=images, attrs=attrs, split=split)


def read_skin_csv(path: str | Path) -> dict[str, int]:
    """``image,monk`` CSV → {image file name: Monk tone 1..10}. Extra columns are ignored."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"skin-tone label file not found: {path}")
    out: dict[str, int] = {}
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"image", "monk"} <= set(reader.fieldnames):
            raise DatasetError(f"{path}: expected a header with columns 'image,monk', got {reader.fieldnames}")
        for n, row in enumerate(reader, start=2):
            try:
                tone = int(row["monk"])
            except (TypeError, ValueError):
                raise DatasetError(f"{path}:{n}: monk must be an integer 1..{NUM_TONES}, got {row['monk']!r}") from None
            if not 1 <= tone <= NUM_TONES:
                raise DatasetError(f"{path}:{n}: monk must be 1..{NUM_TONES}, got {tone}")
            out[Path(row["image"]).name] = tone
    return out


def write_celeba_folder(root: str | Path, images: dict[str, np.ndarray], attrs: dict[str, dict[str, int]],
                        split: dict[str, int], attr_names: list[str] | tuple[str, ...]) -> Path:
    """Write a CelebA-format folder (``root/celeba/...``, torchvision layout): RGB uint8 arrays as JPEGs (quality
    95), ``attrs[image][name]`` in {0, 1} (missing → 0) and ``split[image]`` in {0, 1, 2}."""
    from PIL import Image

    base = Path(root) / "celeba"
    (base / "img_align_celeba").mkdir(parents=True, exist_ok=True)
    names = sorted(images)
    for name in names:
        Image.fromarray(images[name]).save(base / "img_align_celeba" / name, quality=95)
    lines = [str(len(names)), " ".join(attr_names)]
    for name in names:
        a = attrs.get(name, {})
        lines.append(name + " " + " ".join(" 1" if a.get(k, 0) else "-1" for k in attr_names))
    (base / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    (base / "list_eval_partition.txt").write_text("".join(f"{n} {split[n]}\n" for n in names))
    return base


class CelebADataset:
    """A torch ``Dataset`` of one split: ``(uint8 CHW tensor, attrs float (A,), monk-1 long or -1)``.

    Images are decoded, cropped and resized by ``preprocess.crop_resize`` (the same function inference uses), then
    ``transform`` (torchvision v2 augmentations on uint8 tensors) when given; normalisation happens on the batch.
    """

    def __init__(self, index: CelebAIndex, split: str, preprocess, *, skin: dict[str, int] | None = None,
                 transform=None, limit: int | None = None):
        self.index = index
        self.rows = index.select(split, limit)
        self.preprocess = preprocess
        self.transform = transform
        skin = skin or {}
        self.tones = np.array([skin.get(index.images[r], 0) - 1 for r in self.rows], dtype=np.int64)  # -1: none

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def attrs(self) -> np.ndarray:
        return self.index.attrs[self.rows]

    def image_path(self, i: int) -> Path:
        return self.index.root / "img_align_celeba" / self.index.images[self.rows[i]]

    def __getitem__(self, i: int):
        import torch
        from PIL import Image

        path = self.image_path(i)
        try:
            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"))
        except (OSError, ValueError) as err:
            raise DatasetError(f"cannot read CelebA image {path}: {err}") from None
        x = torch.from_numpy(np.ascontiguousarray(self.preprocess.crop_resize(rgb).transpose(2, 0, 1)))
        if self.transform is not None:
            x = self.transform(x)
        return x, torch.from_numpy(self.index.attrs[self.rows[i]].astype(np.float32)), int(self.tones[i])
