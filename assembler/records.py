"""The typed records that travel between stages.

``FaceRecord`` is filled stage by stage (analyze → measure → classify); every field is named, missing data is an
explicit ``None``. ``to_dict`` serialises it without pixels, for debugging, tests and the recipe's analysis summary.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

__all__ = ["FaceRecord", "Attributes"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.round(value.astype(float), 4).tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


UNSURE = 0.35  # confidence below which a colour attribute counts as uncertain
UNSURE_MARGIN = 0.1  # a probability this close to 0.5 counts as uncertain


@dataclass
class Attributes:
    """What a person looks like, as named, calibrated values (filled by a classifier backend).

    ``probs`` uses CelebA's attribute names wherever one exists (``Eyeglasses``, ``No_Beard``, ``Gray_Hair`` …), so a
    trained CelebA backend and the measured backend fill the same record.
    """

    backend: str
    skin_tone: int | None = None  # Monk scale 1..10
    skin_hex: str | None = None
    skin_ita: float | None = None  # individual typology angle, degrees
    skin_confidence: float = 0.0
    skin_band_probs: dict[str, float] = field(default_factory=dict)  # light / medium / dark -> prob (skin-band head)
    hair_color: str | None = None  # hair palette name
    hair_hex: str | None = None
    hair_color_confidence: float = 0.0
    hair_length: str | None = None  # "bald" | "short" | "medium" | "long"
    hair_volume: float | None = None  # 0 (flat) .. 1 (big)
    hair_curl: float | None = None  # 0 (straight) .. 1 (coily)
    fringe: float | None = None  # probability of bangs
    bald: float | None = None  # probability
    facial_hair: dict[str, float] = field(default_factory=dict)  # stubble / moustache / beard / goatee -> prob
    glasses: float | None = None  # probability
    glasses_rim: float | None = None  # the frames' rim edge strength (× the skin's texture): how heavy they are
    probs: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0  # overall: low when the face is small, cut off or badly lit
    flags: list[str] = field(default_factory=list)  # e.g. "face_cut_off", "small_face"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    def uncertain(self) -> list[str]:
        """The attributes measured with too little confidence to be trusted at a glance (the search widens what it
        allows for them; the recipe and the CLI line name them)."""
        out = []
        if self.skin_tone is not None and self.skin_confidence < UNSURE:
            out.append("skin")
        if self.hair_color is not None and self.hair_color_confidence < UNSURE:
            out.append("hair colour")
        if "hair_length_uncertain" in self.flags:
            out.append("hair length")
        for kind, p in sorted(self.facial_hair.items()):
            if abs(p - 0.5) < UNSURE_MARGIN:
                out.append(kind)
        if self.glasses is not None and abs(self.glasses - 0.5) < UNSURE_MARGIN:
            out.append("glasses")
        return out

    def summary(self) -> str:
        """One human-readable line."""
        parts = [f"[{self.backend}]"]
        if self.skin_tone is not None:
            parts.append(f"skin Monk {self.skin_tone} {self.skin_hex or ''}".rstrip())
        if self.hair_color is not None:
            parts.append(f"hair {self.hair_color}" + (f" {self.hair_length}" if self.hair_length else ""))
        if self.facial_hair:
            top = max(self.facial_hair, key=self.facial_hair.get)
            parts.append(f"facial hair {top} {self.facial_hair[top]:.2f}")
        if self.glasses is not None:
            parts.append(f"glasses {self.glasses:.2f}")
        parts.append(f"confidence {self.confidence:.2f}")
        unsure = self.uncertain()
        if unsure:
            parts.append(f"uncertain: {', '.join(unsure)}")
        if self.flags:
            parts.append(f"flags: {', '.join(self.flags)}")
        return "  ".join(parts)


@dataclass(eq=False)
class FaceRecord:
    """One face, filled stage by stage. Coordinates are in the original (EXIF-rotated) image's pixels unless named
    ``*_canonical`` (the shared 1024² canonical frame of :mod:`parts_library.frame`)."""

    # analyze: detection
    box: np.ndarray  # (4,) x0, y0, x1, y1
    score: float
    points5: np.ndarray  # (5, 2) MTCNN: left eye, right eye, nose, mouth left, mouth right (image left/right)
    image_size: tuple[int, int]  # (width, height) of the source image
    # analyze: landmarks, alignment, embedding
    landmarks: np.ndarray | None = None  # (68, 2) dlib iBUG-68
    align_matrix: np.ndarray | None = None  # (2, 3) image -> canonical frame
    landmarks_canonical: np.ndarray | None = None  # (68, 2)
    chip: np.ndarray | None = field(default=None, repr=False)  # aligned RGB uint8 chip of the canonical frame
    chip_scale: float | None = None  # chip pixels per canonical unit
    embedding: np.ndarray | None = field(default=None, repr=False)  # unit-norm identity embedding
    embedder: str | None = None
    yaw: float | None = None  # rough head yaw from landmarks, degrees
    # later stages
    measurements: Any = None  # assembler.measure.Measurements (a typed mapping), filled by assembler.measure
    attributes: Attributes | None = None  # filled by classify
    source: str | None = None  # path or description of the photo
    index: int = 0  # position in the size-ordered list of faces in the photo
    faces_found: int = 1  # how many faces the detector found in the photo (the largest first)
    flags: list[str] = field(default_factory=list)

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return float(max(0.0, x1 - x0) * max(0.0, y1 - y0))

    def to_dict(self, *, include_embedding: bool = True) -> dict[str, Any]:
        """All fields except pixels (``chip``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "chip" or (f.name == "embedding" and not include_embedding):
                continue
            value = getattr(self, f.name)
            if f.name == "attributes" and value is not None:
                value = value.to_dict()
            elif f.name == "measurements" and value is not None:
                value = {k: v for k, v in value.items() if not k.startswith("_")}
            out[f.name] = _jsonable(value)
        return out
