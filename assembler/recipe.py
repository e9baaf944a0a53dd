"""The Recipe: the product's central artifact — an editable, schema-versioned JSON description of an avatar.

It names the chosen part per category, the colours, small per-part parameters, the scores that chose them, the
top alternatives per category and a pixel-free summary of the analysis it came from. ``render(recipe)`` is pure:
the same recipe gives the same bytes. Users edit a recipe (or pass overrides) and re-render without re-analysing.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import MemojiError

__all__ = ["Recipe", "SCHEMA_VERSION", "CATEGORIES", "COLOR_SLOTS", "RecipeError"]

SCHEMA_VERSION = 1
CATEGORIES = ("face", "ears", "eyes", "brows", "nose", "mouth", "hair", "facial_hair", "glasses", "headwear")
COLOR_SLOTS = ("skin", "hair", "brows", "facial_hair", "eyes", "lips", "glasses", "headwear", "clothes")


class RecipeError(MemojiError):
    """A recipe file that cannot be read or has the wrong schema."""

    exit_code = 2


@dataclass
class Recipe:
    parts: dict[str, str | None]
    colors: dict[str, str]
    params: dict[str, dict[str, float]] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    alternatives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    method: str = "search"
    schema_version: int = SCHEMA_VERSION

    # -- the renderer's view -------------------------------------------------------------------------------------
    def render_spec(self) -> dict[str, Any]:
        """What the renderer needs: parts, colours, params (nothing else affects the pixels)."""
        return {"parts": dict(self.parts), "colors": dict(self.colors), "params": {k: dict(v) for k, v in self.params.items()}}

    def with_overrides(self, **overrides: str | None) -> "Recipe":
        """A copy with some parts or colours replaced: ``hair="bun_02"``, ``hair_color="pink"``, ``skin="monk_04"``,
        ``glasses=None``. Colour slots take a ``_color`` suffix (``skin`` and ``clothes`` may omit it)."""
        parts, colors = dict(self.parts), dict(self.colors)
        for key, value in overrides.items():
            if key.endswith("_color") and key[: -len("_color")] in COLOR_SLOTS:
                colors[key[: -len("_color")]] = value
            elif key in CATEGORIES:
                parts[key] = value if value not in ("", "none", "None") else None
            elif key in ("skin", "clothes"):
                colors[key] = value
            else:
                raise RecipeError(
                    f"unknown override '{key}' (parts: {', '.join(CATEGORIES)}; colours: "
                    f"{', '.join(s + '_color' for s in COLOR_SLOTS)})")
        return Recipe(parts=parts, colors=colors, params=self.params, scores=self.scores,
                      alternatives=self.alternatives, analysis=self.analysis,
                      method=self.method if not overrides else f"{self.method}+overrides")

    # -- serialisation -------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {"schema_version": d.pop("schema_version"), **d}

    def to_json(self, path: str | Path | None = None, *, indent: int = 1) -> str:
        text = json.dumps(self.to_dict(), indent=indent, sort_keys=False)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Recipe":
        version = d.get("schema_version")
        if version != SCHEMA_VERSION:
            raise RecipeError(f"recipe schema_version {version!r} is not supported (this version reads {SCHEMA_VERSION})")
        if not isinstance(d.get("parts"), dict) or not isinstance(d.get("colors"), dict):
            raise RecipeError("recipe needs 'parts' and 'colors' objects")
        known = {k: d[k] for k in ("parts", "colors", "params", "scores", "alternatives", "analysis", "method") if k in d}
        return cls(**known)

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> "Recipe":
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            path = Path(text_or_path)
            try:
                text = path.read_text()
            except OSError as exc:
                raise RecipeError(f"cannot read recipe {path}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecipeError(f"recipe is not valid JSON: {exc}") from None
        return cls.from_dict(data)
