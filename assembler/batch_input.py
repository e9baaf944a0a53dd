"""Batch input: the rows of a batch, read and checked before any photo is analysed. The input is a UTF-8 CSV, a
Parquet file (every column read as text) or a folder of photos (one row per image, id = its name); columns ``id``,
``photo`` (relative paths taken relative to the input's folder), optional ``photo2``, ``photo3`` … and override
columns named like ``make``'s overrides (empty cells ignored, other columns kept out of it). An unusable input is one
:class:`BatchInputError`; a row with more or fewer cells than the header, an empty or duplicate id, no photo or a bad
override becomes a row job carrying its error and line number (:func:`read_rows` never raises for a row).
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

from .errors import MemojiError
from .outputs import safe_name

__all__ = ["read_rows", "BatchInputError", "IMAGE_SUFFIXES", "MAX_CSV_BYTES"]

MAX_CSV_BYTES = 1 << 30
_PHOTO_COL = re.compile(r"^photo\d*$")


class BatchInputError(MemojiError):
    """The batch CSV itself cannot be used (missing, unreadable, no id/photo columns)."""

    exit_code = 2


def _override_keys() -> set[str]:
    from .recipe import CATEGORIES, COLOR_SLOTS

    return set(CATEGORIES) | {f"{s}_color" for s in COLOR_SLOTS} | {"skin", "clothes", "outfit", "background"}


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")


def _read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) rows of the batch input: a UTF-8 CSV, a Parquet file (``.parquet``, every column
    read as text; "line" is the row number + 1) or a folder of photos (one row per image file, id = its name)."""
    if path.is_dir():
        return _folder_table(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        return _parquet_table(path)
    return _csv_table(path)


def _folder_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    photos = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
    if not photos:
        raise BatchInputError(f"batch folder {path} holds no photos ({', '.join(IMAGE_SUFFIXES)})")
    return ["id", "photo"], [(n, [p.stem, p.name]) for n, p in enumerate(photos, start=2)]


def _parquet_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        from .errors import MissingDependencyError

        raise MissingDependencyError("reading Parquet needs pyarrow: pip install -e '.[distributed]' in the "
                                     "memoji-assembler checkout") \
            from None
    from .io import check_regular_file

    check_regular_file(path, what="batch Parquet file", error=BatchInputError)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …: all mean "not a usable Parquet file"
        raise BatchInputError(f"cannot read batch Parquet file {path}: {' '.join(str(exc).split())[:200]}") from None
    header = [str(c).strip() for c in table.column_names]
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [(n + 2, ["" if c[n] is None else str(c[n]) for c in cols]) for n in range(table.num_rows)]
    return header, rows


def _csv_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, cells) rows of a UTF-8 CSV; one :class:`BatchInputError` line for an unusable file."""
    from .io import check_regular_file

    check_regular_file(path, what="batch CSV", max_bytes=MAX_CSV_BYTES, error=BatchInputError)
    rows: list[tuple[int, list[str]]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            for cells in reader:
                if cells and any(c.strip() for c in cells):
                    rows.append((reader.line_num, cells))
    except UnicodeDecodeError as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: {exc}") from None
    except OSError as exc:
        raise BatchInputError(f"cannot read batch CSV {path}: {exc.strerror or exc}") from None
    if not header or not any(h.strip() for h in header):
        raise BatchInputError(f"batch CSV {path} is empty: it needs a header line with id and photo columns")
    return [h.strip() for h in header], rows


def read_rows(csv_path: str | os.PathLike) -> list[dict[str, Any]]:
    """Parse and validate the CSV into row jobs (with per-row errors for bad rows, never an exception for them)."""
    from .avatar import check_overrides

    path = Path(csv_path)
    header, table = _read_table(path)
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise BatchInputError(f"batch CSV {path} has duplicate columns: {', '.join(dupes)}")
    missing = [c for c in ("id", "photo") if c not in header]
    if missing:
        shown = ", ".join(h[:40] for h in header[:12])
        raise BatchInputError(f"batch CSV {path} needs columns id and photo (missing: {', '.join(missing)}; "
                              f"found: {shown})")
    photo_cols = sorted([c for c in header if _PHOTO_COL.match(c)], key=lambda c: (len(c), c))
    keys = _override_keys()
    override_cols = [c for c in header if c in keys]
    seen: dict[str, int] = {}
    rows = []
    for n, cells in table:
        rec = dict(zip(header, cells))
        row_id = rec.get("id", "").strip()
        job: dict[str, Any] = {"id": row_id, "line": n, "error": None}
        name = safe_name(row_id)
        if len(cells) != len(header):
            job["error"] = f"line {n}: {len(cells)} cells but the header has {len(header)} columns"
        elif not row_id:
            job["error"] = f"line {n}: empty id"
        elif not name:
            job["error"] = f"line {n}: id {row_id[:40]!r} cannot be used as a folder name"
        elif name in seen:
            job["error"] = f"line {n}: duplicate id {row_id[:40]!r} (first on line {seen[name]})"
        else:
            seen[name] = n
        job["name"] = name
        job["key"] = row_id if not job["error"] else f"{row_id}@line{n}"  # the progress key: unique per row
        photos = [rec[c].strip() for c in photo_cols if rec.get(c, "").strip()]
        # absolute, so a worker with another working folder (a Ray actor) finds the same file
        job["photos"] = [os.path.abspath(p if Path(p).is_absolute() else (path.parent / p)) for p in photos]
        if not photos and not job["error"]:
            job["error"] = f"line {n}: no photo"
        job["overrides"] = {c: (None if rec[c].strip().lower() == "none" else rec[c].strip())
                            for c in override_cols if rec.get(c, "").strip()}
        if not job["error"] and job["overrides"]:
            try:
                check_overrides(job["overrides"])
            except MemojiError as exc:
                job["error"] = f"line {n}: {exc}"
        rows.append(job)
    return rows
