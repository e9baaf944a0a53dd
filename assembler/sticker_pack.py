"""Sticker packs: one avatar → a set of expressions (smile, laugh, wink, surprised, sad, angry, love …).

An expression swaps or poses the eyes, brows and mouth (expression parts of the parts library, see
:mod:`parts_library.families.expressions`), may put on sunglasses ("cool"), may nudge part params (wider eyes when
surprised) and may draw small extras over the avatar (hearts, Zzz, a tear). Everything else — face, hair, nose, ears,
facial hair, glasses, headwear and every colour — stays the person's. Eyes and brows are posed variants of the
person's own parts (``eyes_almond_01_wink``), so their shape stays too. Works from a recipe: no re-analysis.

``stickers(avatar_or_recipe)`` → ``{name: PIL RGBA image}`` (512 px, transparent background, the head and neck
filling the square); :func:`sticker_recipe` gives the recipe behind one sticker, :func:`render_sticker` one sticker
as PNG/WebP/SVG bytes, :func:`write_stickers` the files of a pack plus a contact sheet.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from parts_library.svg import svg_document

from .errors import UnknownNameError, did_you_mean
from .recipe import Recipe

__all__ = ["Expression", "EXPRESSIONS", "stickers", "sticker_recipe", "sticker_svg", "render_sticker",
           "write_stickers", "contact_sheet", "check_expressions", "STICKER_FORMATS", "IDENTITY_CATEGORIES",
           "VIEWBOX"]

# the sticker's square in the canonical frame (x, y, side): the head and neck, room for the extras, corners clear
VIEWBOX = (102.0, 24.0, 820.0)
STICKER_FORMATS = ("png", "webp", "svg")
IDENTITY_CATEGORIES = ("face", "ears", "nose", "hair", "facial_hair", "headwear")  # + glasses, except "cool"
SUNGLASSES = "glasses_sun_01"
# a posed variant falls back to these bases when the recipe's part has none (a third-party part)
FALLBACK_BASE = {"eyes": "eyes_almond_01", "brows": "brows_soft_01"}


@dataclass(frozen=True)
class Expression:
    """One sticker expression. ``eyes``/``brows``: a pose of the person's part (``"wink"``, ``"look"``; ``"raised"``,
    ``"angry"``, ``"sad"``, ``"quirk"``) or a part id (``"eyes_expr_hearts"``); ``mouth``: a part id, or
    ``"@neutral"`` / ``"@smile"`` (the person's own mouth when it already is one); ``glasses``: a part id (cool);
    ``params``: multipliers (scale, stretch) and offsets (dx, dy) on the recipe's part params; ``extras``: overlay
    part ids drawn over the avatar."""

    name: str
    description: str
    eyes: str | None = None
    brows: str | None = None
    mouth: str | None = None
    glasses: str | None = None
    params: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    extras: tuple[str, ...] = ()


EXPRESSIONS: dict[str, Expression] = {e.name: e for e in (
    Expression("neutral", "relaxed, mouth closed", mouth="@neutral"),
    Expression("smile", "a happy smile", mouth="@smile", params={"eyes": {"stretch": 0.88}, "brows": {"dy": -4}}),
    Expression("laugh", "eyes shut in a smile, mouth wide open", eyes="eyes_expr_happy", brows="raised",
               mouth="mouth_expr_laugh"),
    Expression("wink", "one eye shut, a smile", eyes="wink", mouth="@smile"),
    Expression("surprised", "brows up, eyes wide, mouth an O", brows="raised", mouth="mouth_expr_o",
               params={"eyes": {"scale": 1.14}}),
    Expression("sad", "brows up in the middle, a frown, a tear", brows="sad", mouth="mouth_expr_frown",
               extras=("extra_tear",)),
    Expression("angry", "brows down in a V, teeth clenched, an anger mark", brows="angry", mouth="mouth_expr_grimace",
               params={"eyes": {"stretch": 0.86}}, extras=("extra_vein",)),
    Expression("love", "heart eyes, a smile, floating hearts", eyes="eyes_expr_hearts", mouth="@smile",
               extras=("extra_hearts", "extra_blush")),
    Expression("thinking", "eyes up and aside, one brow raised, a question mark", eyes="look", brows="quirk",
               mouth="mouth_expr_hmm", extras=("extra_question",)),
    Expression("sleepy", "eyes shut, a small open mouth, Zzz", eyes="eyes_expr_closed", mouth="mouth_expr_sleepy",
               params={"brows": {"dy": 6}}, extras=("extra_zzz",)),
    Expression("cool", "sunglasses and a smirk", glasses=SUNGLASSES, mouth="mouth_expr_smirk"),
    Expression("tongue-out", "a smile with the tongue out", mouth="mouth_expr_tongue",
               params={"brows": {"dy": -5}}),
)}


# ---- recipes ------------------------------------------------------------------------------------------------------
def check_expressions(expressions: Iterable[str] | str | None) -> list[str]:
    """The expression names to draw (all, in the pack's order, when None); an unknown one is one
    :class:`UnknownNameError` line listing the known ones."""
    if expressions is None:
        return list(EXPRESSIONS)
    if isinstance(expressions, str):
        expressions = [e for e in re.split(r"[,\s]+", expressions) if e]
    names = []
    for name in expressions:
        key = str(name).strip().lower().replace("_", "-")
        if key not in EXPRESSIONS:
            text = str(name) if len(str(name)) <= 40 else str(name)[:40] + "…"
            raise UnknownNameError(f"unknown expression {text!r}{did_you_mean(key, list(EXPRESSIONS))} "
                                   f"(expressions: {', '.join(EXPRESSIONS)})")
        if key not in names:
            names.append(key)
    if not names:
        raise UnknownNameError(f"no expression named (expressions: {', '.join(EXPRESSIONS)})")
    return names


def _as_recipe(recipe_or_avatar: Any) -> Recipe:
    if isinstance(recipe_or_avatar, Recipe):
        return recipe_or_avatar
    if hasattr(recipe_or_avatar, "recipe") and isinstance(recipe_or_avatar.recipe, Recipe):
        return recipe_or_avatar.recipe
    if isinstance(recipe_or_avatar, Mapping):
        return Recipe.from_dict(dict(recipe_or_avatar))
    if isinstance(recipe_or_avatar, (str, os.PathLike)):
        return Recipe.from_json(recipe_or_avatar)
    raise TypeError(f"stickers() takes an Avatar, a Recipe, a recipe dict or a recipe path/JSON text, "
                    f"got {type(recipe_or_avatar).__name__}")


def _posed(lib, category: str, current: str | None, pose: str) -> str:
    """The expression part for ``pose``: a part id as is, else the pose of the person's part (or of the fallback)."""
    if pose in lib or pose in {p.id for p in lib.expression_parts(category)}:
        return pose
    from parts_library.families.expressions import pose_id

    expr = {p.id for p in lib.expression_parts(category)}
    for base in (current, FALLBACK_BASE[category]):
        if base and pose_id(base, pose) in expr:
            return pose_id(base, pose)
    raise UnknownNameError(f"no {category} part posed '{pose}' (regenerate the parts library: "
                           "python -m parts_library.generate)")


_NOT_NEUTRAL = {"smile", "open", "teeth"}


def _mouth(lib, current: str | None, want: str) -> str:
    part = lib.get(current, "mouth") if current else None
    tags = set(part.tags) if part is not None else set()
    if want == "@neutral":
        if part is not None and not tags & _NOT_NEUTRAL and "expression" not in tags:
            return current
        return "mouth_full_01" if "full" in tags else "mouth_thin_01" if "thin" in tags else "mouth_neutral_01"
    if want == "@smile":
        if part is not None and "smile" in tags and "expression" not in tags:
            return current  # the person's own smile
        return "mouth_expr_smile"
    return want


def _params(base: Mapping[str, Mapping[str, float]], change: Mapping[str, Mapping[str, float]]) -> dict:
    from parts_library.renderer import STRETCH_RANGE

    out = {k: dict(v) for k, v in base.items()}
    for cat, ch in change.items():
        p = out.setdefault(cat, {})
        for key, v in ch.items():
            if key in ("scale", "stretch"):
                lo, hi = (0.5, 2.0) if key == "scale" else STRETCH_RANGE
                p[key] = round(float(np.clip(p.get(key, 1.0) * v, lo, hi)), 4)
            else:
                p[key] = round(float(np.clip(p.get(key, 0.0) + v, -200, 200)), 3)
    return out


def sticker_recipe(recipe_or_avatar: Any, expression: str | Expression) -> Recipe:
    """The recipe of one sticker: the person's recipe with the expression's eyes, brows, mouth (and sunglasses for
    "cool") and param nudges; every identity part and every colour unchanged. ``method`` names the expression."""
    from parts_library import load_library

    recipe = _as_recipe(recipe_or_avatar)
    expr = expression if isinstance(expression, Expression) else EXPRESSIONS[check_expressions([expression])[0]]
    lib = load_library()
    parts = dict(recipe.parts)
    if expr.eyes:
        parts["eyes"] = _posed(lib, "eyes", parts.get("eyes"), expr.eyes)
    if expr.brows:
        parts["brows"] = _posed(lib, "brows", parts.get("brows"), expr.brows)
    if expr.mouth:
        parts["mouth"] = _mouth(lib, parts.get("mouth"), expr.mouth)
    if expr.glasses:
        parts["glasses"] = expr.glasses
    return Recipe(parts=parts, colors=dict(recipe.colors), params=_params(recipe.params, expr.params),
                  scores=recipe.scores, alternatives=recipe.alternatives, analysis=recipe.analysis,
                  method=f"{recipe.method}+sticker:{expr.name}", outfit=recipe.outfit)  # stickers: no background


# ---- drawing ------------------------------------------------------------------------------------------------------
def _extras_svg(lib, extras: Iterable[str], landmarks: np.ndarray, colors: Mapping) -> str:
    """The extras' layers, each moved with the landmark it follows (canonical px)."""
    from parts_library import frame
    from parts_library.renderer import _fill_table, resolve_colors
    from parts_library.svg import PLACEHOLDER

    table = _fill_table(resolve_colors(colors))
    out = []
    for pid in extras:
        part = lib.get(pid, "extra")
        follow = part.params.get("follow", {})
        for layer, frag in lib.fragments(part).items():
            idx = follow.get(layer)
            frag = PLACEHOLDER.sub(lambda m: table[m.group(1)], frag)
            if idx is None:
                out.append(frag)
                continue
            dx, dy = np.asarray(landmarks[idx], np.float64) - frame.MEAN_SHAPE[idx]
            out.append(f'<g transform="translate({dx:.2f},{dy:.2f})">{frag}</g>')
    return "".join(out)


def sticker_svg(recipe_or_avatar: Any, expression: str | Expression, *, size: int = 512) -> str:
    """One sticker as SVG text (``size`` px, transparent background)."""
    from parts_library import compose_svg, load_library

    expr = expression if isinstance(expression, Expression) else EXPRESSIONS[check_expressions([expression])[0]]
    recipe = sticker_recipe(recipe_or_avatar, expr)
    lib = load_library()
    svg, landmarks = compose_svg(recipe.render_spec(), library=lib)
    x, y, side = VIEWBOX
    body = svg[svg.index(">") + 1: svg.rindex("</svg>")]
    return svg_document(body + _extras_svg(lib, expr.extras, landmarks, recipe.colors), size, view=(x, y, side, side))


def _check_size(size: Any) -> int:
    from .errors import MemojiError

    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 16 <= int(size) <= 4096:
        err = MemojiError(f"size must be an integer 16..4096 pixels, got {size!r}")
        err.exit_code = 2
        raise err
    return int(size)


def _rgba(svg: str, size: int) -> np.ndarray:
    from parts_library.renderer import rasterize_rgba

    return rasterize_rgba(svg, size)


def render_sticker(recipe_or_avatar: Any, expression: str | Expression, *, size: int = 512,
                   fmt: str = "png") -> bytes:
    """One sticker as file bytes: ``png`` (RGBA), ``webp`` (lossless, alpha kept) or ``svg``."""
    from parts_library.renderer import encode_image

    size = _check_size(size)
    svg = sticker_svg(recipe_or_avatar, expression, size=size)
    if fmt == "svg":
        return svg.encode("utf-8")
    return encode_image(_rgba(svg, size), fmt)


def stickers(recipe_or_avatar: Any, expressions: Iterable[str] | str | None = None, *,
             size: int = 512) -> dict[str, Any]:
    """The sticker pack of an avatar (or recipe, recipe dict, path): ``{expression: PIL RGBA image}``, ``size`` px
    squares with a transparent background, in the pack's order. ``expressions`` picks some (default: all of
    :data:`EXPRESSIONS`); an unknown name is one :class:`~assembler.errors.UnknownNameError` line."""
    from PIL import Image

    names = check_expressions(expressions)
    size = _check_size(size)
    recipe = _as_recipe(recipe_or_avatar)
    return {name: Image.fromarray(_rgba(sticker_svg(recipe, name, size=size), size), "RGBA") for name in names}


def contact_sheet(images: Mapping[str, Any], *, cell: int = 192, columns: int = 4,
                  background: tuple[int, int, int] = (236, 239, 244)):
    """One RGB image: the stickers in a grid, each labelled with its expression's name."""
    from PIL import Image, ImageDraw

    from parts_library.contact_sheet import _font

    label_h, pad = 24, 10
    n = len(images)
    cols = max(1, min(columns, n))
    rows = (n + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (cell + pad) + pad, rows * (cell + label_h + pad) + pad), background)
    draw = ImageDraw.Draw(sheet)
    font = _font(15)
    for i, (name, img) in enumerate(images.items()):
        r, c = divmod(i, cols)
        x, y = pad + c * (cell + pad), pad + r * (cell + label_h + pad)
        tile = Image.new("RGBA", (cell, cell), (255, 255, 255, 255))
        tile.alpha_composite(img.convert("RGBA").resize((cell, cell), Image.LANCZOS))
        sheet.paste(tile.convert("RGB"), (x, y))
        w = draw.textlength(name, font=font)
        draw.text((x + (cell - w) / 2, y + cell + 4), name, fill=(40, 44, 52), font=font)
    return sheet


def write_stickers(recipe_or_avatar: Any, out_dir: str | os.PathLike, *, expressions=None, fmt: str = "png",
                   size: int = 512, sheet: bool = True, stem: str = "sticker") -> dict[str, Path]:
    """Write ``<stem>_<expression>.<fmt>`` for each expression (``png``, ``webp`` or ``svg``), and with ``sheet``
    the contact sheet ``<stem>_sheet.png``, into ``out_dir``; returns ``{name: path}`` (``"sheet"`` for the
    contact sheet). Files are written atomically and never outside ``out_dir``."""
    from PIL import Image

    from index.vector import atomic_write
    from parts_library.renderer import encode_image

    from .errors import OutputFormatError
    from .outputs import check_stem, ensure_writable_dir, inside

    kind = str(fmt).lower().lstrip(".")
    if kind not in STICKER_FORMATS:
        raise OutputFormatError(f"unknown sticker format {fmt!r} (formats: {', '.join(STICKER_FORMATS)})")
    names = check_expressions(expressions)
    size = _check_size(size)
    check_stem(stem, what="sticker name")
    recipe = _as_recipe(recipe_or_avatar)
    out = ensure_writable_dir(out_dir)
    written: dict[str, Path] = {}
    images = {}
    for name in names:
        svg = sticker_svg(recipe, name, size=size)
        path = inside(out, f"{stem}_{name}.{kind}")
        if kind == "svg":
            data = svg.encode("utf-8")
            if sheet:
                images[name] = Image.fromarray(_rgba(svg, min(size, 512)), "RGBA")
        else:
            rgba = _rgba(svg, size)
            data = encode_image(rgba, kind)
            images[name] = Image.fromarray(rgba, "RGBA")
        atomic_write(path, data)
        written[name] = path
    if sheet:
        path = inside(out, f"{stem}_sheet.png")
        atomic_write(path, encode_image(contact_sheet(images), "png"))
        written["sheet"] = path
    return written
