"""Eyes, brows, noses and mouths: one module per feature (``eyes``, ``brows``, ``noses``, ``mouths``), each with its
catalogue, its geometry and its drawing. Each part's anchors are the *realistic* landmark positions it stands for
(canonical frame); the drawing may exaggerate around them the memoji way (eyes are drawn bigger about their centre).
Every name the single ``features`` module had is importable from here (the expression parts use the private drawing
functions too), and the generator lists the parts in the same order as before: eyes, brows, noses, mouths.
"""
from __future__ import annotations

from .brows import BROW_DEFAULTS, BROWS, _brow_svg, brow_centreline, brow_parts
from .eyes import (EX, EY, EYE_DEFAULTS, EYES, LASH, _below, _eye_defs, _eye_svg, _lid_curves, eye_geometry,
                   eye_parts)
from .mouths import MOUTH_DEFAULTS, MOUTHS, mouth_anchors, mouth_parts, mouth_svg
from .noses import NOSE_DEFAULTS, NOSES, nose_anchors, nose_parts, nose_svg

__all__ = ["LASH", "EYES", "EYE_DEFAULTS", "EX", "EY", "eye_geometry", "eye_parts", "BROWS", "BROW_DEFAULTS",
           "brow_centreline", "brow_parts", "NOSES", "NOSE_DEFAULTS", "nose_anchors", "nose_svg", "nose_parts",
           "MOUTHS", "MOUTH_DEFAULTS", "mouth_anchors", "mouth_svg", "mouth_parts",
           # private, for the expression parts (families/expressions.py)
           "_eye_defs", "_eye_svg", "_brow_svg", "_lid_curves", "_below"]
