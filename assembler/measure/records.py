"""Typed records of one face's measurements.

Each measure is a dataclass with named fields (the evidence behind the decision and a confidence next to it). It is
also a read-only mapping of its public fields — the ``BaseOutput`` habit of diffusers — so ``m.skin.monk`` and
``m["skin"]["monk"]`` are the same value, ``dict(m.skin)`` and JSON see plain keys, and code written against the
earlier dict keeps working. Fields whose names start with ``_`` hold arrays (masks, patches, regions): reachable by
attribute or key, left out of iteration and so of :meth:`FaceRecord.to_dict`.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

__all__ = ["MeasureRecord", "Illumination", "SkinMeasure", "HairMeasure", "FacialHairMeasure", "EyeMeasure",
           "GlassesMeasure", "Geometry", "Measurements"]


class MeasureRecord(Mapping):
    """Base of the measurement records: attribute access for code, a read-only mapping of the public fields for
    serialisation and for readers of the earlier dicts."""

    @classmethod
    def _public(cls) -> tuple[str, ...]:
        cached = cls.__dict__.get("_public_names")
        if cached is None:
            cached = tuple(f.name for f in fields(cls) if not f.name.startswith("_"))
            setattr(cls, "_public_names", cached)
        return cached

    @classmethod
    def from_values(cls, values: Mapping[str, Any]):
        """A record from a measure's plain values; a key that is no field is an error (a typo must not vanish)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
        return cls(**values)

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._public())

    def __len__(self) -> int:
        return len(self._public())

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={_short(getattr(self, k))}" for k in self._public())
        return f"{type(self).__name__}({shown})"


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{list(value.shape)}" if value.size > 4 else repr(np.round(value, 2).tolist())
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, MeasureRecord):
        return f"{type(value).__name__}(…)"
    return repr(value)


@dataclass(eq=False, repr=False)
class Illumination(MeasureRecord):
    """The photo's light as estimated: the veil (a flat light added to every pixel, linear RGB) that is subtracted
    first, per-channel gains that remove the cast, the exposure gain, and the evidence (white references used,
    grey-world weight and disagreement, scene levels, backdrop fraction)."""
    gains: np.ndarray
    exposure: float
    veil: np.ndarray | None = None
    references: list[str] = field(default_factory=list)
    grey_disagreement: float = 0.0
    grey_weight: float = 1.0
    scene_mean: float = 0.0
    scene_high: float = 0.0
    level: float = 1.0
    backdrop: float = 0.0
    grayscale: bool = False
    _grey_world: np.ndarray | None = None


@dataclass(eq=False, repr=False)
class SkinMeasure(MeasureRecord):
    """Skin colour (illumination-normalised CIELAB) → Monk tone 1–10 and ITA°, with the evidence: patches used, the
    exposure factor of the Monk fit, its margin to the second tone, clipped fraction, pixel count."""
    lab: np.ndarray | None = None
    monk: int | None = None
    ita: float | None = None
    confidence: float = 0.0
    pixels: int = 0
    lab_matched: np.ndarray | None = None
    hex: str | None = None
    monk_margin: float | None = None
    monk_exposure: float | None = None
    clipped: float | None = None
    patches_used: list[str] = field(default_factory=list)
    patch_shadowed: str | None = None
    _mask: np.ndarray | None = None
    _patches: dict[str, np.ndarray] | None = None


@dataclass(eq=False, repr=False)
class HairMeasure(MeasureRecord):
    """Head hair: colour (Lab, palette name, family and family probabilities, confidence), length class (bald,
    short, medium, long; ``None`` when the crown is out of the photo) with its source and confidence, and the shape
    evidence (crown coverage and texture, area, volume, fringe, hairline, receding, curl, the learned segmenter's own
    findings)."""
    color: str | None = None
    family: str | None = None
    #: soft assignment of the colour to the palette's families ({family: probability}, summing to 1; ``None``
    #: without a colour), :func:`assembler.measure.hair.hair_family_probs`: the classifiers read it from here
    family_probs: dict[str, float] | None = None
    lab: np.ndarray | None = None
    hex: str | None = None
    color_confidence: float = 0.0
    length: str | None = None
    length_confidence: float = 0.0
    length_source: str | None = None
    length_iod: float | None = None
    length_below_chin_iod: float | None = None
    length_lower_bound: bool = False
    shoulder_iod: float | None = None
    bald: float | None = None
    receding: float | None = None
    volume: float | None = None
    fringe: float | None = None
    fringe_coverage: float | None = None
    hairline_iod: float | None = None
    curl: float | None = None
    coverage_crown: float | None = None
    crown_seen: float | None = None
    crown_skin: float | None = None
    crown_texture: float | None = None
    crown_unexplained: float | None = None  # share of a bare-looking crown that is neither skin, hair nor backdrop
    area_iod2: float | None = None
    like_background: bool = False
    segmenter: str | None = None
    learned_plausible: bool | None = None
    learned: dict[str, Any] | None = None
    _mask: np.ndarray | None = None
    _mask_small: np.ndarray | None = None
    _seeds: Any = None
    _learned_mask: np.ndarray | None = None


@dataclass(eq=False, repr=False)
class FacialHairMeasure(MeasureRecord):
    """Probabilities of moustache, goatee, beard and stubble (``None``: no skin reference to compare with), the
    per-region evidence (darkness, dark fraction, texture, chroma drop against the cheek), a confidence (how far
    the surest of them is from a coin toss) and the facial hair's own colour."""
    moustache: float | None = None
    goatee: float | None = None
    beard: float | None = None
    stubble: float | None = None
    confidence: float = 0.0
    color: str | None = None  # hair palette name of the facial hair's own pixels (None: no facial hair found)
    lab: np.ndarray | None = None
    color_confidence: float = 0.0
    features: dict[str, Any] = field(default_factory=dict)
    _regions: dict[str, np.ndarray] | None = None


@dataclass(eq=False, repr=False)
class EyeMeasure(MeasureRecord):
    """Iris colour: palette name, Lab, confidence (eye size in the photo, iris pixels) and the eye width in photo
    pixels."""
    color: str | None = None
    lab: np.ndarray | None = None
    confidence: float = 0.0
    eye_px: float | None = None


@dataclass(eq=False, repr=False)
class GlassesMeasure(MeasureRecord):
    """Probability of glasses from the edge energy of the bridge, rims and sides against the skin's texture
    (``noise``), and a confidence."""
    probability: float = 0.0
    confidence: float = 0.0
    bridge: float | None = None
    rim: float | None = None
    side: float | None = None
    noise: float | None = None


@dataclass(eq=False, repr=False)
class Geometry(MeasureRecord):
    """Expression geometry from the landmarks, in IOD units: inner-lip gap, mouth-corner lift, eye height / width."""
    mouth_open: float
    smile: float
    eye_openness: float


@dataclass(eq=False, repr=False)
class Measurements(MeasureRecord):
    """Everything measured on one aligned face (:func:`assembler.measure.measure_face`)."""
    skin: SkinMeasure
    hair: HairMeasure
    facial_hair: FacialHairMeasure
    glasses: GlassesMeasure
    eyes: EyeMeasure
    geometry: Geometry
    illumination: Illumination
    descriptors: dict[str, np.ndarray]
    brow_thickness: float | None = None
    eye_color: str | None = None  # the eye colour the search uses (None: the skin tone's default)
    valid_fraction: float = 1.0
    face_px: float = 0.0
    _skin_mask: np.ndarray | None = None
    _skin_patches: dict[str, np.ndarray] | None = None
    _hair_mask: np.ndarray | None = None
    _hair_mask_small: np.ndarray | None = None
    _hair_seeds: Any = None
    _hair_learned_mask: np.ndarray | None = None
    _facial_hair_regions: dict[str, np.ndarray] | None = None
    _work_size: int = 256
