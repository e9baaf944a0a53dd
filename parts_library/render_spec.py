"""Render-spec normalisation: what a spec or recipe may say and how it is read before anything is drawn. The recipe
schema versions this renderer reads, the colour slots and their defaults (:func:`resolve_colors`, and the
placeholder fill table built from them), the parts mapping, the outfit and background (:func:`resolve_outfit`,
:func:`resolve_background`) and the per-part params (:func:`validate_params`). Every check raises a one-line
:class:`SpecError` / :class:`UnknownNameError` / :class:`ColorError` that never echoes a hostile value in full.
"""
from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

from .errors import ColorError, MemojiError, UnknownNameError, described, did_you_mean, shown
from .library import CATEGORIES, REQUIRED, PartsLibrary
from .outfits import DEFAULT_OUTFIT, OUTFITS
from .palettes import lip_for_skin, parse_color
from .svg import slot_colors
from .vocabulary import COLOR_SLOTS

__all__ = ["SpecError", "SCHEMA_VERSION", "SCHEMA_VERSIONS", "SLOTS", "DEFAULT_COLORS", "PARAM_KEYS", "STRETCH_RANGE",
           "PARAM_RANGES", "schema_version_error", "check_schema_version", "resolve_outfit", "resolve_background",
           "resolve_colors", "validate_params"]

# the recipe schema this renderer writes (assembler.recipe.SCHEMA_VERSION) and the ones it reads: version 1 had no
# outfit and no background (drawn as the default outfit on a transparent background)
SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
SLOTS: tuple[str, ...] = COLOR_SLOTS  # the recipe's colour slots (parts_library.vocabulary)
DEFAULT_COLORS = {"skin": "monk_05", "hair": "dark_brown", "eyes": "brown", "glasses": "black", "headwear": "navy",
                  "clothes": "navy"}
PARAM_KEYS = ("scale", "dx", "dy", "stretch")
STRETCH_RANGE = (0.7, 1.4)


class SpecError(MemojiError, ValueError):
    """A render spec / recipe that cannot be drawn (missing required part, bad parameter)."""

    exit_code = 2


# ---- spec normalisation ----------------------------------------------------------------------------------------
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}", re.ASCII)


def _key(name: Any) -> str:
    """A user-given name for an error message: as is when it is a short plain identifier, else a cut repr."""
    if isinstance(name, str) and _ID.fullmatch(name):
        return f"'{name}'"
    return shown(name)


def _hint(name: Any, choices) -> str:
    return did_you_mean(name, choices) if isinstance(name, str) and _ID.fullmatch(name) else ""


def schema_version_error(version: Any) -> str | None:
    """The one-line complaint about a recipe's ``schema_version`` (an int in :data:`SCHEMA_VERSIONS`, not a bool),
    or None when this renderer reads it."""
    if type(version) is int and version in SCHEMA_VERSIONS:
        return None
    reads = f"{SCHEMA_VERSIONS[0]} to {SCHEMA_VERSIONS[-1]}"
    if type(version) is int and version > SCHEMA_VERSIONS[-1]:
        return (f"recipe schema_version {version} is newer than this memoji-assembler reads ({reads}): "
                "upgrade memoji-assembler to draw it")
    return f"recipe schema_version {shown(version)} is not supported (this version reads {reads})"


def check_schema_version(spec: Mapping, error: type[MemojiError] | None = None) -> None:
    """A spec/recipe that names a ``schema_version`` must name one this renderer reads (:data:`SCHEMA_VERSIONS`);
    none is fine for a bare render spec."""
    if "schema_version" not in spec:
        return
    problem = schema_version_error(spec["schema_version"])
    if problem:
        raise (error or SpecError)(problem)


def resolve_outfit(value: Any) -> str:
    """An outfit name (:data:`parts_library.outfits.OUTFITS`) → itself; None → the default outfit; anything else
    is a one-line error (an unknown name with "did you mean")."""
    if value is None:
        return DEFAULT_OUTFIT
    if isinstance(value, str) and value in OUTFITS:
        return value
    if not isinstance(value, str):
        raise SpecError(f"'outfit' must be an outfit name, got {described(value)} (outfits: {', '.join(OUTFITS)})")
    raise UnknownNameError(f"unknown outfit {_key(value)}{_hint(value, OUTFITS)} (outfits: {', '.join(OUTFITS)})")


def resolve_background(value: Any) -> tuple[str, ...]:
    """A background → its colours as normalised ``#rrggbb``: None or ``"none"`` → ``()`` (transparent); a colour
    (``#rgb``, ``#rrggbb``, a palette name: clothes names plain, others as ``hair/pink``) → one; a list of two
    colours, or ``"c1,c2"`` → a vertical gradient. Every colour goes through
    :func:`parts_library.palettes.parse_color`; anything else is a one-line error."""
    if value is None or value == "none":
        return ()
    if isinstance(value, str) and "," in value and len(value) <= 200:
        value = [v.strip() for v in value.split(",")]
    if isinstance(value, str):
        return (parse_color(value, "background"),)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return tuple(parse_color(v, "background") for v in value)
    raise ColorError(f"'background' must be none, a colour or two colours for a gradient, got {described(value)} "
                    "(e.g. null, \"teal\", \"#f0e6d8\", [\"#ffd1dc\", \"#a0c4ff\"])")


def _as_mapping(spec: Any) -> Mapping:
    if hasattr(spec, "to_dict") and callable(spec.to_dict):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise SpecError(f"a render spec must be a mapping with 'parts' (and 'colors', 'params'), "
                        f"got {type(spec).__name__}")
    check_schema_version(spec)
    return spec


def _parts(spec: Mapping, lib: PartsLibrary) -> dict[str, str]:
    raw = spec.get("parts")
    if not isinstance(raw, Mapping):
        raise SpecError("the render spec has no 'parts' mapping {category: part_id}")
    out: dict[str, str] = {}
    for cat, pid in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category {_key(cat)}{_hint(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if pid is None or pid == "" or pid == "none":
            continue
        if isinstance(pid, Mapping):  # {"id": ..., ...} rows from a recipe
            pid = pid.get("id")
            if pid is None or pid == "" or pid == "none":
                continue
        if not isinstance(pid, str):
            raise SpecError(f"the {cat.replace('_', ' ')} part must be a part id (a string, or null for none), "
                            f"got {described(pid)}: see memoji parts list {cat}")
        if not _ID.fullmatch(pid):  # never echo a hostile id in full; ids are short identifiers
            n = len(lib.ids(cat))
            raise UnknownNameError(f"unknown {cat.replace('_', ' ')} part {shown(pid)} ({n} {cat.replace('_', ' ')} "
                                   f"parts: memoji parts list {cat})")
        lib.get(pid, cat)  # looked up in the manifest: only its files reach the SVG
        out[cat] = pid
    missing = [c for c in REQUIRED if c not in out]
    if missing:
        raise SpecError(f"the render spec has no {', '.join(missing)} part (required: {', '.join(REQUIRED)}; "
                        f"hair may be a bald part, see memoji parts list hair)")
    return out


def _color_value(v: Any) -> Any:
    if isinstance(v, Mapping):  # {"name": ..., "hex": ...} rows; any other object is refused by parse_color
        inner = v.get("name") or v.get("hex")
        return v if inner is None else inner
    return v


def resolve_colors(colors: Mapping | None) -> dict[str, str]:
    """Slot → hex for every slot (defaults filled in; brows and facial hair default to the hair colour). Every value
    goes through :func:`parts_library.palettes.parse_color`."""
    if colors is None:
        colors = {}
    if not isinstance(colors, Mapping):
        raise SpecError(f"'colors' must be a mapping {{slot: colour}}, got {described(colors)}"
                        f" (slots: {', '.join(SLOTS)})")
    colors = dict(colors)
    for slot in colors:
        if slot not in SLOTS:
            raise UnknownNameError(f"unknown colour slot {_key(slot)}{_hint(slot, SLOTS)} (slots: {', '.join(SLOTS)})")
    out: dict[str, str] = {}
    for slot in ("skin", "hair", "eyes", "glasses", "headwear", "clothes"):
        v = _color_value(colors.get(slot))
        out[slot] = parse_color(DEFAULT_COLORS[slot] if v is None else v, slot)
    for slot in ("brows", "facial_hair"):
        v = _color_value(colors.get(slot))
        out[slot] = out["hair"] if v is None else parse_color(v, slot)
    v = _color_value(colors.get("lips"))
    if v is None:
        skin = _color_value(colors.get("skin"))
        skin = skin if isinstance(skin, str) else DEFAULT_COLORS["skin"]
        m = re.fullmatch(r"(?:skin/)?monk_(\d+)", skin)
        v = lip_for_skin(int(m.group(1))) if m else "rose"
    out["lips"] = parse_color(v, "lips")
    return out


@functools.lru_cache(maxsize=512)
def _slot_colors(slot: str, hex_color: str) -> tuple[tuple[str, str], ...]:
    return tuple(slot_colors(slot, hex_color).items())


def _fill_table(colors: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for slot, hx in colors.items():
        table.update(_slot_colors(slot, hx))
    return table


PARAM_RANGES = (f"scale 0.5..2, dx/dy within ±200 canonical px, stretch {STRETCH_RANGE[0]:g}..{STRETCH_RANGE[1]:g}")


def _param_number(cat: str, key: str, v: Any) -> float:
    """A parameter value as a float: ints and floats only (not bools, strings, null, lists); a JSON integer too big
    for a float is out of range."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise SpecError(f"{cat} parameter '{key}' must be a number, got {described(v)} "
                        f"({PARAM_RANGES})")
    try:
        return float(v)
    except (OverflowError, ValueError, TypeError):
        raise SpecError(f"{cat} parameter '{key}' is out of range: got {shown(v, 24)} ({PARAM_RANGES})") from None


def validate_params(raw: Any) -> dict[str, tuple[float, float, float, float]]:
    """``{category: {scale, dx, dy, stretch}}`` (``None`` = none) → category → (scale, dx, dy, stretch) floats,
    every value a finite number in range; anything else raises a one-line :class:`SpecError` /
    :class:`UnknownNameError`."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SpecError(f"'params' must be a mapping {{category: {{scale, dx, dy, stretch}}}}, got {described(raw)}")
    out = {}
    for cat, p in raw.items():
        if cat not in CATEGORIES:
            raise UnknownNameError(f"unknown part category {_key(cat)} in params{_hint(cat, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")
        if p is None:
            continue
        if not isinstance(p, Mapping):
            raise SpecError(f"{cat} params must be a mapping {{scale, dx, dy, stretch}}, got {described(p)}")
        if not p:
            continue
        for k in p:
            if k not in PARAM_KEYS:
                raise UnknownNameError(f"unknown {cat} parameter {_key(k)}{_hint(k, PARAM_KEYS)} "
                                       f"(parameters: {', '.join(PARAM_KEYS)})")
        s, dx, dy, st = (_param_number(cat, k, p.get(k, d))
                         for k, d in (("scale", 1.0), ("dx", 0.0), ("dy", 0.0), ("stretch", 1.0)))
        if (not all(math.isfinite(v) for v in (s, dx, dy, st)) or not 0.5 <= s <= 2.0 or max(abs(dx), abs(dy)) > 200
                or not STRETCH_RANGE[0] <= st <= STRETCH_RANGE[1]):
            raise SpecError(f"{cat} params out of range: scale must be 0.5..2, dx/dy within ±200 canonical px, "
                            f"stretch {STRETCH_RANGE[0]:g}..{STRETCH_RANGE[1]:g} "
                            f"(got scale={s:g}, dx={dx:g}, dy={dy:g}, stretch={st:g})")
        out[cat] = (s, dx, dy, st)
    return out


def _params(spec: Mapping) -> dict[str, tuple[float, float, float, float]]:
    return validate_params(spec.get("params"))
