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
               facial-hair part is drawn)
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
``joe_biden/``) are analysed again under each of :data:`assembler.relight.RELIGHTINGS`; the skin band and hair
colour family of the relit photo are compared with those of the photo as taken and with the label — measured, and
the recipe of the first method.

A labels file that cannot be used as a whole raises :class:`~assembler.errors.LabelsFileError`; a bad *row* (a
cell outside the vocabulary, an absolute or ``..`` path, a duplicate) is reported with its line and skipped.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import re
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import LabelsFileError, MissingDependencyError, ModelFileError, ModelFileNotFoundError, shown

__all__ = ["ATTRIBUTES", "CORE", "PUBLIC_DOMAIN_FOLDERS", "LabelRow", "LabelsFile", "PhotoResult", "LabelsReport",
           "read_labels", "skin_band", "hair_family", "label_class", "agrees", "measured_values", "recipe_values",
           "evaluate_labels"]

ATTRIBUTES = ("skin", "hair_colour", "hair_length", "hair_texture", "facial_hair", "glasses", "headwear",
              "expression")
CORE = ("skin", "hair_colour", "hair_length", "facial_hair", "glasses")  # the "all" column
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
CURL_LEVELS = ((1 / 6, "straight"), (0.5, "wavy"), (5 / 6, "curly"))  # below each bound; above the last: coily


# ---- reading labels.csv ----------------------------------------------------------------------------------------
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
    from .io import display_path, read_regular_file

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


# ---- mapping rules ---------------------------------------------------------------------------------------------
def skin_band(monk: int | None) -> str | None:
    """Monk 1–4 light, 5–7 medium, 8–10 dark."""
    if monk is None:
        return None
    return "light" if monk <= 4 else "medium" if monk <= 7 else "dark"


def _swatch(palette: str, colour: str | None):
    """The swatch of ``palette`` a recipe colour names (``name``, ``palette/name``, or the nearest one to a
    ``#hex``); None for anything else."""
    if not colour:
        return None
    from parts_library.palettes import PALETTES, hex_to_rgb, nearest, srgb_to_lab

    colour = str(colour)
    if colour.startswith("#"):
        try:
            return nearest(palette, srgb_to_lab(hex_to_rgb(colour)))[0]
        except (ValueError, KeyError):
            return None
    return PALETTES[palette].get(colour.rpartition("/")[2])


def _monk_of(colour: str | None) -> int | None:
    """The Monk tone of a recipe skin colour (``monk_07``, ``skin/monk_07`` or the nearest swatch to a ``#hex``)."""
    sw = _swatch("skin", colour)
    return None if sw is None else int(sw.name.split("_")[1])


def hair_family(colour: str | None) -> str | None:
    """The family of a hair palette colour (name or ``#hex`` → nearest swatch); white counts as gray."""
    sw = _swatch("hair", colour)
    if sw is None:
        return None
    return "gray" if sw.family == "white" else sw.family


def _tags(category: str, part_id: str | None) -> set[str] | None:
    if not part_id:
        return None
    from parts_library import load_library

    try:
        return set(load_library().get(part_id).tags)
    except Exception:  # noqa: BLE001 - an unknown part id (an edited recipe) has no class
        return None


def _length_of(tags: set[str] | None) -> str | None:
    from .search import TIED_TAGS

    if tags is None:
        return None
    if tags & TIED_TAGS:
        return "tied"
    found = [t for t in LENGTHS if t in tags]
    if found:
        return found[0]
    return "short" if tags & {"balding", "receding"} else None


def _texture_of(tags: set[str] | None) -> str | None:
    if tags is None or "bald" in tags:
        return None
    for cls, names in (("braids", {"braids", "box_braids", "cornrows", "locs"}), ("coily", {"coily", "afro", "puffs"}),
                       ("curly", {"curly"}), ("wavy", {"wavy"}), ("straight", {"straight"})):
        if tags & names:
            return cls
    return None


def _expression_of(tags: set[str] | None) -> str | None:
    if tags is None:
        return None
    if tags & {"teeth", "open"}:
        return "open_smile"
    return "smile" if "smile" in tags else "neutral"


def agrees(attr: str, label: str, got: str | None) -> bool | None:
    """Does ``got`` (a class) agree with the label value ``label`` (as written)? ``None``: the label is not scored."""
    want = label_class(attr, label)
    if want is None:
        return None
    if attr == "hair_colour" and label == "dark_brown" and got == "black":
        return True
    return got == want


def measured_values(attrs) -> dict[str, str | None]:
    """The class of each attribute from the classifier's :class:`~assembler.records.Attributes`."""
    bald = attrs.bald is not None and attrs.bald >= BALD_SURE
    length = "bald" if bald else attrs.hair_length if attrs.hair_length in LENGTHS else None
    texture = None
    if attrs.hair_curl is not None and length != "bald":
        texture = next((name for bound, name in CURL_LEVELS if attrs.hair_curl < bound), "coily")
    probs = attrs.probs or {}
    expression = None
    if "Mouth_Slightly_Open" in probs or "Smiling" in probs:
        expression = "open_smile" if probs.get("Mouth_Slightly_Open", 0.0) >= PRESENT else \
            "smile" if probs.get("Smiling", 0.0) >= PRESENT else "neutral"
    return {
        "skin": skin_band(attrs.skin_tone),
        "hair_colour": "none" if length == "bald" else hair_family(attrs.hair_color),
        "hair_length": length,
        "hair_texture": texture,
        "facial_hair": "present" if max((attrs.facial_hair or {}).values(), default=0.0) >= PRESENT else "none",
        "glasses": None if attrs.glasses is None else "present" if attrs.glasses >= PRESENT else "none",
        "headwear": None,  # not measured
        "expression": expression,
    }


def recipe_values(recipe) -> dict[str, str | None]:
    """The class of each attribute in what a recipe draws (a :class:`~assembler.recipe.Recipe` or its dict)."""
    parts = dict(getattr(recipe, "parts", None) or (recipe.get("parts") if isinstance(recipe, dict) else {}) or {})
    colors = dict(getattr(recipe, "colors", None) or (recipe.get("colors") if isinstance(recipe, dict) else {}) or {})
    parts = {k: (v.get("id") if isinstance(v, dict) else v) for k, v in parts.items()}
    hair_tags = _tags("hair", parts.get("hair"))
    length = _length_of(hair_tags)
    return {
        "skin": skin_band(_monk_of(colors.get("skin"))),
        "hair_colour": "none" if length == "bald" else hair_family(colors.get("hair")),
        "hair_length": length,
        "hair_texture": _texture_of(hair_tags),
        "facial_hair": "present" if parts.get("facial_hair") else "none",
        "glasses": "present" if parts.get("glasses") else "none",
        "headwear": "present" if parts.get("headwear") else "none",
        "expression": _expression_of(_tags("mouth", parts.get("mouth"))),
    }


# ---- one photo -------------------------------------------------------------------------------------------------
@dataclass
class PhotoResult:
    """What the pipeline made of one labelled photo (as taken, or under ``relight``)."""

    row: LabelRow
    relight: str = ""  # "" = the photo as taken
    error: str | None = None
    measured: dict[str, str | None] = field(default_factory=dict)
    monk: int | None = None  # measured Monk tone
    hair_color: str | None = None  # measured hair palette colour
    recipes: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> values / colours / parts / error
    seconds: dict[str, float] = field(default_factory=dict)

    def values(self, source: str) -> dict[str, str | None]:
        """``measured`` or a method name (the recipe under that method); all ``None`` where it failed."""
        if self.error:
            return {}
        if source == "measured":
            return self.measured
        return (self.recipes.get(source) or {}).get("values") or {}


def _seed_for(seed: int, method: str, rel: str) -> int:
    """``seed`` for every method except ``random``, which draws one avatar per photo (as ``memoji eval DIR``)."""
    return seed if method != "random" else seed + zlib.crc32(rel.encode()) % 100_000


def _error_text(err: BaseException) -> str:
    from .errors import MemojiError

    text = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
    return text if isinstance(err, (MemojiError, ValueError)) else f"internal error ({type(err).__name__}: {text})"


def _photo_job(job: tuple) -> dict[str, Any]:
    """Analyse one photo once, then choose a recipe per method (picklable: runs in worker processes)."""
    path, rel, relight_name, methods, seed = job
    from .analyze import get_analyzer
    from .classify import classify
    from .search import SearchConfig, choose_recipe, gather_evidence

    out: dict[str, Any] = {"error": None, "recipes": {}, "seconds": {}}
    t0 = time.perf_counter()
    try:
        image: Any = path
        if relight_name:
            from .io import load_image
            from .relight import relight

            image = relight(load_image(path), relight_name)
        face = get_analyzer()(image, max_faces=1)[0]
        attrs = classify(face)
        ev = gather_evidence([face])
    except _SETUP_ERRORS:  # a missing model or package fails every photo alike: stop with its one line
        raise
    except Exception as err:  # noqa: BLE001 - a refused photo is a recorded miss, never the end of the run
        out["error"] = _error_text(err)
        return out
    out["seconds"]["analyze"] = time.perf_counter() - t0
    out.update(measured=measured_values(attrs), monk=attrs.skin_tone, hair_color=attrs.hair_color)
    for method in methods:
        t0 = time.perf_counter()
        try:
            recipe = choose_recipe(ev, method, SearchConfig(seed=_seed_for(seed, method, rel)))
            out["recipes"][method] = {
                "values": recipe_values(recipe), "skin": recipe.colors.get("skin"), "hair": recipe.colors.get("hair"),
                "parts": {c: recipe.parts.get(c) for c in ("hair", "facial_hair", "glasses", "headwear", "mouth")}}
        except Exception as err:  # noqa: BLE001 - one method failing on one photo is recorded
            out["recipes"][method] = {"error": _error_text(err)}
        out["seconds"][method] = time.perf_counter() - t0
    return out


def _init_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass


# ---- the report ------------------------------------------------------------------------------------------------
def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:.0f} % ({ok}/{n})" if n else "–"


@dataclass
class LabelsReport:
    labels: LabelsFile
    methods: list[str]
    results: list[PhotoResult]  # photos as taken, in label order
    relit: list[PhotoResult] = field(default_factory=list)
    relightings: list[str] = field(default_factory=list)
    total_s: float = 0.0
    workers: int = 1
    reused: int = 0  # results taken from an interrupted run's progress file

    @property
    def sources(self) -> list[str]:
        return ["measured", *self.methods]

    @property
    def relight_method(self) -> str | None:
        return self.methods[0] if self.methods else None

    # -- scores --
    def agreement(self, source: str, group: str | None = None) -> dict[str, tuple[int, int]]:
        """``{attribute: (right, scored)}`` plus ``all`` (right on every scored core attribute) for ``source``
        (``measured`` or a method) over the photos of ``group`` (None: all)."""
        out = {a: [0, 0] for a in (*ATTRIBUTES, "all")}
        for res in self.results:
            if group is not None and res.row.group != group:
                continue
            got = res.values(source)
            every = True
            for attr in ATTRIBUTES:
                ok = agrees(attr, res.row.labels[attr], got.get(attr))
                if ok is None or (source == "measured" and attr == "headwear"):
                    continue
                out[attr][0] += ok
                out[attr][1] += 1
                every = every and (ok or attr not in CORE)
            out["all"][0] += every
            out["all"][1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def confusion(self, attr: str, source: str, results: Sequence[PhotoResult] | None = None) -> Counter:
        """``Counter[(label class, got)]`` (``?`` where the source gave nothing) over ``results`` (default: the
        photos as taken). A hair colour labelled ``dark_brown`` keeps its own row (drawn black it is right)."""
        tally: Counter = Counter()
        for res in self.results if results is None else results:
            want = res.row.truth(attr)
            if want is None:
                continue
            if attr == "hair_colour" and res.row.labels[attr] == "dark_brown":
                want = "dark_brown"
            tally[(want, res.values(source).get(attr) or "?")] += 1
        return tally

    def relight_summary(self) -> list[dict[str, Any]]:
        """Per relighting: how often the relit photo's skin band / hair family equals the photo as taken's and the
        label's, measured and in the recipe of :attr:`relight_method`; mean |Δ Monk| of the measurement."""
        base = {r.row.path: r for r in self.results}
        out = []
        for name in self.relightings:
            rows = [r for r in self.relit if r.relight == name]
            d: dict[str, Any] = {"relight": name, "photos": len(rows), "refused": sum(bool(r.error) for r in rows)}
            for source in ("measured", self.relight_method):
                for attr in ("skin", "hair_colour"):
                    same = [0, 0]
                    lab = [0, 0]
                    for r in rows:
                        got = r.values(source).get(attr)
                        b = base.get(r.row.path)
                        if b is not None and not b.error and b.values(source).get(attr) is not None:
                            same[0] += got == b.values(source).get(attr)
                            same[1] += 1
                        ok = agrees(attr, r.row.labels[attr], got)
                        if ok is not None:
                            lab[0] += ok
                            lab[1] += 1
                    key = "measured" if source == "measured" else "recipe"
                    d[f"{key}_{attr}_same"] = tuple(same)
                    d[f"{key}_{attr}_label"] = tuple(lab)
            shifts = [abs(r.monk - base[r.row.path].monk) for r in rows
                      if r.monk is not None and r.row.path in base and base[r.row.path].monk is not None]
            d["monk_shift"] = sum(shifts) / len(shifts) if shifts else math.nan
            out.append(d)
        return out

    # -- writing --
    def _table(self, tally: Counter, rows: Sequence[str], cols: Sequence[str],
               corner: str = "label \\ got") -> list[str]:
        cols = [c for c in cols if any(tally[(r, c)] for r in rows)] + \
            sorted({g for (_, g) in tally if g not in cols})
        lines = [f"| {corner} | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for r in rows:
            if any(tally[(r, c)] for c in cols):
                lines.append(f"| {r} | " + " | ".join(str(tally[(r, c)] or "") for c in cols) + " |")
        return lines

    def to_markdown(self) -> str:
        n_groups = Counter(r.row.group for r in self.results)
        md = [f"Labels: `{self.labels.path}` — {len(self.results)} photos ("
              + ", ".join(f"{g} {n_groups[g]}" for g in self.labels.groups) + f"); methods: "
              + ", ".join(f"`{m}`" for m in self.methods)
              + (f"; {len(self.labels.errors)} label row(s) skipped" if self.labels.errors else "") + ".",
              "",
              "*measured* = the classifier's attributes (one per photo, whatever the method); a method's row = what "
              "that method's recipe draws. Each cell: agreement with the label, % (right/scored). *all* = right on "
              "every scored one of skin, hair colour, hair length, facial hair and glasses. Rules: "
              "`assembler/labels_eval.py`.", ""]
        attrs = list(ATTRIBUTES)
        md += ["| group | source | " + " | ".join(a.replace("_", " ") for a in attrs) + " | all |",
               "|---|---|" + "---|" * (len(attrs) + 1)]
        for group in [*self.labels.groups, None]:
            if group is None and len(self.labels.groups) < 2:
                continue
            for source in self.sources:
                s = self.agreement(source, group)
                cells = ["–" if source == "measured" and a == "headwear" else _pct(*s[a]) for a in attrs]
                md.append(f"| {group or 'all'} | {source} | " + " | ".join(cells) + f" | {_pct(*s['all'])} |")
        hair_rows = ("black", "dark_brown", "brown", "blonde", "red", "gray", "vivid")
        for attr, rows, cols in (("skin", SKIN_BANDS, SKIN_BANDS), ("hair_colour", hair_rows, HAIR_FAMILIES)):
            title = "Skin band" if attr == "skin" else \
                "Hair colour family (label dark_brown: right when brown or black)"
            md += ["", f"### {title}: label × got (all groups)", ""]
            for source in self.sources:
                md += [f"{source}:", ""] + self._table(self.confusion(attr, source), rows, [*cols, "none"]) + [""]
        if self.relightings:
            md += self._relight_markdown()
        bad = [r for r in self.results if r.error]
        if bad:
            md += ["", f"Photos the pipeline refused ({len(bad)}, a miss on every attribute): "
                   + "; ".join(f"`{r.row.path}` ({r.error})" for r in bad)]
        failed = [(r.row.path, m, v["error"]) for r in self.results for m, v in r.recipes.items() if v.get("error")]
        if failed:
            md += ["", f"Recipes that failed ({len(failed)}): "
                   + "; ".join(f"`{p}` {m} ({e})" for p, m, e in failed[:20])]
        if self.labels.errors:
            md += ["", "Label rows skipped: " + "; ".join(f"line {n}: {e}" for n, e in self.labels.errors[:20])]
        md += ["", self._timing_line(), ""]
        return "\n".join(md)

    def _relight_markdown(self) -> list[str]:
        m = self.relight_method
        n_photos = len({r.row.path for r in self.relit})
        md = ["", f"### Relighting ({n_photos} photos × {len(self.relightings)} relightings, "
                  f"`assembler/relight.py`)", "",
              f"Skin band and hair colour family of the relit photo: the same as the photo as taken (*= unlit*) and "
              f"the same as the label (*= label*); measured, and drawn by `{m}`. Δ Monk: mean |measured Monk tone "
              f"relit − as taken|.", "",
              "| relighting | photos | skin = unlit | skin = label | recipe skin = unlit | recipe skin = label "
              "| hair = unlit | hair = label | recipe hair = unlit | recipe hair = label | Δ Monk |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        relit_paths = {x.row.path for x in self.relit}
        sub = LabelsReport(self.labels, self.methods, [r for r in self.results if r.row.path in relit_paths])
        b, br = sub.agreement("measured"), sub.agreement(m) if m else {}
        md.append(f"| as taken | {len(sub.results)} | – | {_pct(*b['skin'])} | – | {_pct(*br.get('skin', (0, 0)))} "
                  f"| – | {_pct(*b['hair_colour'])} | – | {_pct(*br.get('hair_colour', (0, 0)))} | – |")
        for d in self.relight_summary():
            refused = f" ({d['refused']} refused)" if d["refused"] else ""
            md.append(f"| {d['relight']} | {d['photos']}{refused} | " + " | ".join(
                _pct(*d[k]) for k in ("measured_skin_same", "measured_skin_label", "recipe_skin_same",
                                      "recipe_skin_label", "measured_hair_colour_same", "measured_hair_colour_label",
                                      "recipe_hair_colour_same", "recipe_hair_colour_label"))
                + (f" | {d['monk_shift']:.2f} |" if d["monk_shift"] == d["monk_shift"] else " | – |"))
        md += ["", "Skin band under relighting, label × measured (every relit photo):", ""]
        md += self._table(self.confusion("skin", "measured", self.relit), SKIN_BANDS, SKIN_BANDS)
        md += ["", "Skin band under relighting, as taken × relit (measured):", ""]
        base_by = {r.row.path: r.values("measured").get("skin") or "?" for r in self.results}
        tally = Counter((base_by.get(r.row.path, "?"), r.values("measured").get("skin") or "?") for r in self.relit)
        md += self._table(tally, [*SKIN_BANDS, "?"], SKIN_BANDS, corner="as taken \\ relit")
        return md

    def _timing_line(self) -> str:
        def median(vals):
            vals = sorted(vals)
            return vals[len(vals) // 2] if vals else math.nan

        parts = [f"analyze {median([r.seconds['analyze'] for r in self.results if 'analyze' in r.seconds]):.2f} s"]
        for m in self.methods:
            parts.append(f"{m} {median([r.seconds[m] for r in self.results if m in r.seconds]):.2f} s")
        return (f"Median time per photo: {', '.join(parts)}. Wall time {self.total_s:.0f} s with {self.workers} "
                f"worker(s) on {platform.machine()} ({os.cpu_count()} CPUs), {len(self.results)} photos"
                + (f" + {len(self.relit)} relit" if self.relit else "")
                + (f"; {self.reused} results reused from an interrupted run (--resume)." if self.reused else "."))

    def csv_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Header and rows of the per-photo CSV (photos as taken, then the relit ones)."""
        head = ["path", "group", "relight", "error", "confidence"] + [f"label_{a}" for a in ATTRIBUTES] + \
            ["monk_measured", "hair_color_measured"] + [f"measured_{a}" for a in ATTRIBUTES]
        for m in self.methods:
            head += [f"{m}_skin_color", f"{m}_hair_color", f"{m}_hair_part", f"{m}_facial_hair_part",
                     f"{m}_glasses_part", f"{m}_mouth_part", f"{m}_error"] + [f"{m}_{a}" for a in ATTRIBUTES]
        head.append("comment")
        rows = []
        for r in [*self.results, *self.relit]:
            d: dict[str, Any] = {"path": r.row.path, "group": r.row.group, "relight": r.relight, "error": r.error,
                                 "confidence": r.row.confidence, "comment": r.row.comment,
                                 "monk_measured": r.monk, "hair_color_measured": r.hair_color}
            d.update({f"label_{a}": r.row.labels[a] for a in ATTRIBUTES})
            d.update({f"measured_{a}": v for a, v in r.measured.items()})
            for m, rec in r.recipes.items():
                parts = rec.get("parts") or {}
                d.update({f"{m}_skin_color": rec.get("skin"), f"{m}_hair_color": rec.get("hair"),
                          f"{m}_hair_part": parts.get("hair"), f"{m}_facial_hair_part": parts.get("facial_hair"),
                          f"{m}_glasses_part": parts.get("glasses"), f"{m}_mouth_part": parts.get("mouth"),
                          f"{m}_error": rec.get("error")})
                d.update({f"{m}_{a}": v for a, v in (rec.get("values") or {}).items()})
            rows.append(d)
        return head, rows

    def to_csv(self) -> str:
        from .batch import csv_cell

        head, rows = self.csv_rows()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        for d in rows:
            w.writerow([csv_cell(d.get(k)) for k in head])
        return buf.getvalue()

    def save(self, out_dir) -> dict[str, Path]:
        """Write ``eval_labels.md`` and ``eval_labels.csv`` into ``out_dir`` (atomically, never outside it)."""
        from index.vector import atomic_write

        from .outputs import ensure_writable_dir, inside

        out_dir = ensure_writable_dir(out_dir)
        paths = {"markdown": inside(out_dir, "eval_labels.md"), "csv": inside(out_dir, "eval_labels.csv")}
        atomic_write(paths["markdown"], ("# Glance attributes against labels\n\n" + self.to_markdown()).encode())
        atomic_write(paths["csv"], self.to_csv().encode())
        return paths


# ---- the run ---------------------------------------------------------------------------------------------------
def _job_key(job: tuple) -> str:
    _, rel, relight_name, methods, seed = job
    return json.dumps([rel, relight_name, list(methods), seed])


def _read_progress(path: Path) -> dict[str, dict[str, Any]]:
    """``{job key: result}`` from a progress file of an earlier, interrupted run (unreadable lines are skipped)."""
    done: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return done
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # the line a kill cut short
        if isinstance(rec, dict) and isinstance(rec.get("key"), str) and isinstance(rec.get("out"), dict) \
                and isinstance(rec["out"].get("recipes"), dict) and isinstance(rec["out"].get("seconds"), dict):
            done[rec["key"]] = rec["out"]
    return done


def evaluate_labels(labels, methods: Sequence[str] = ("search",), *, root=None, relight: bool = False,
                    relight_folders: Sequence[str] = PUBLIC_DOMAIN_FOLDERS, seed: int = 0, workers: int = 1,
                    progress: bool = True, progress_file=None, resume: bool = False) -> LabelsReport:
    """Score every labelled photo (see the module docstring). ``labels``: a path or a :class:`LabelsFile`;
    ``workers`` > 1 runs photos in that many processes (one thread each).

    ``progress_file``: every photo's result is appended there as soon as it is done (JSON lines); with ``resume``
    the results already in it (same photo, relighting, methods and seed) are reused instead of recomputed — for a
    run of an hour that was interrupted. Without ``resume`` the file is started afresh."""
    from tqdm.auto import tqdm

    from .relight import RELIGHTINGS
    from .search import METHODS

    t_start = time.perf_counter()
    lf = labels if isinstance(labels, LabelsFile) else read_labels(labels, root)
    methods = list(methods)
    for m in methods:
        if m not in METHODS:
            from .errors import UnknownNameError, did_you_mean

            raise UnknownNameError(f"unknown method '{m}'{did_you_mean(m, METHODS)} (methods: {', '.join(METHODS)})")
    folders = tuple(f.strip("/") for f in relight_folders if f.strip("/"))
    relit_rows = [r for r in lf.rows if PurePosixPath(r.path).parts[0] in folders] if relight else []
    jobs = [(str(lf.root / r.path), r.path, "", tuple(methods), seed) for r in lf.rows]
    jobs += [(str(lf.root / r.path), r.path, name, tuple(methods[:1]), seed)
             for r in relit_rows for name in RELIGHTINGS]
    keys = [_job_key(j) for j in jobs]
    done = _read_progress(Path(progress_file)) if resume and progress_file is not None else {}
    outs: dict[str, dict[str, Any]] = {k: done[k] for k in keys if k in done}
    todo = [(k, j) for k, j in zip(keys, jobs) if k not in outs]
    log = None
    if progress_file is not None:
        log = open(progress_file, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        for k in outs:  # what is reused stays in the file for the next resume
            log.write(json.dumps({"key": k, "out": outs[k]}) + "\n")
        log.flush()

    def record(key: str, out: dict[str, Any]) -> None:
        outs[key] = out
        if log is not None:
            log.write(json.dumps({"key": key, "out": out}, default=str) + "\n")
            log.flush()

    bar = tqdm(total=len(todo), desc="photos", unit="photo", disable=not progress)
    try:
        if workers > 1 and len(todo) > 1:
            import multiprocessing as mp

            with mp.get_context("spawn").Pool(min(workers, len(todo)), initializer=_init_worker) as pool:
                for key, out in pool.imap_unordered(_keyed_job, todo, chunksize=1):
                    record(key, out)
                    bar.update()
        else:
            for key, job in todo:
                record(key, _photo_job(job))
                bar.update()
    finally:
        bar.close()
        if log is not None:
            log.close()
    by_path = {r.path: r for r in lf.rows}
    results: list[PhotoResult] = []
    relit: list[PhotoResult] = []
    for key, (_, rel, name, _, _) in zip(keys, jobs):
        o = outs[key]
        pr = PhotoResult(row=by_path[rel], relight=name, error=o.get("error"), measured=o.get("measured") or {},
                         monk=o.get("monk"), hair_color=o.get("hair_color"), recipes=o["recipes"],
                         seconds=o["seconds"])
        (relit if name else results).append(pr)
    return LabelsReport(labels=lf, methods=methods, results=results, relit=relit,
                        relightings=list(RELIGHTINGS) if relight else [], total_s=time.perf_counter() - t_start,
                        workers=workers, reused=sum(k in done for k in keys))


def _keyed_job(item: tuple[str, tuple]) -> tuple[str, dict[str, Any]]:
    key, job = item
    return key, _photo_job(job)
