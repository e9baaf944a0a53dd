"""Agreement with what a person sees at a glance: ``memoji eval --labels labels.csv`` (see ../shared/faces/README.md
for the labels' meaning).

``labels.csv`` has one row per photo: ``path`` (relative to the photos folder, by default the labels file's own),
``skin``, ``hair_colour``, ``hair_length``, ``hair_texture``, ``facial_hair``, ``glasses``, ``headwear``,
``expression`` and optionally ``confidence``, ``comment`` and ``group``. Every photo is analysed and classified
**once**; the *measured* attributes (the classifier's output) do not depend on the search method, so they are scored
once, and the *recipe* (what the avatar draws) is chosen from the same analysis under every requested method (the
same ``analyze → classify → gather_evidence → choose_recipe`` path as :func:`assembler.make`, without the render).

Rules (label → class; measurement / recipe → class):

=============  ====================================================================================================
attribute      rule
=============  ====================================================================================================
skin           band light = Monk 1–4, medium = 5–7, dark = 8–10 (measured: the Monk tone; recipe: ``monk_NN``)
hair_colour    family of the hair palette: black, brown, blonde, red, gray (white counts as gray), vivid; a label
               ``dark_brown`` is also right when drawn black; bald (label ``none``) is not scored, and a head
               measured / drawn bald has hair colour ``none``
hair_length    bald, buzz, short, medium, long, tied (measured: ``bald`` ≥ 0.6 else the measured class; recipe:
               the hair part's tags as the search classes them — ``ponytail`` / ``bun`` / ``man_bun`` = tied, else
               the shortest length tag, ``balding`` / ``receding`` alone = short)
hair_texture   straight, wavy, curly, coily, braids (label ``locs`` = braids; ``none`` not scored). Measured: the
               curl 0..1 to the nearest of the search's texture levels straight 0, wavy ⅓, curly ⅔, coily 1 (never
               braids); recipe: tags braids / box_braids / cornrows / locs = braids, coily / afro / puffs = coily,
               curly, wavy, straight
facial_hair    present / none (measured: the largest of beard, moustache, goatee, stubble ≥ 0.5; recipe: a
               facial-hair part is drawn). Its *kind* is reported apart, as a table of label × drawn (not in
               *all*): beard, goatee, moustache, stubble (measured: the kind covering the most hair among those ≥ 0.5;
               recipe: the part's tags; a beard without a moustache is shown as ``chinstrap``)
glasses        present / none (measured: probability ≥ 0.5; recipe: a glasses part is drawn)
headwear       present / none (not measured: recipe only; the search never invents headwear)
expression     neutral, smile, open_smile (label ``other`` not scored). Measured: ``Mouth_Slightly_Open`` ≥ 0.5 =
               open_smile, else ``Smiling`` ≥ 0.5 = smile, else neutral; recipe: a mouth part tagged teeth / open
               = open_smile, smile = smile, else neutral
=============  ====================================================================================================

*all* = right on every scored one of the five core attributes (skin, hair colour, hair length, facial hair,
glasses). A photo the pipeline refuses (no face found …) is a miss on every attribute it has a label for.

Groups: the ``group`` column where present, else ``portraits`` for paths under ``_portraits/`` and ``dev`` for the
rest (the development photos of ../shared/faces).

Relighting (``relight=True``): the photos under ``relight_folders`` (the public-domain ones: ``barack_obama/``,
``joe_biden/``) are analysed again under each of :data:`assembler.evaluation.relighting.RELIGHTINGS`; the skin band and hair
colour family of the relit photo are compared with those of the photo as taken and with the label — measured, and
the recipe of the first method.

Degradation (``degrade=True``): every photo again, re-encoded as JPEG and shrunk
(:data:`assembler.evaluation.degrading.DEGRADATIONS`); the first method's recipe is scored against the labels on the
core attributes and compared with the recipe of the photo as taken.

A labels file that cannot be used as a whole raises :class:`~assembler.errors.LabelsFileError`; a bad *row* (a
cell outside the vocabulary, an absolute or ``..`` path, a duplicate) is reported with its line and skipped.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from parts_library.vocabulary import CURL_BOUNDS, HAIR_TEXTURES

from ..errors import LabelsFileError, MissingDependencyError, ModelFileError, ModelFileNotFoundError, shown

__all__ = ["ATTRIBUTES", "CORE", "FACIAL_HAIR_KINDS", "facial_hair_kind_label", "PUBLIC_DOMAIN_FOLDERS", "SKIN_BANDS",
           "HAIR_FAMILIES", "LENGTHS", "TEXTURES", "EXPRESSIONS", "LabelRow", "LabelsFile", "read_labels",
           "label_class"]

ATTRIBUTES = ("skin", "hair_colour", "hair_length", "hair_texture", "facial_hair", "glasses", "headwear",
              "expression")
CORE = ("skin", "hair_colour", "hair_length", "facial_hair", "glasses")  # the "all" column
FACIAL_HAIR_KINDS = ("none", "stubble", "moustache", "goatee", "beard", "chinstrap")  # the kind table's columns
REQUIRED_COLUMNS = ("path",) + ATTRIBUTES
SKIN_BANDS = ("light", "medium", "dark")
HAIR_FAMILIES = ("black", "brown", "blonde", "red", "gray", "vivid")
LENGTHS = ("bald", "buzz", "short", "medium", "long", "tied")
TEXTURES = ("straight", "wavy", "curly", "coily", "braids")
EXPRESSIONS = ("neutral", "smile", "open_smile")
PUBLIC_DOMAIN_FOLDERS = ("barack_obama", "joe_biden")
MAX_LABELS_BYTES = 20_000_000
# errors that would fail every photo alike (a missing model or package): they end the run instead of being recorded
_SETUP_ERRORS = (MissingDependencyError, ModelFileNotFoundError, ModelFileError)

# the vocabulary of each label column, and the class each value is scored as (None: not scored)
_LABEL_CLASS: dict[str, dict[str, str | None]] = {
    "skin": {b: b for b in SKIN_BANDS},
    "hair_colour": {"black": "black", "dark_brown": "brown", "brown": "brown", "light_brown": "brown",
                    "blond": "blonde", "blonde": "blonde", "red": "red", "auburn": "red", "gray": "gray",
                    "grey": "gray", "white": "gray", "vivid": "vivid", "none": None},
    "hair_length": {v: v for v in LENGTHS},
    "hair_texture": {**{t: t for t in TEXTURES}, "locs": "braids", "none": None},
    "facial_hair": {"none": "none", "beard": "present", "goatee": "present", "moustache": "present",
                    "mustache": "present", "stubble": "present"},
    "glasses": {"none": "none", "glasses": "present", "sunglasses": "present"},
    "headwear": {"none": "none", **{h: "present" for h in ("hat", "cap", "beanie", "hijab", "headscarf", "turban",
                                                            "headband", "other")}},
    "expression": {**{e: e for e in EXPRESSIONS}, "other": None},
}
_CONFIDENCE = ("high", "low", "")
_TOKEN = re.compile(r"^[a-z0-9_-]{1,40}$")
BALD_SURE = 0.6  # measured baldness from which the head counts as bald (as the search's length constraint)
PRESENT = 0.5  # measured probability from which facial hair / glasses / an expression count as present
CURL_LEVELS = tuple(zip(CURL_BOUNDS, HAIR_TEXTURES))  # below each bound; above the last: coily


@dataclass
class LabelRow:
    """One usable row of labels.csv: the photo and what a person sees (values lower-cased, as written)."""

    line: int
    path: str
    group: str
    labels: dict[str, str]
    confidence: str = ""
    comment: str = ""

    def truth(self, attr: str) -> str | None:
        """The class the label is scored as (``None``: not scored, e.g. the hair colour of a bald head)."""
        return label_class(attr, self.labels[attr])


@dataclass
class LabelsFile:
    path: Path
    root: Path  # photos are root / row.path
    rows: list[LabelRow]
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message) of rows that were skipped

    @property
    def groups(self) -> list[str]:
        seen = sorted({r.group for r in self.rows}, key=lambda g: (g != "dev", g != "portraits", g))
        return seen


def facial_hair_kind_label(value: str) -> str:
    """The kind of facial hair a ``facial_hair`` label names (``mustache`` spelt as the parts library does)."""
    return "moustache" if value == "mustache" else value


def label_class(attr: str, value: str) -> str | None:
    return _LABEL_CLASS[attr][value]


def _row_problem(cells: dict[str, Any], seen: set[str]) -> str | None:
    """Why a row cannot be used, or None."""
    missing = [c for c in REQUIRED_COLUMNS if cells.get(c) is None]
    if missing:
        return f"fewer cells than columns (no {missing[0]})"
    path = cells["path"].strip()
    if not path:
        return "empty path"
    if len(path) > 400 or not path.isprintable() or "\\" in path:
        return f"path {shown(path)} is not a plain relative path"
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or path.startswith("~"):
        return f"path {shown(path)} must stay inside the photos folder (relative, no '..')"
    if str(p) in seen:
        return f"path {shown(path)} is labelled twice"
    for attr in ATTRIBUTES:
        v = cells[attr].strip().lower()
        if v not in _LABEL_CLASS[attr]:
            return f"{attr} {shown(cells[attr])} is not one of {', '.join(_LABEL_CLASS[attr])}"
    conf = (cells.get("confidence") or "").strip().lower()
    if conf not in _CONFIDENCE:
        return f"confidence {shown(cells.get('confidence'))} is not high, low or empty"
    group = (cells.get("group") or "").strip().lower()
    if group and not _TOKEN.match(group):
        return f"group {shown(cells.get('group'))} is not a plain name (a-z, 0-9, '_', '-')"
    return None


def read_labels(path, root=None) -> LabelsFile:
    """Read and check a labels file (see the module docstring); photos are resolved against ``root`` (default: the
    labels file's folder). Raises :class:`LabelsFileError` when the file as a whole is unusable."""
    from ..io import display_path, read_regular_file

    path = Path(path)
    name = display_path(path)
    data = read_regular_file(path, what="labels file", max_bytes=MAX_LABELS_BYTES, error=LabelsFileError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LabelsFileError(f"cannot read labels file {name}: not UTF-8 text (byte {err.start})") from None
    if "\x00" in text:
        raise LabelsFileError(f"cannot read labels file {name}: it holds NUL bytes (not a CSV text file)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as err:
        raise LabelsFileError(f"cannot read labels file {name}: line 1: {err}") from None
    if not any(header):
        raise LabelsFileError(f"cannot read labels file {name}: it is empty (expected a header: "
                              f"{','.join(REQUIRED_COLUMNS)})")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise LabelsFileError(f"labels file {name} lacks the column(s) {', '.join(missing)} (header: "
                              f"{shown(','.join(header), 120)})")
    if len(set(header)) != len(header):
        raise LabelsFileError(f"labels file {name} names a column twice (header: {shown(','.join(header), 120)})")
    rows: list[LabelRow] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    while True:
        line = reader.line_num + 1  # where the next record starts (a quoted cell may span lines)
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:  # an over-long field, a NUL: the rest of the file cannot be trusted
            raise LabelsFileError(f"cannot read labels file {name}: line {line}: {err}") from None
        if not any(v.strip() for v in record):
            continue  # a blank line
        if len(record) > len(header):
            errors.append((line, f"more cells ({len(record)}) than the {len(header)} columns"))
            continue
        cells: dict[str, Any] = dict(zip(header, record))
        problem = _row_problem(cells, seen)
        if problem:
            errors.append((line, problem))
            continue
        rel = str(PurePosixPath(cells["path"].strip()))
        seen.add(rel)
        group = (cells.get("group") or "").strip().lower() or (
            "portraits" if PurePosixPath(rel).parts[0] == "_portraits" else "dev")
        rows.append(LabelRow(line=line, path=rel, group=group,
                             labels={a: cells[a].strip().lower() for a in ATTRIBUTES},
                             confidence=(cells.get("confidence") or "").strip().lower(),
                             comment=(cells.get("comment") or "").strip()))
    if not rows:
        first = f": line {errors[0][0]}: {errors[0][1]}" if errors else ""
        raise LabelsFileError(f"labels file {name} has no usable row{first}")
    return LabelsFile(path=path, root=Path(root) if root is not None else path.parent, rows=rows, errors=errors)
