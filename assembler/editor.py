"""The recipe editor in Jupyter: ``avatar.edit()`` → :class:`AvatarEditor` (ipywidgets, the ``editor`` extra).

One dropdown per part category (the search's pick and its top alternatives first, then every part of the category,
and "none" where a category is optional), one colour dropdown per slot (the slot's palette names, the renderer's
default, or a custom hex from the colour picker beside it), sliders for the size parameters the recipe has (ranges
from the search's fit, :data:`assembler.search.FIT_SCALE` and friends), the avatar re-rendered on every change and a
"save recipe" button. Every value a widget can hold is a manifest part id, a palette name or a hex colour that
:func:`parts_library.palettes.parse_color` accepts; anything else is refused by the widget (a ``TraitError``) or
reverted with the one-line reason in the editor's status line.

Works from a recipe: no re-analysis. The widgets are plain ipywidgets, so tests (and scripts) drive them through
their Python API: ``editor.parts["hair"].value = "buzz_01"`` re-renders, and ``editor.recipe`` / ``editor.png``
follow.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import MemojiError, MissingDependencyError
from .recipe import CATEGORIES, COLOR_SLOTS, Recipe

__all__ = ["AvatarEditor", "require_ipywidgets", "NONE", "DEFAULT", "PARAM_SLIDERS"]

NONE = "none"  # the part dropdowns' value for no part (ipywidgets reads a None value as "nothing selected")
DEFAULT = "default"  # the colour dropdowns' value for the renderer's default (the slot left out of the recipe)
PARAM_SLIDERS = ("scale", "stretch")  # the size params the editor offers; dx/dy offsets are kept as they are
EDITED = "+edited"


def require_ipywidgets():
    """Import ipywidgets or raise the one-line extra hint (:class:`MissingDependencyError`, exit 5)."""
    try:
        import ipywidgets
    except ImportError:
        raise MissingDependencyError("the avatar editor needs ipywidgets: pip install "
                                     "-e '.[editor]' in the memoji-assembler checkout") from None
    return ipywidgets


def _as_recipe(source: Any) -> tuple[Recipe, int | None]:
    """An Avatar, Recipe, recipe dict, JSON text or path → a checked copy of its recipe (+ the avatar's size)."""
    size = None
    if hasattr(source, "recipe") and isinstance(getattr(source, "recipe"), Recipe):
        size = getattr(source, "size", None)
        source = source.recipe
    if isinstance(source, Recipe):
        recipe = Recipe.from_dict(source.to_dict())  # checked like a file, and a copy the editor may replace
    elif isinstance(source, Mapping):
        recipe = Recipe.from_dict(dict(source))
    elif isinstance(source, (str, os.PathLike)):
        recipe = Recipe.from_json(source)
    else:
        raise TypeError(f"AvatarEditor takes an Avatar, a Recipe, a recipe dict or a recipe path/JSON text, "
                        f"got {type(source).__name__}")
    return recipe, size


def _optional(category: str) -> bool:
    from parts_library import REQUIRED

    return category not in REQUIRED


def part_options(recipe: Recipe, category: str) -> list[tuple[str, str]]:
    """The (label, value) options of a category's dropdown: the recipe's part (the search's pick), the recipe's
    alternatives in their order, then every other part of the category in manifest order, then "none" for an
    optional category. Alternatives that are not parts of this category are left out; a recipe part that is not in
    the main manifest (a sticker's expression part) is kept at the top."""
    from parts_library import load_library

    lib = load_library()
    known = lib.ids(category)
    known_set = set(known)
    options: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(value: str, label: str) -> None:
        if value not in seen:
            seen.add(value)
            options.append((label, value))

    current = recipe.parts.get(category)
    if current is None:
        if _optional(category):
            add(NONE, "none · the recipe's")
    elif current in known_set or any(p.id == current for p in lib.expression_parts(category)):
        add(current, f"{current} · the recipe's")
    alternatives = recipe.alternatives.get(category) if isinstance(recipe.alternatives, Mapping) else None
    for rank, alt in enumerate(alternatives if isinstance(alternatives, list) else [], 1):
        pid = alt.get("id") if isinstance(alt, Mapping) else alt
        if pid is None and _optional(category):
            add(NONE, f"none · alternative {rank}")
        elif isinstance(pid, str) and pid in known_set:
            add(pid, f"{pid} · alternative {rank}")
    for pid in known:
        add(pid, pid)
    if _optional(category):
        add(NONE, NONE)
    return options


def _default_label(slot: str) -> str:
    from parts_library.renderer import DEFAULT_COLORS

    if slot in ("brows", "facial_hair"):
        return "default · the hair colour"
    if slot == "lips":
        return "default · from the skin tone"
    return f"default · {DEFAULT_COLORS[slot]}"


def _color_choice(slot: str, value: Any) -> str:
    """The dropdown value for a recipe colour: :data:`DEFAULT`, a name of the slot's palette, or a ``#rrggbb``."""
    from parts_library.palettes import PALETTES, SLOT_PALETTE, parse_color

    if isinstance(value, Mapping):  # a {"name": …, "hex": …} row, as the renderer reads it
        value = value.get("name") or value.get("hex")
    if value is None:
        return DEFAULT
    palette = SLOT_PALETTE[slot]
    if isinstance(value, str) and not value.startswith("#"):
        name = value.lower().split("/")[-1]
        if value.lower() in (name, f"{palette}/{name}") and name in PALETTES[palette]:
            return name
    return parse_color(value, slot)  # another palette's name or a hex: shown as a custom colour


def color_options(slot: str, current: str | None = None) -> list[tuple[str, str]]:
    """The (label, value) options of a slot's colour dropdown: the renderer's default, the slot's palette names,
    and ``current`` when it is a custom ``#rrggbb``."""
    from parts_library.palettes import PALETTES, SLOT_PALETTE

    options = [(_default_label(slot), DEFAULT)]
    options += [(f"{name} · {sw.hex}", name) for name, sw in PALETTES[SLOT_PALETTE[slot]].items()]
    if current is not None and current.startswith("#"):
        options.append((f"custom · {current}", current))
    return options


def param_range(category: str, key: str, value: float) -> tuple[float, float]:
    """A slider's range: the search's fit range for the parameter (:data:`~assembler.search.FIT_SCALE`, the face's
    :data:`~assembler.search.FIT_FACE`, its stretch from ``FIT_FACE_LENGTH / FIT_FACE``), widened to hold the
    recipe's own value (a caricature's lies outside; the recipe checks already kept it in the renderer's range)."""
    from .search import FIT_FACE, FIT_FACE_LENGTH, FIT_SCALE

    if key == "stretch":
        lo, hi = FIT_FACE_LENGTH[0] / FIT_FACE[1], FIT_FACE_LENGTH[1] / FIT_FACE[0]
    else:
        lo, hi = FIT_FACE if category == "face" else FIT_SCALE
    return min(lo, value), max(hi, value)


def _background_text(background: Any) -> str:
    """A recipe's background as the editor's text box shows it: ``none``, a colour, or ``top,bottom``."""
    if background is None:
        return "none"
    if isinstance(background, (list, tuple)):
        return ",".join(str(v) for v in background)
    return str(background)


class AvatarEditor:
    """Widgets that edit a recipe and re-render it on every change.

    ``AvatarEditor(avatar_or_recipe, size=None, path="avatar.recipe.json")``: ``avatar_or_recipe`` is an
    :class:`~assembler.avatar.Avatar` (its size is kept), a :class:`~assembler.recipe.Recipe`, a recipe dict, JSON text
    or a recipe file; ``size`` the preview's pixels (default the avatar's, or 512); ``path`` where "save recipe"
    writes. Shown in Jupyter as the editor itself.

    Widgets (plain ipywidgets, for scripts and tests): :attr:`parts` ``{category: Dropdown}``, :attr:`colors`
    ``{slot: Dropdown}``, :attr:`pickers` ``{slot: ColorPicker}``, :attr:`outfit` (a Dropdown), :attr:`background`
    (a Text: ``none``, a colour or ``top,bottom``), :attr:`sliders` ``{(category, key): FloatSlider}``,
    :attr:`image` (an ``Image`` widget), :attr:`path`, :attr:`save_button`, :attr:`status`.
    Results: :attr:`recipe` (the edited :class:`Recipe`), :attr:`png` (its bytes), :attr:`avatar`.
    """

    def __init__(self, avatar_or_recipe: Any, *, size: int | None = None,
                 path: str | os.PathLike = "avatar.recipe.json") -> None:
        w = require_ipywidgets()
        from .avatar import check_request, render

        recipe, avatar_size = _as_recipe(avatar_or_recipe)
        size = size if size is not None else avatar_size or 512
        check_request(size=size)
        self.size = int(size)
        self._quiet = False
        self._recipe = recipe
        self._avatar = render(recipe, size=self.size)
        self.image = w.Image(value=self._avatar.png, format="png", width=min(self.size, 384))

        wide = w.Layout(width="330px")
        label_style = {"description_width": "90px"}
        self.parts = {}
        for cat in CATEGORIES:
            options = part_options(recipe, cat)
            dd = w.Dropdown(options=options, value=options[0][1], description=cat.replace("_", " "),
                            layout=wide, style=label_style)
            dd.observe(self._part_changed(cat), names="value")
            self.parts[cat] = dd

        self.colors, self.pickers = {}, {}
        for slot in COLOR_SLOTS:
            choice = _color_choice(slot, recipe.colors.get(slot))
            dd = w.Dropdown(options=color_options(slot, choice), value=choice, description=slot.replace("_", " "),
                            layout=wide, style=label_style)
            dd.observe(self._color_changed(slot), names="value")
            picker = w.ColorPicker(concise=True, value=self._resolved()[slot], layout=w.Layout(width="40px"))
            picker.observe(self._picker_changed(slot), names="value")
            self.colors[slot], self.pickers[slot] = dd, picker

        from parts_library.outfits import OUTFITS

        self.outfit = w.Dropdown(options=[(f"{name} · {what}", name) for name, what in OUTFITS.items()],
                                 value=recipe.outfit, description="outfit", layout=wide, style=label_style)
        self.outfit.observe(self._guarded(lambda value: self._apply(outfit=self._checked_outfit(value))),
                            names="value")
        self.background = w.Text(value=_background_text(recipe.background), description="background",
                                  placeholder="none, a colour, or top,bottom", continuous_update=False, layout=wide,
                                  style=label_style)
        self.background.observe(self._guarded(self._background_changed), names="value")

        self.sliders = {}
        for cat, params in recipe.params.items():
            for key in PARAM_SLIDERS:
                if not isinstance(params, Mapping) or key not in params:
                    continue
                value = float(params[key])
                lo, hi = param_range(cat, key, value)
                slider = w.FloatSlider(value=value, min=lo, max=hi, step=0.005, readout_format=".3f",
                                       description=f"{cat.replace('_', ' ')} {key}", continuous_update=False,
                                       layout=wide, style=label_style)
                slider.observe(self._param_changed(cat, key), names="value")
                self.sliders[(cat, key)] = slider

        self.path = w.Text(value=str(path), description="recipe file", layout=wide, style=label_style)
        self.save_button = w.Button(description="save recipe", icon="save")
        self.save_button.on_click(lambda _button: self._save_clicked())
        self.status = w.Label(value="")
        colour_rows = [w.HBox([self.colors[s], self.pickers[s]]) for s in COLOR_SLOTS]
        tabs = w.Tab(children=[w.VBox(list(self.parts.values()) + [self.outfit]),
                               w.VBox(colour_rows + [self.background]),
                               w.VBox(list(self.sliders.values()) or [w.Label("this recipe has no size params")])],
                     titles=("parts", "colours", "sizes"))
        self.widget = w.VBox([w.HBox([self.image, tabs]), w.HBox([self.path, self.save_button]), self.status])

    # -- results ---------------------------------------------------------------------------------------------------
    @property
    def recipe(self) -> Recipe:
        """The edited recipe (a new object after every change)."""
        return self._recipe

    @property
    def avatar(self):
        """The edited recipe rendered: an :class:`~assembler.avatar.Avatar` at the editor's size."""
        return self._avatar

    @property
    def png(self) -> bytes:
        """The current render's PNG bytes (what the image widget shows)."""
        return self._avatar.png

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the edited recipe as JSON to ``path`` (default: the editor's recipe-file box), atomically, after the
        checks a recipe file gets when it is read. A name that does not end in ``.json``, a folder, or a file where a
        folder should be is one :class:`~assembler.outputs.OutputPathError` line."""
        from .outputs import OutputPathError, check_output_file

        p = Path(self.path.value if path is None else path)
        if not p.name.endswith(".json"):
            err = OutputPathError(f"a recipe file name ends in .json, got {str(p)!r}")
            err.exit_code = 2
            raise err
        check_output_file(p)
        recipe = Recipe.from_dict(self._recipe.to_dict())
        try:
            recipe.to_json(p)
        except OSError as exc:
            raise OutputPathError(f"cannot write recipe {p}: {exc.strerror or type(exc).__name__}") from None
        return p

    # -- editing ---------------------------------------------------------------------------------------------------
    def _resolved(self) -> dict[str, str]:
        from parts_library.renderer import resolve_colors

        return resolve_colors(self._recipe.colors)

    def _apply(self, **changes: Any) -> None:
        """Replace parts/colors/params of the recipe and re-render; nothing changes when the render fails."""
        from .avatar import render

        method = self._recipe.method if self._recipe.method.endswith(EDITED) else self._recipe.method + EDITED
        new = dataclasses.replace(self._recipe, method=method, **changes)
        avatar = render(new, size=self.size)
        self._recipe, self._avatar = new, avatar
        self.image.value = avatar.png
        self.status.value = ""

    def _guarded(self, handler):
        """Run a widget's change handler unless the editor itself is setting widgets; on a refused value put the
        widget back and show the one-line reason."""

        def observe(change: dict) -> None:
            if self._quiet:
                return
            try:
                handler(change["new"])
            except MemojiError as err:
                self._set_quietly(change["owner"], change["old"])
                self.status.value = str(err)

        return observe

    def _set_quietly(self, widget, value) -> None:
        self._quiet = True
        try:
            widget.value = value
        finally:
            self._quiet = False

    @staticmethod
    def _checked_outfit(value: Any) -> str:
        from parts_library.renderer import resolve_outfit

        if value is None:
            raise MemojiError("choose an outfit")
        return resolve_outfit(value)

    def _background_changed(self, value: str) -> None:
        """``none`` / empty → transparent, a colour, or two colours ``top,bottom`` (checked by the renderer's parser;
        a bad value puts the box back and shows the one-line reason)."""
        from parts_library.renderer import resolve_background

        text = (value or "").strip()
        bg: Any = [v.strip() for v in text.split(",")] if "," in text else (text or None)
        if bg == "none":
            bg = None
        resolve_background(bg)
        self._apply(background=bg)

    def _part_changed(self, category: str):
        def handler(value: str | None) -> None:
            if value is None:  # "nothing selected" from a front end: not a part
                raise MemojiError(f"choose a {category.replace('_', ' ')} part")
            self._apply(parts={**self._recipe.parts, category: None if value == NONE else value})

        return self._guarded(handler)

    def _color_changed(self, slot: str):
        def handler(value: str | None) -> None:
            if value is None:
                raise MemojiError(f"choose a {slot.replace('_', ' ')} colour")
            self._set_color(slot, value)

        return self._guarded(handler)

    def _set_color(self, slot: str, value: str) -> None:
        from parts_library.palettes import parse_color

        colors = dict(self._recipe.colors)
        if value == DEFAULT:
            colors.pop(slot, None)
        else:
            parse_color(value, slot)  # the dropdown only holds palette names and hex, but check anyway
            colors[slot] = value
        self._apply(colors=colors)
        self._sync_pickers()

    def _picker_changed(self, slot: str):
        def handler(value: str) -> None:
            from parts_library.palettes import PALETTES, SLOT_PALETTE, parse_color

            from .errors import ColorError, shown

            if not isinstance(value, str) or not value.startswith("#"):  # CSS names and rgb() are not recipe colours
                raise ColorError(f"bad {slot.replace('_', ' ')} colour {shown(value)}: pick a '#rrggbb' colour or "
                                 "choose a name from the list")
            hx = parse_color(value, slot)
            named = [n for n, sw in PALETTES[SLOT_PALETTE[slot]].items() if sw.hex == hx]
            self._choose_color(slot, named[0] if named else hx)

        return self._guarded(handler)

    def _choose_color(self, slot: str, choice: str) -> None:
        """Select ``choice`` (a palette name or ``#rrggbb``) in the slot's dropdown, adding it as the custom colour
        when it is a hex, and apply it; on failure the dropdown is put back."""
        dd = self.colors[slot]
        if choice == dd.value:
            return
        options, value = dd.options, dd.value
        self._quiet = True
        try:
            if choice.startswith("#"):
                dd.options = color_options(slot, choice)
            dd.value = choice
        finally:
            self._quiet = False
        try:
            self._set_color(slot, choice)
        except MemojiError:
            self._quiet = True
            try:
                dd.options, dd.value = options, value
            finally:
                self._quiet = False
            raise

    def _sync_pickers(self) -> None:
        resolved = self._resolved()
        for slot, picker in self.pickers.items():
            if picker.value != resolved[slot]:
                self._set_quietly(picker, resolved[slot])

    def _param_changed(self, category: str, key: str):
        def handler(value: float) -> None:
            params = {k: dict(v) for k, v in self._recipe.params.items()}
            params.setdefault(category, {})[key] = round(float(value), 4)
            self._apply(params=params)

        return self._guarded(handler)

    def _save_clicked(self) -> None:
        try:
            self.status.value = f"saved {self.save()}"
        except MemojiError as err:
            self.status.value = str(err)

    # -- display ---------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = ", ".join(f"{c}={self._recipe.parts[c]}" for c in CATEGORIES if self._recipe.parts.get(c))
        return f"AvatarEditor({parts})"

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = repr(self)
        return bundle
