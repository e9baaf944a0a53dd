"""Recipe colours → palette swatches, Monk tones, skin bands and hair families: the one mapping that both evaluations
(``memoji eval`` and ``memoji eval --labels``) and the diagnostics scripts use."""
from __future__ import annotations

__all__ = ["swatch", "monk_of", "skin_band", "hair_family"]


def swatch(palette: str, colour: str | None):
    """The swatch of ``palette`` a colour names (``name``, ``palette/name``, or the nearest one to a ``#hex``); None
    for anything else."""
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


def monk_of(colour: str | None) -> int | None:
    """The Monk tone of a skin colour (``monk_07``, ``skin/monk_07`` or the nearest swatch to a ``#hex``)."""
    sw = swatch("skin", colour)
    return None if sw is None else int(sw.name.split("_")[1])


def skin_band(monk: int | None) -> str | None:
    """Monk 1–4 light, 5–7 medium, 8–10 dark (the bands of :data:`classifiers.skin_band.BAND_MONK`)."""
    from classifiers.skin_band import band_of_monk

    return None if monk is None else band_of_monk(monk)


def hair_family(colour: str | None) -> str | None:
    """The family of a hair palette colour (name or ``#hex`` → nearest swatch); white counts as gray."""
    sw = swatch("hair", colour)
    if sw is None:
        return None
    return "gray" if sw.family == "white" else sw.family
