"""Random valid render specs (``{"parts", "colors"}``) drawn from the parts library and the palettes — the
population of the avatar index and the "random" baseline of the evaluation.

Every required category gets a uniformly drawn part; optional categories (facial hair, glasses, headwear) appear
with the given probabilities; skin is a uniform Monk tone, hair a natural colour (a vivid one with ``p_vivid``),
eyes and glasses colours uniform; lips follow the skin tone (the renderer's default), brows the hair (gray under white,
platinum or silver hair, as the search chooses). With probability ``params_p`` the eyes, brows, nose and mouth also get
random placement parameters (scale over the range the search's landmark fit uses; a vertical shift, which only a
user's override sets) and the face outline a random width and length, so a model learned from these avatars has seen
placed features too.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from parts_library.vocabulary import FIT_FACE, FIT_FACE_LENGTH, FIT_SCALE, LIGHT_HAIR

__all__ = ["random_spec", "spec_sampler", "OPTIONAL_P"]

OPTIONAL_P = {"facial_hair": 0.3, "glasses": 0.2, "headwear": 0.05}
PARAM_SCALE, PARAM_FACE, PARAM_FACE_LENGTH = FIT_SCALE, FIT_FACE, FIT_FACE_LENGTH  # the search's fit ranges
PARAM_SHIFT = 0.2  # inter-ocular distances: shifts a recipe may carry (the search itself leaves dy at 0)


def random_spec(rng: np.random.Generator, library=None, *, optional_p: dict[str, float] | None = None,
                p_vivid: float = 0.05, params_p: float = 0.8) -> dict:
    """One random spec; the same generator state gives the same spec."""
    from parts_library import frame
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
    if colors["hair"] in LIGHT_HAIR:
        colors["brows"] = "gray"
    params: dict[str, dict[str, float]] = {}
    if rng.random() < params_p:
        for cat in ("eyes", "brows", "nose", "mouth"):
            scale = round(float(rng.uniform(*PARAM_SCALE)), 3)
            dy = 0.0 if cat == "eyes" else round(float(rng.uniform(-PARAM_SHIFT, PARAM_SHIFT) * frame.IOD), 1)
            params[cat] = {"scale": scale, "dx": 0.0, "dy": dy}
        width, length = float(rng.uniform(*PARAM_FACE)), float(rng.uniform(*PARAM_FACE_LENGTH))
        params["face"] = {"scale": round(width, 3), "dx": 0.0, "dy": 0.0, "stretch": round(length / width, 3)}
    return {"parts": parts, "colors": colors, "params": params}


def spec_sampler(library=None, **kwargs) -> Callable[[np.random.Generator], dict]:
    """``make_spec(rng)`` for :meth:`index.AvatarIndex.build` over one library."""
    if library is None:
        from parts_library import load_library

        library = load_library()
    return lambda rng: random_spec(rng, library, **kwargs)
