"""Does an avatar's recipe agree with its photo? Against the measured attributes and the human notes (``memoji
eval``)."""
from __future__ import annotations

from .colours import monk_of, swatch

__all__ = ["attribute_agreement", "has_part", "avatar_beard", "BEARD_KEYS"]

BEARD_KEYS = ("beard", "moustache", "mustache", "goatee")


def has_part(parts: dict, category: str) -> bool:
    pid = parts.get(category)
    if isinstance(pid, dict):
        pid = pid.get("id")
    return bool(pid) and str(pid).lower() not in ("none", "null")


def avatar_beard(parts: dict) -> bool:
    return has_part(parts, "facial_hair") and "stubble" not in str(parts.get("facial_hair")).lower()


def attribute_agreement(recipe: dict, attributes, truth: dict[str, bool] | None = None) -> dict[str, bool | None]:
    """Does the recipe agree with the photo? ``{skin, hair, beard, glasses}`` against the measured ``attributes``
    (``None`` where the photo gives no value) plus ``beard_notes`` / ``glasses_notes`` against human notes."""
    parts, colors = recipe.get("parts") or {}, recipe.get("colors") or {}
    out: dict[str, bool | None] = {"skin": None, "hair": None, "beard": None, "glasses": None}
    if attributes is not None:
        avatar_skin = monk_of(colors.get("skin"))
        if attributes.skin_tone is not None and avatar_skin is not None:
            out["skin"] = abs(int(attributes.skin_tone) - avatar_skin) <= 1
        photo_hair, avatar_hair = swatch("hair", attributes.hair_color), swatch("hair", colors.get("hair"))
        if photo_hair is not None and avatar_hair is not None:
            out["hair"] = photo_hair.family == avatar_hair.family
        fh = attributes.facial_hair or {}
        if fh:
            out["beard"] = (max(fh.get(k, 0.0) for k in BEARD_KEYS) >= 0.5) == avatar_beard(parts)
        if attributes.glasses is not None:
            out["glasses"] = (attributes.glasses >= 0.5) == has_part(parts, "glasses")
    if truth:
        out["beard_notes"] = truth["beard"] == avatar_beard(parts)
        out["glasses_notes"] = truth["glasses"] == has_part(parts, "glasses")
        avatar_skin = monk_of(colors.get("skin"))
        if "skin" in truth and avatar_skin is not None:
            lo, hi = truth["skin"]
            out["skin_notes"] = lo <= avatar_skin <= hi
        avatar_hair = swatch("hair", colors.get("hair"))
        if "hair" in truth and avatar_hair is not None:
            out["hair_notes"] = avatar_hair.family in truth["hair"]
    return out
