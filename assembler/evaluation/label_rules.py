"""The scoring rules of ``memoji eval --labels``: a measurement or a recipe → the class a label is compared with (see
the table in :mod:`assembler.evaluation.labels`)."""
from __future__ import annotations

from parts_library.vocabulary import texture_of_curl

from .colours import hair_family, monk_of, skin_band
from .labels import BALD_SURE, LENGTHS, PRESENT, label_class

__all__ = ["agrees", "measured_values", "recipe_values", "skin_band", "hair_family"]


def _tags(category: str, part_id: str | None) -> set[str] | None:
    if not part_id:
        return None
    from parts_library import load_library

    try:
        return set(load_library().get(part_id).tags)
    except Exception:  # noqa: BLE001 - an unknown part id (an edited recipe) has no class
        return None


def _length_of(tags: set[str] | None) -> str | None:
    from ..search import TIED_TAGS

    if tags is None:
        return None
    if tags & TIED_TAGS:
        return "tied"
    found = [t for t in LENGTHS if t in tags]
    if found:
        return found[0]
    return "short" if tags & {"balding", "receding"} else None


def _facial_hair_kind_of(tags: set[str] | None) -> str | None:
    """The kind of facial hair a part draws: a beard (with its moustache), a beard without one (``chinstrap``), a
    goatee, a moustache alone, stubble (None: a part id the library does not know)."""
    from ..search import FACIAL_HAIR_KINDS

    if tags is None:
        return None
    drawn = [kind for kind, kind_tags in FACIAL_HAIR_KINDS.items() if tags & set(kind_tags)]  # as the search reads them
    if "beard" in drawn:
        return "beard" if "moustache" in drawn else "chinstrap"
    return next((kind for kind in ("goatee", "moustache", "stubble") if kind in drawn), "none")


def _texture_of(tags: set[str] | None) -> str | None:
    if tags is None or "bald" in tags:
        return None
    for cls, names in (("braids", {"braids", "box_braids", "cornrows", "locs"}), ("coily", {"coily", "afro", "puffs"}),
                       ("curly", {"curly"}), ("wavy", {"wavy"}), ("straight", {"straight"})):
        if tags & names:
            return cls
    return None


def _expression_of(tags: set[str] | None) -> str | None:
    if tags is None:
        return None
    if tags & {"teeth", "open"}:
        return "open_smile"
    return "smile" if "smile" in tags else "neutral"


def agrees(attr: str, label: str, got: str | None) -> bool | None:
    """Does ``got`` (a class) agree with the label value ``label`` (as written)? ``None``: the label is not scored."""
    want = label_class(attr, label)
    if want is None:
        return None
    if attr == "hair_colour" and label == "dark_brown" and got == "black":
        return True
    return got == want


def _measured_kind(probs: dict[str, float]) -> str:
    """The kind of facial hair measured (each more likely than not), by the most hair it covers: a beard (``chinstrap``
    without a moustache), a goatee, a moustache, stubble; else ``none``."""
    def sure(kind: str) -> bool:
        return (probs.get(kind) or 0.0) >= PRESENT

    if sure("beard"):
        return "beard" if sure("moustache") else "chinstrap"
    return next((kind for kind in ("goatee", "moustache", "stubble") if sure(kind)), "none")


def measured_values(attrs) -> dict[str, str | None]:
    """The class of each attribute from the classifier's :class:`~assembler.records.Attributes`."""
    bald = attrs.bald is not None and attrs.bald >= BALD_SURE
    length = "bald" if bald else attrs.hair_length if attrs.hair_length in LENGTHS else None
    texture = None
    if attrs.hair_curl is not None and length != "bald":
        texture = texture_of_curl(attrs.hair_curl)
    probs = attrs.probs or {}
    expression = None
    if "Mouth_Slightly_Open" in probs or "Smiling" in probs:
        expression = "open_smile" if probs.get("Mouth_Slightly_Open", 0.0) >= PRESENT else \
            "smile" if probs.get("Smiling", 0.0) >= PRESENT else "neutral"
    return {
        "skin": skin_band(attrs.skin_tone),
        "hair_colour": "none" if length == "bald" else hair_family(attrs.hair_color),
        "hair_length": length,
        "hair_texture": texture,
        "facial_hair": "present" if max((attrs.facial_hair or {}).values(), default=0.0) >= PRESENT else "none",
        "facial_hair_kind": _measured_kind(attrs.facial_hair or {}),
        "glasses": None if attrs.glasses is None else "present" if attrs.glasses >= PRESENT else "none",
        "headwear": None,  # not measured
        "expression": expression,
    }


def recipe_values(recipe) -> dict[str, str | None]:
    """The class of each attribute in what a recipe draws (a :class:`~assembler.recipe.Recipe` or its dict)."""
    parts = dict(getattr(recipe, "parts", None) or (recipe.get("parts") if isinstance(recipe, dict) else {}) or {})
    colors = dict(getattr(recipe, "colors", None) or (recipe.get("colors") if isinstance(recipe, dict) else {}) or {})
    parts = {k: (v.get("id") if isinstance(v, dict) else v) for k, v in parts.items()}
    hair_tags = _tags("hair", parts.get("hair"))
    length = _length_of(hair_tags)
    return {
        "skin": skin_band(monk_of(colors.get("skin"))),
        "hair_colour": "none" if length == "bald" else hair_family(colors.get("hair")),
        "hair_length": length,
        "hair_texture": _texture_of(hair_tags),
        "facial_hair": "present" if parts.get("facial_hair") else "none",
        "facial_hair_kind": _facial_hair_kind_of(_tags("facial_hair", parts.get("facial_hair")))
        if parts.get("facial_hair") else "none",  # (an unknown part id: None, not scored)
        "glasses": "present" if parts.get("glasses") else "none",
        "headwear": "present" if parts.get("headwear") else "none",
        "expression": _expression_of(_tags("mouth", parts.get("mouth"))),
    }
