"""The evaluation's other methods, served by the same code as the search: ``attributes`` (colours and constraints
only, typical parts), ``greedy`` (one category at a time maximising the raw identity similarity of real renders, no
constraints — the published method) and ``random``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..recipe import Recipe
from .candidates import OPTIONAL_CATEGORIES, SEARCH_ORDER, alternatives, typical
from .constraints import ON_REQUEST
from .constraints import presence, soft_agreement
from .evidence import Evidence
from .identity import default_identity

__all__ = ["random_recipe", "attributes_recipe", "greedy_recipe", "GREEDY_COLOURS"]


def random_recipe(lib, categories, analysis: dict[str, Any], seed: int) -> Recipe:
    """Any part of every category (optional ones absent a third of the time), any palette colour; no headwear."""
    from parts_library.palettes import PALETTES

    rng = np.random.default_rng(seed)
    parts: dict[str, str | None] = {}
    for cat in categories:
        ids = sorted(p.id for p in lib.parts(cat))
        options: list[str | None] = ids + ([None] * max(1, len(ids) // 2) if cat in OPTIONAL_CATEGORIES else [])
        if cat == "headwear":
            options = [None]
        parts[cat] = options[int(rng.integers(len(options)))]
    colors = {slot: sorted(PALETTES[pal])[int(rng.integers(len(PALETTES[pal])))]
              for slot, pal in [("skin", "skin"), ("hair", "hair"), ("eyes", "eyes"), ("lips", "lips"),
                                ("glasses", "glasses"), ("clothes", "clothes")]}
    colors["brows"] = colors["facial_hair"] = colors["hair"]
    return Recipe(parts=parts, colors=colors, analysis=analysis, method="random", scores={})


def attributes_recipe(cands, lib, idx, attrs, colors: dict[str, str], analysis: dict[str, Any],
                      n_alternatives: int) -> Recipe:
    """What the attributes alone imply: optional categories as measured, hair by soft agreement, every other
    category its typical part (no geometry, no identity)."""
    parts: dict[str, str | None] = {}
    for cat, cat_cands in cands.items():
        options = [pid for pid, _ in cat_cands]
        if cat in OPTIONAL_CATEGORIES:
            # what the attributes imply (none, or the best-agreeing part of the measured kind), no geometry
            real = [o for o in options if o is not None]
            parts[cat] = None if presence(cat, attrs) < 0.5 or not real else max(
                real, key=lambda pid: (soft_agreement(cat, lib.get(pid), attrs), pid))
            continue
        usual = typical(cat, lib, idx)
        if cat == "hair":
            parts[cat] = max(options, key=lambda pid: (soft_agreement("hair", lib.get(pid), attrs), pid == usual))
        else:
            parts[cat] = usual if usual in options else options[0]
    return Recipe(parts=parts, colors=colors, analysis=analysis, method="attributes",
                  alternatives=alternatives(cands, n_alternatives), scores={})


GREEDY_COLOURS = ("identity", "measured")


def greedy_recipe(ev: Evidence, lib, categories, colors, identity, analysis, colours: str = "identity") -> Recipe:
    """The published one-at-a-time method: each category (and skin / hair colour) in turn takes whatever maximises
    the identity similarity of the render, with no constraints from the measured attributes.

    ``colours="measured"`` (an ablation, not the published method): skin, hair, brow and facial-hair colours stay
    the measured ones (``colors``) and only the parts are chosen by identity — what the greedy method gains from
    colours that disagree with the photo, measured by ``scripts/eval_greedy_colours.py``."""
    from parts_library.palettes import PALETTES

    if ev.embedding is None:
        raise ValueError("the greedy baseline needs an identity embedding")
    if colours not in GREEDY_COLOURS:
        raise ValueError(f"greedy colours must be one of {', '.join(GREEDY_COLOURS)}, got {colours!r}")
    identity = identity or default_identity()
    if hasattr(identity, "reset"):
        identity.reset()
    current: dict[str, str | None] = {}
    for cat in categories:
        ids = sorted(p.id for p in lib.parts(cat))
        current[cat] = None if cat in OPTIONAL_CATEGORIES else ids[0]
    colors = dict(colors)
    steps = [c for c in SEARCH_ORDER if c in categories] + [c for c in categories if c not in SEARCH_ORDER]
    if colours == "identity":
        colors["skin"] = "monk_05"
        colors["hair"] = colors["brows"] = colors["facial_hair"] = "brown"
        steps = ["skin", "hair_color", *steps]

    def spec() -> dict:
        return {"parts": dict(current), "colors": dict(colors), "params": {}}

    best = identity(spec(), ev.embedding)
    for cat in steps:
        if cat == "skin":
            options, slot = sorted(PALETTES["skin"]), "skin"
        elif cat == "hair_color":
            options, slot = sorted(PALETTES["hair"]), "hair"
        else:
            # parts worn for faith or culture (hijab, turban: tag ON_REQUEST) are never tried: only a user asks
            options = [None] * (cat in OPTIONAL_CATEGORIES) + sorted(p.id for p in lib.parts(cat)
                                                                      if ON_REQUEST not in p.tags)
            slot = None
        for opt in options:
            if slot == "skin":
                old = colors["skin"]
                colors["skin"] = opt
            elif slot == "hair":
                old = colors["hair"]
                colors["hair"] = colors["brows"] = colors["facial_hair"] = opt
            else:
                old = current[cat]
                current[cat] = opt
            sim = identity(spec(), ev.embedding)
            if sim > best:
                best = sim
            else:  # undo
                if slot == "skin":
                    colors["skin"] = old
                elif slot == "hair":
                    colors["hair"] = colors["brows"] = colors["facial_hair"] = old
                else:
                    current[cat] = old
    return Recipe(parts=current, colors=colors, analysis=analysis, method="greedy",
                  scores={"identity": round(best, 4)})
