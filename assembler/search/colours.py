"""The recipe's colour slots from the measured attributes (skin tone, hair and facial hair colour, eye colour)."""
from __future__ import annotations

from parts_library.vocabulary import LIGHT_HAIR

from ..records import Attributes
from .constraints import measured_length

__all__ = ["colors_from_attributes", "FACIAL_COLOR_SURE", "LIGHT_HAIR"]

FACIAL_COLOR_SURE = 0.4  # confidence from which the facial hair's measured colour replaces the head hair's
# families of a beard's own colour that stand against the head hair's: beards grey first (and a white beard under dark
# hair is what a person sees). Any other colour measured on a beard mixes hair with the skin between the hairs — dark
# beards under warm light read auburn (5 of the 6 auburn beards of the labelled photos were dark brown, black or
# salt-and-pepper) — so the facial hair follows the head hair's colour
OWN_BEARD_FAMILIES = ("gray", "white")


def colors_from_attributes(attrs: Attributes, measurements=None) -> dict[str, str]:
    """Colour slots of the recipe. ``measurements``: the face's :class:`~assembler.measure.Measurements`, whose
    ``eye_color`` (set only for a clearly seen, non-brown iris) replaces the skin tone's default brown, and its
    facial hair's own colour colours the facial hair (and, on a bald head, the fringe and brows)."""
    from parts_library.palettes import PALETTES, lip_for_skin

    tone = attrs.skin_tone or 5
    hair = attrs.hair_color if attrs.hair_color in PALETTES["hair"] else "dark_brown"
    eyes = getattr(measurements, "eye_color", None)
    if eyes not in PALETTES["eyes"]:
        eyes = "dark_brown" if tone >= 5 else "brown"
    fh = getattr(measurements, "facial_hair", None)
    facial = hair
    if fh is not None and fh.color in PALETTES["hair"] and fh.color_confidence >= FACIAL_COLOR_SURE:
        if measured_length(attrs) == 0 or attrs.hair_color not in PALETTES["hair"]:
            facial = hair = fh.color  # a bald crown has no hair colour of its own (it reads as skin), and an
            # unmeasured one none to trust: the fringe follows the beard
        elif PALETTES["hair"][fh.color].family in OWN_BEARD_FAMILIES:
            facial = fh.color  # a grey or white beard under darker hair
    return {
        "skin": f"monk_{tone:02d}",
        "hair": hair,
        "brows": hair if hair not in LIGHT_HAIR else "gray",
        "facial_hair": facial,
        "eyes": eyes,
        "lips": lip_for_skin(tone),
        "glasses": "black",
        "clothes": "navy",
    }
