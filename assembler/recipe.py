"""The Recipe: the product's central artifact — an editable, schema-versioned JSON description of an avatar.

It names the chosen part per category, the colours, small per-part parameters, the outfit and the background (chosen
by the user, never searched from the photo), the scores that chose them, the top alternatives per category and a
pixel-free summary of the analysis it came from.

Schema versions: 2 (written now) added ``outfit`` and ``background``; a version-1 recipe is migrated on reading
(:func:`migrate`: the default outfit, a transparent background) and draws as before, apart from the new body. A
version newer than this code reads is refused with one line that says to upgrade. ``render(recipe)`` is pure:
the same recipe gives the same bytes. Users edit a recipe (or pass overrides) and re-render without re-analysing.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from parts_library.outfits import DEFAULT_OUTFIT  # what a version-1 recipe is drawn in
from parts_library.vocabulary import CATEGORIES, COLOR_SLOTS

from .errors import MemojiError, described, kind_of, shown

__all__ = ["Recipe", "SCHEMA_VERSION", "SCHEMA_VERSIONS", "CATEGORIES", "COLOR_SLOTS", "RecipeError",
           "read_recipe_file", "parse_recipe_text", "check_recipe_dict", "migrate", "MAX_RECIPE_BYTES",
           "MAX_RECIPE_DEPTH"]

SCHEMA_VERSION = 2  # what this code writes (= parts_library.renderer.SCHEMA_VERSION)
SCHEMA_VERSIONS = (1, 2)  # what it reads: 1 has no outfit/background (migrated by ``migrate``)
MAX_RECIPE_BYTES = 10_000_000  # a recipe is a few kB of JSON; anything near this is not one
MAX_RECIPE_DEPTH = 64  # nesting levels (a recipe uses about 5)


class RecipeError(MemojiError):
    """A recipe file that cannot be read or has the wrong schema."""

    exit_code = 2


def _too_deep(obj: Any, limit: int) -> bool:
    """True when ``obj`` nests lists/objects more than ``limit`` levels (iterative: no recursion to exhaust)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def parse_recipe_text(text: str | bytes, source: str = "(JSON text)") -> dict[str, Any]:
    """Recipe JSON (text, or bytes that must be UTF-8) → a dict, or one :class:`RecipeError` line naming
    ``source``: not UTF-8, not JSON, nested deeper than :data:`MAX_RECIPE_DEPTH` (a 100,000-deep file included),
    not a JSON object, or a ``schema_version`` not in :data:`SCHEMA_VERSIONS` (a bare render spec without
    ``schema_version`` is accepted). Part names, colours and params are checked by :func:`check_recipe_dict` and
    the renderer."""
    where = f"cannot read recipe {source}"
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecipeError(f"{where}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                              "save it as UTF-8 JSON") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise RecipeError(f"{where}: JSON nested too deeply (a recipe nests about 5 levels, at most "
                          f"{MAX_RECIPE_DEPTH})") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        detail = " ".join(str(exc).split())
        raise RecipeError(f"{where}: not valid JSON ({detail[:80] + '…' if len(detail) > 80 else detail})") from None
    if _too_deep(data, MAX_RECIPE_DEPTH):
        raise RecipeError(f"{where}: JSON nested too deeply (a recipe nests about 5 levels, at most "
                          f"{MAX_RECIPE_DEPTH})")
    if not isinstance(data, dict):
        raise RecipeError(f"{where}: a recipe is a JSON object {{\"parts\": …, \"colors\": …}}, "
                          f"got {kind_of(data)}")
    _check_version(data, source)
    return data


_READS = f"{SCHEMA_VERSIONS[0]} to {SCHEMA_VERSIONS[-1]}"


def _check_version(d: Mapping, source: str | None, *, required: bool = False) -> None:
    if "schema_version" not in d and not required:
        return
    version = d.get("schema_version")
    of = f" of {source}" if source else ""
    if "schema_version" not in d:
        raise RecipeError(f"recipe{f' {source}' if source else ''} has no schema_version (this version reads "
                          f"{_READS}: add \"schema_version\": {SCHEMA_VERSION})")
    if type(version) is int and version > SCHEMA_VERSIONS[-1]:
        raise RecipeError(f"recipe schema_version {version}{of} is newer than this memoji-assembler reads "
                          f"({_READS}): upgrade memoji-assembler to draw it")
    if type(version) is not int or version not in SCHEMA_VERSIONS:
        raise RecipeError(f"recipe schema_version {shown(version)}{of} is not supported (this version reads "
                          f"{_READS})")


def migrate(d: Mapping) -> dict[str, Any]:
    """A recipe dict of any version this code reads → the current version (a new dict; the input is not changed).
    Version 1 → 2: ``outfit`` the default (``crew_tee``), ``background`` none (transparent), as version 1 drew it.
    The version must already be checked (:func:`check_recipe_dict`)."""
    out = dict(d)
    if out.get("schema_version") == 1:
        out.pop("outfit", None)  # not part of version 1: a stray key is not read
        out.pop("background", None)
        out["schema_version"] = 2
    return out


def read_recipe_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read a recipe / render-spec JSON file safely → dict. Before opening, the path must be a regular file (a
    folder, FIFO, device or socket is refused without opening it, so nothing hangs) of at most
    :data:`MAX_RECIPE_BYTES`; then :func:`parse_recipe_text`. Every failure is one :class:`RecipeError` line
    (exit 2) naming the file."""
    from .io import display_path, read_regular_file

    data = read_regular_file(path, what="recipe", max_bytes=MAX_RECIPE_BYTES, error=RecipeError)
    return parse_recipe_text(data, display_path(path))


def check_recipe_dict(d: Any, source: str | None = None) -> None:
    """Raise one line for a recipe dict that cannot be drawn as it stands: not an object, wrong or missing
    ``schema_version``, ``parts``/``colors`` not objects, a part id that is not a string or null, a colour that
    :func:`parts_library.palettes.parse_color` refuses or an unknown colour slot, params that are not finite numbers
    in range (``validate_params``), an unknown ``outfit`` or a bad ``background`` (version 2), ``scores``/
    ``alternatives``/``analysis`` not objects, ``method`` not a string.
    Unknown top-level keys are ignored. Part ids are looked up in the manifest when the recipe is rendered."""
    from parts_library.renderer import resolve_background, resolve_colors, resolve_outfit, validate_params

    of = f" {source}" if source else ""
    if not isinstance(d, Mapping):
        raise RecipeError(f"recipe{of} must be a JSON object {{\"parts\": …, \"colors\": …}}, got {kind_of(d)}")
    _check_version(d, source, required=True)
    if not isinstance(d.get("parts"), Mapping) or not isinstance(d.get("colors"), Mapping):
        raise RecipeError(f"recipe{of} needs 'parts' and 'colors' objects (got parts: {kind_of(d.get('parts'))}, "
                          f"colors: {kind_of(d.get('colors'))})")
    for cat, pid in d["parts"].items():
        if not isinstance(cat, str) or cat not in CATEGORIES:
            raise RecipeError(f"recipe{of} names an unknown part category {shown(cat)} "
                              f"(categories: {', '.join(CATEGORIES)})")
        if pid is not None and not isinstance(pid, str):
            raise RecipeError(f"recipe{of}: the {cat.replace('_', ' ')} part must be a part id string or null, got "
                              f"{described(pid)}; see memoji parts list {cat}")
    resolve_colors(d["colors"])
    validate_params(d.get("params"))
    if d.get("schema_version", SCHEMA_VERSION) >= 2:
        resolve_outfit(d.get("outfit"))
        resolve_background(d.get("background"))
    for key in ("scores", "alternatives", "analysis"):
        if d.get(key) is not None and not isinstance(d[key], Mapping):
            raise RecipeError(f"recipe{of}: '{key}' must be an object, got {kind_of(d[key])}")
    if "method" in d and not isinstance(d["method"], str):
        raise RecipeError(f"recipe{of}: 'method' must be a string, got {kind_of(d['method'])}")


@dataclass
class Recipe:
    parts: dict[str, str | None]
    colors: dict[str, str]
    params: dict[str, dict[str, float]] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    alternatives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    method: str = "search"
    outfit: str = DEFAULT_OUTFIT
    background: str | list[str] | None = None  # none (transparent), a colour, or [top, bottom] for a gradient
    schema_version: int = SCHEMA_VERSION

    # -- the renderer's view -------------------------------------------------------------------------------------
    def render_spec(self) -> dict[str, Any]:
        """What the renderer needs: parts, colours, params, outfit, background (nothing else affects the
        pixels)."""
        bg = list(self.background) if isinstance(self.background, (list, tuple)) else self.background
        return {"parts": dict(self.parts), "colors": dict(self.colors),
                "params": {k: dict(v) for k, v in self.params.items()}, "outfit": self.outfit, "background": bg}

    def with_overrides(self, **overrides: str | None) -> "Recipe":
        """A copy with some parts or colours replaced: ``hair="bun_02"``, ``hair_color="pink"``, ``skin="monk_04"``,
        ``glasses=None``. Colour slots take a ``_color`` suffix (``skin`` and ``clothes`` may omit it). A new
        ``hair_color`` carries the brows and facial hair with it where they were the hair's colour (the renderer's
        default: they follow the hair unless set), unless they are set too.
        ``outfit="hoodie"`` picks the outfit, ``background="none" | "teal" | "#ffd1dc,#a0c4ff"`` the background
        (both checked here: an unknown outfit or a bad colour is one line)."""
        from parts_library.renderer import resolve_background, resolve_outfit

        parts, colors = dict(self.parts), dict(self.colors)
        outfit, background = self.outfit, self.background
        for key, value in overrides.items():
            if key == "outfit":
                outfit = resolve_outfit(value)
            elif key == "background":
                if isinstance(value, str) and "," in value:
                    value = [v.strip() for v in value.split(",")]
                resolve_background(value)
                background = None if value in (None, "", "none") else value
            elif key.endswith("_color") and key[: -len("_color")] in COLOR_SLOTS:
                colors[key[: -len("_color")]] = value
            elif key in CATEGORIES:
                parts[key] = value if value not in ("", "none", "None") else None
            elif key in ("skin", "clothes"):
                colors[key] = value
            else:
                raise RecipeError(
                    f"unknown override '{key}' (parts: {', '.join(CATEGORIES)}; colours: "
                    f"{', '.join(s + '_color' for s in COLOR_SLOTS)}; outfit; background)")
        if "hair_color" in overrides:
            # brows and facial hair that were the hair's colour follow it, unless they are set in the same call
            old_hair = self.colors.get("hair")
            for slot in ("facial_hair", "brows"):
                if f"{slot}_color" not in overrides and self.colors.get(slot) == old_hair and slot in colors:
                    colors[slot] = colors.get("hair")
        return Recipe(parts=parts, colors=colors, params=self.params, scores=self.scores,
                      alternatives=self.alternatives, analysis=self.analysis,
                      method=self.method if not overrides else f"{self.method}+overrides", outfit=outfit,
                      background=background)

    # -- serialisation -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {"schema_version": d.pop("schema_version"), **d}

    def to_json(self, path: str | Path | None = None, *, indent: int = 1) -> str:
        text = json.dumps(self.to_dict(), indent=indent, sort_keys=False)
        if path is not None:
            from index.vector import atomic_write

            atomic_write(Path(path), (text + "\n").encode("utf-8"))
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, source: str | None = None) -> "Recipe":
        """A recipe from its dict, checked by :func:`check_recipe_dict` (one-line errors, exit 2) and brought to the
        current schema (:func:`migrate`: a version-1 recipe gets the default outfit and no background); values are
        kept as given, so ``from_dict(r.to_dict()) == r``."""
        check_recipe_dict(d, source)
        d = migrate(d)
        known = {k: d[k] for k in ("parts", "colors", "params", "scores", "alternatives", "analysis", "method",
                                   "background") if k in d}
        if d.get("outfit") is not None:
            known["outfit"] = d["outfit"]
        for k in ("params", "scores", "alternatives", "analysis"):
            if known.get(k, {}) is None:
                known[k] = {}
        return cls(**known)

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike) -> "Recipe":
        """A recipe from JSON text (a string starting with ``{``) or a file (:func:`read_recipe_file`: regular files
        under 10 MB only, never a FIFO); every failure is one line naming the file."""
        if isinstance(text_or_path, str) and text_or_path.lstrip().startswith("{"):
            return cls.from_dict(parse_recipe_text(text_or_path))
        from .io import display_path

        source = display_path(text_or_path)
        data = read_recipe_file(text_or_path)
        try:
            return cls.from_dict(data, source=source)
        except RecipeError:
            raise
        except MemojiError as err:  # a colour/params/name error from the renderer's checks: say which file
            new = type(err)(f"recipe {source}: {err}")
            new.exit_code = err.exit_code
            raise new from None
