"""Measurements from pixels + landmarks: skin colour, hair (mask, colour, shape), facial hair, glasses, geometry.

Everything is measured on the aligned canonical chip (:attr:`FaceRecord.chip`, the 1024² frame of
:mod:`parts_library.frame` at 512 px) resampled to a 256 px working copy, so the cost per face does not depend on
the photo's size. Regions come from the 68 landmarks in that frame.

Illumination normalisation (before any colour is read):

- *colour cast*: the illuminant's chromaticity is estimated from grey-world over the whole photo and from the
  white references on the face — the brightest unclipped sclera pixels and the teeth when the mouth is open — each
  compared with its typical chromaticity on ordinary photos; per-channel gains divide it out (in linear RGB).
  All three are linear statistics of the photo, so a per-channel cast cancels exactly;
- *exposure*: the photo's mean and 90th-percentile luminance against their typical levels set the exposure gain.
  A bright, near-neutral backdrop touching the border (white wall, studio paper, sky) is not taken as a sign of
  over-exposure: a bright photo is darkened only as far as the rest of it asks.

The Monk tone treats the remaining exposure error as a nuisance (see :func:`monk_from_lab`): chromaticity decides
more than lightness, because lightness is what lighting changes most.

Skin: CIELAB statistics over cheek, forehead and nose patches, without specular highlights, shadows, beard or hair
(robust per-patch and pooled outlier rejection; under side light the cheek in shadow is left out) → Monk tone
(nearest swatch in Lab after a fixed photo→swatch calibration) and ITA°. Hair: GrabCut seeded above the forehead
and around the skull, face and neck as background → a mask in the canonical frame, its colour (robust mode in Lab →
hair palette; low chroma → black/gray/white family only), silhouette descriptor, length, volume, fringe, baldness,
curl. Facial hair: darkness, texture and chroma of the moustache / chin / jaw regions relative to cheek skin.
Glasses: edge energy of the bridge and the rims around the eyes relative to the skin's own texture.

``measure_face`` returns a typed :class:`~assembler.measure.records.Measurements` (one record per measure, each with
its evidence and a confidence); it is also a read-only mapping of plain values, and its ``_``-prefixed fields (masks,
patches) stay out of :meth:`FaceRecord.to_dict`. One module per measure: :mod:`.illumination`, :mod:`.skin`,
:mod:`.hair`, :mod:`.facial_hair`, :mod:`.eyes`, :mod:`.glasses`, :mod:`.features`; :mod:`.context` holds the
working frame they share.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from parts_library import frame
from parts_library.descriptors import facial_hair_descriptor, glasses_descriptor, hair_descriptor, landmark_descriptors

from ..records import FaceRecord
from .context import WORK_SIZE, _S, linear_to_srgb, srgb_to_linear
from .eyes import eye_color_to_draw, measure_eye_color
from .facial_hair import measure_facial_hair
from .features import brow_thickness
from .glasses import glasses_mask, measure_glasses
from .hair import hair_color_name, hair_family_probs, hair_mask, learned_hair, measure_hair
from .illumination import estimate_illumination, normalised
from .records import (EyeMeasure, FacialHairMeasure, Geometry, GlassesMeasure, HairMeasure, Illumination, Measurements,
                      SkinMeasure)
from .skin import ita_degrees, measure_skin, monk_from_lab, skin_likeness

__all__ = ["measure_face", "Measurements", "SkinMeasure", "HairMeasure", "FacialHairMeasure", "EyeMeasure",
           "GlassesMeasure", "Geometry", "Illumination", "DEFAULT_SEGMENTER", "WORK_SIZE", "normalised", "estimate_illumination", "measure_skin",
           "skin_likeness", "monk_from_lab", "ita_degrees", "measure_hair", "learned_hair", "hair_mask",
           "hair_color_name", "hair_family_probs", "measure_facial_hair", "measure_eye_color", "measure_glasses",
           "glasses_mask", "brow_thickness", "linear_to_srgb", "srgb_to_linear"]

DEFAULT_SEGMENTER = "pan-skin-hair"


def measure_face(image: np.ndarray, face: FaceRecord, *, segmenter: Any = DEFAULT_SEGMENTER) -> Measurements:
    """All measurements of one aligned face, as a typed :class:`~assembler.measure.records.Measurements` (also
    readable as the nested mapping of earlier versions). ``image`` is the RGB photo the face was found in.

    ``segmenter``: a :mod:`assembler.segment` backend name or instance whose skin and hair masks the skin and hair
    measurements use (default ``pan-skin-hair``); ``"color-heuristic"`` (or None) measures from the colour models
    alone."""
    seg = None
    if segmenter is not None and segmenter != "color-heuristic":
        from ..segment import Segmenter, get_segmenter

        seg_backend = segmenter if isinstance(segmenter, Segmenter) else get_segmenter(segmenter)
        if seg_backend.name != "color-heuristic":
            seg = seg_backend.segment(image, face)
    ctx, illum, lab = normalised(image, face, seg)
    skin_prob = None
    if seg is not None:
        skin_prob = seg.in_frame("skin", np.asarray(face.align_matrix, np.float64) * _S, WORK_SIZE)
    skin = measure_skin(ctx, lab, illum, skin_prob=skin_prob)
    learned = None if seg is None else learned_hair(image, face, seg, illum)
    if learned is not None and skin_prob is not None:
        learned["_skin_work"] = skin_prob >= 0.5
    hair = measure_hair(ctx, lab, skin, illum, learned=learned)
    if learned is not None:
        hair["_learned_mask"] = learned["_mask_work"]
        hair["learned"] = {k: v for k, v in learned.items() if not k.startswith("_")}
    facial = measure_facial_hair(ctx, lab, skin, head_hair=None if learned is None else learned["_over_face_work"],
                                 grayscale=bool(illum["grayscale"]))
    glasses = measure_glasses(ctx, skin)
    eyes = measure_eye_color(ctx, illum)
    thickness = brow_thickness(ctx, lab, skin)

    descriptors = landmark_descriptors(face.landmarks, brow_thickness=thickness)
    u = frame.to_unit(face.landmarks)
    geometry = {
        "mouth_open": float(np.linalg.norm(u[66] - u[62])),  # inner-lip gap, IOD units
        "smile": float(descriptors["mouth"][3]),  # corner lift, IOD units
        "eye_openness": float(descriptors["eyes"][1]),  # eye height / width
    }
    descriptors["hair"] = hair_descriptor(hair["_mask_small"])
    fh_mask = np.zeros(ctx.shape, np.float32)
    for name, key in (("moustache", "moustache"), ("chin", "goatee"), ("jaw", "beard")):
        p = facial.get(key)
        if p is not None and p > 0.5:
            fh_mask[facial["_regions"][name]] = 1.0
    descriptors["facial_hair"] = facial_hair_descriptor(fh_mask)
    gmask = glasses_mask(ctx)
    descriptors["glasses"] = glasses_descriptor(gmask * (glasses["probability"] > 0.5))

    family_probs = None
    if hair.get("lab") is not None:
        skin_lab = skin.get("lab")
        family_probs = hair_family_probs(hair["lab"], grayscale=bool(illum["grayscale"]), skin_lab=skin_lab,
                                         skin_l=None if skin_lab is None else float(skin_lab[0]),
                                         buzz=hair.get("length") == "buzz")
    hair_rec = HairMeasure.from_values(
        {k: v for k, v in hair.items() if not k.startswith("_")} | {
            "family_probs": family_probs, "length_confidence": _length_confidence(hair), "_mask": hair["_mask"],
            "_mask_small": hair["_mask_small"], "_seeds": hair.get("_seeds"),
            "_learned_mask": hair.get("_learned_mask")})
    skin_rec = SkinMeasure.from_values(skin)
    facial_rec = FacialHairMeasure.from_values(
        {k: v for k, v in facial.items() if k != "_regions"} | {"confidence": _decisiveness(
            [facial.get(k) for k in ("moustache", "goatee", "beard", "stubble")]), "_regions": facial["_regions"]})
    glasses_rec = GlassesMeasure.from_values(glasses | {"confidence": _decisiveness([glasses["probability"]])})
    return Measurements(
        skin=skin_rec, hair=hair_rec, facial_hair=facial_rec, glasses=glasses_rec,
        eyes=EyeMeasure.from_values(eyes), geometry=Geometry.from_values(geometry),
        illumination=Illumination.from_values(
            {k: v for k, v in illum.items() if k != "grey_world"} | {"_grey_world": illum.get("grey_world")}),
        descriptors=descriptors, brow_thickness=thickness,
        eye_color=eye_color_to_draw(eyes, glasses["probability"]),
        valid_fraction=ctx.valid_fraction, face_px=ctx.face_px,
        _skin_mask=skin.get("_mask"), _skin_patches=skin.get("_patches"), _hair_mask=hair["_mask"],
        _hair_mask_small=hair["_mask_small"], _hair_seeds=hair.get("_seeds"),
        _hair_learned_mask=hair.get("_learned_mask"), _facial_hair_regions=facial["_regions"], _work_size=WORK_SIZE)


def _decisiveness(probs: list[float | None]) -> float:
    """How far the surest of these probabilities is from a coin toss (0: all 0.5 or unknown, 1: certain)."""
    known = [p for p in probs if p is not None]
    return float(max(abs(2.0 * p - 1.0) for p in known)) if known else 0.0


def _length_confidence(hair: dict[str, Any]) -> float:
    """How far the hair length class can be trusted: a bare crown or the learned segmenter's plausible hair, more
    than the colour model's mask, nothing when the crown is out of the photo."""
    if hair.get("length") is None:
        return 0.0
    if hair["length"] == "bald" and (hair.get("bald") or 0.0) >= 0.9:
        return 0.9
    if hair["length"] == "buzz":  # no hair off the skull in the joined masks, a thin layer to the learned one
        return 0.8
    return 0.8 if hair.get("learned_plausible") else 0.5
