"""The project's shared vocabulary: one home for the names every layer uses (the bottom layer, so that the index,
the classifiers and the pipeline can all import it).

- the part categories of a recipe, which of them are required, and the colour slots;
- the range of the per-part placement parameters that the search fits and the random avatars of the identity
  model are drawn from (one range, so the model has seen every placement the search can make);
- the tags with a meaning beyond their part: hair length classes, tied-back, curly and thinning-hair tags, the
  light hair colours whose brows are drawn grey, and the mouth opening from which an ``open`` / ``teeth`` mouth is
  drawn (in inter-ocular distances, the unit of the measured geometry).
"""
from __future__ import annotations

__all__ = ["CATEGORIES", "REQUIRED", "OPTIONAL", "COLOR_SLOTS", "FIT_SCALE", "FIT_FACE", "FIT_FACE_LENGTH",
           "HAIR_LENGTHS", "TIED_TAGS", "CURLY_TEXTURES", "HAIR_TEXTURES", "CURL_BOUNDS", "texture_of_curl",
           "texture_of_tags", "THINNING_TAGS", "BRAIDED_TAGS", "HALF_UP_TAGS", "MOHAWK_TAGS", "LIGHT_HAIR",
           "MOUTH_OPEN", "MOUTH_CLOSED"]

CATEGORIES: tuple[str, ...] = ("face", "ears", "eyes", "brows", "nose", "mouth", "hair", "facial_hair", "glasses",
                               "headwear")
REQUIRED: tuple[str, ...] = ("face", "ears", "eyes", "brows", "nose", "mouth", "hair")
OPTIONAL: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in REQUIRED)
COLOR_SLOTS: tuple[str, ...] = ("skin", "hair", "brows", "facial_hair", "eyes", "lips", "glasses", "headwear",
                                "clothes")

FIT_SCALE = (0.85, 1.2)  # eyes, brows, nose, mouth: width factor
FIT_FACE = (0.85, 1.15)  # face outline: width factor ...
FIT_FACE_LENGTH = (0.88, 1.12)  # ... and length factor (a shorter face would lift the chin above the mouth)

HAIR_LENGTHS: tuple[str, ...] = ("bald", "buzz", "short", "medium", "long", "tied")
TIED_TAGS = frozenset({"ponytail", "bun", "man_bun"})  # a hair part with one of these is tied back, whatever else
CURLY_TEXTURES = frozenset({"coily", "afro", "locs"})  # tightly curled textures (never drawn on straight hair)
HAIR_TEXTURES: tuple[str, ...] = ("straight", "wavy", "curly", "coily")  # in order of curl
# a measured curl (0..1) below each bound is that texture; above the last: coily
CURL_BOUNDS: tuple[float, ...] = (1 / 6, 0.5, 5 / 6)

THINNING_TAGS = frozenset({"balding", "receding"})
# braided and twisted styles: a photo's curl says "coily", not which of these (or an afro) it is, so the search does
# not guess them; a user picks one (--override hair=box_braids_01)
BRAIDED_TAGS = frozenset({"braids", "box_braids", "cornrows", "locs", "twists"})
# ... nor a half-up knot, which sits on the crown out of a frontal photo's sight (it drew a bun on women whose long
# hair hangs loose)
HALF_UP_TAGS = frozenset({"half_up"})
# ... nor a mohawk's crest: short hair pushed up (by hands, by wind) is no crest, and the one development photo that got
# a mohawk drawn was a man with his hands in his short hair (deepinsight "happy")
MOHAWK_TAGS = frozenset({"mohawk"})
LIGHT_HAIR: tuple[str, ...] = ("white", "platinum", "silver")  # hair colours whose brows are drawn grey

MOUTH_OPEN = 0.10  # inner-lip opening (inter-ocular distances) from which teeth show: open mouths only
MOUTH_CLOSED = 0.06  # below it: closed mouths only; between the two either


def texture_of_curl(curl: float) -> str:
    """The texture class (:data:`HAIR_TEXTURES`) of a measured curl."""
    return next((name for bound, name in zip(CURL_BOUNDS, HAIR_TEXTURES) if curl < bound), HAIR_TEXTURES[-1])


def texture_of_tags(tags) -> str | None:
    """The texture class a hair part draws (``None`` for a bald part, which draws none)."""
    tags = set(tags)
    if "bald" in tags:
        return None
    if tags & CURLY_TEXTURES:
        return "coily"
    return next((t for t in ("curly", "wavy") if t in tags), "straight")
