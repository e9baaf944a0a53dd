"""Hair (back + front layers) and facial hair.

A hairstyle is a :class:`~.spec.HairSpec`: a cap (the volume over the cranium, bounded below by a hairline or a
fringe), an optional back layer (hair behind the head, neck and shoulders), optional locks in front of the
shoulders, a texture that shapes the silhouette (straight, wavy, curly, coily), and extras by name (bun, ponytail,
braids, locs, puffs: :data:`.extras.EXTRAS`). Everything is drawn on the mean cranium; the renderer scales it to the
chosen face's temple width.

Modules: ``spec`` (the parameters), ``catalogue`` (every part as data), ``outline`` (geometry), ``paint`` (SVG
primitives), ``layers`` (the front and back layers), ``extras`` (named extras), ``facial`` (facial hair).
"""
from __future__ import annotations

from ..common import CRANIUM_TOP, CX, PartDef
from .catalogue import HAIR
from .extras import EXTRAS, extra
from .facial import FACIAL_HAIR, facial_hair_parts
from .layers import back_layer, front_layer
from .outline import hairline_curve
from .spec import HairSpec

__all__ = ["HairSpec", "HAIR", "EXTRAS", "FACIAL_HAIR", "extra", "hair_part", "hair_parts", "facial_hair_parts"]


def hair_part(h: HairSpec) -> PartDef:
    """One hair part: its back layer (drawn below the body) and front layer (above the face), each with the extras'
    drawings in their place, and its anchors (crown, hairline, length) and parameters."""
    pid = h.key
    extras = [extra(name) for name in h.extra]
    under = "".join(e.under(pid, h) for e in extras if e.under)
    front = under + front_layer(pid, h) + "".join(e.front(pid, h) for e in extras if e.front)
    back = back_layer(pid, h) + "".join(e.back(pid, h) for e in extras if e.back)
    layers = {"back": back, "front": front}
    anchors = {"crown": [[CX, round(float(CRANIUM_TOP - h.vol_top), 2)]]}
    if h.cap:
        anchors["hairline"] = [[round(float(x), 2), round(float(y), 2)] for x, y in hairline_curve(h)[::5]]
    if h.back_len is not None:
        anchors["length"] = [[CX, float(h.back_len)]]
    params = {k: v for k, v in h.__dict__.items() if k not in ("key", "name", "tags")}
    slots = ["hair", "skin"]
    return PartDef(pid, "hair", h.name, list(h.tags), layers, anchors, slots, params=params)


def hair_parts() -> list[PartDef]:
    return [hair_part(h) for h in HAIR]
