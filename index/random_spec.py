"""Random valid render specs (``{"parts", "colors"}``) drawn from the parts library and the palettes — the
population of the avatar index and the "random" baseline of the evaluation.

Every required category gets a uniformly drawn part; optional categories (facial hair, glasses, headwear) appear
with the given probabilities; skin is a uniform Monk tone, hair a natural colour (a vivid one with ``p_vivid``),
eyes and glasses colours uniform; lips follow the skin tone (the renderer's default).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["random_spec", "spec_sampler", "OPTIONAL_P"]

OPTIONAL_P = {"facial_hair": 0.3, "glasses": 0.2, "headwear": 0.05}


def random_spec(rng: np.random.Generator, library=None, *, optional_p: dict[str, float] | None = None,
                p_vivid: float = 0.05) -> dict:
    """One random spec; the same generator state gives the same spec."""
    from parts_library.palettes import PALETTES

    if library is None:
        from parts_library import load_library

        library = load_library()
    from parts_library import REQUIRED

    optional_p = OPTIONAL_P if optional_p is None else optional_p
    parts: dict[str, str] = {}
    for cat in library.categories:
        ids = sorted(library.ids(cat))
        if not ids:
            continue
        if cat not in REQUIRED and rng.random() >= optional_p.get(cat, 0.0):
            continue
        parts[cat] = ids[int(rng.integers(len(ids)))]

    def pick(names):
        names = sorted(names)
        return names[int(rng.integers(len(names)))]

    hair = PALETTES["hair"]
    vivid = rng.random() < p_vivid
    colors = {
        "skin": pick(PALETTES["skin"]),
        "hair": pick([n for n, sw in hair.items() if sw.vivid == vivid]),
        "eyes": pick(PALETTES["eyes"]),
        "glasses": pick(PALETTES["glasses"]),
        "headwear": pick(PALETTES["headwear"]),
    }
    return {"parts": parts, "colors": colors}


def spec_sampler(library=None, **kwargs) -> Callable[[np.random.Generator], dict]:
    """``make_spec(rng)`` for :meth:`index.AvatarIndex.build` over one library."""
    if library is None:
        from parts_library import load_library

        library = load_library()
    return lambda rng: random_spec(rng, library, **kwargs)
