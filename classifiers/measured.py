"""The ``measured`` attribute backend (default): turns :func:`assembler.measure.measure_face` measurements into an
:class:`~assembler.records.Attributes` record, with CelebA attribute names in ``probs`` where one exists.

Every value comes from pixels and landmarks, with one learned exception: the skin *band* (light / medium / dark)
comes from :mod:`classifiers.skin_band`, a small head on the identity embedding that the light does not move, and
the measured colour picks the Monk tone within that band (``skin_head=None`` turns it off: the colour alone). Where
the photo cannot support a value (small face, face cut off by the edge, strongly turned head, black-and-white photo)
the confidences drop, the flags say why, and the probabilities are pulled towards 0.5 rather than reported with
made-up certainty.
"""
from __future__ import annotations

import numpy as np

from parts_library.vocabulary import MOUTH_CLOSED

from assembler.errors import MemojiError
from assembler.measure.records import Measurements
from assembler.records import Attributes, FaceRecord

from . import AttributeClassifier, register_classifier
from .skin_band import BAND_MONK, load_skin_band_head

__all__ = ["MeasuredClassifier", "CELEBA_FROM_MEASURED", "reliability"]

# CelebA attribute names this backend fills (others — Male, Young, Attractive, … — are not measurable from pixels
# without a trained model, so they are left out rather than guessed)
CELEBA_FROM_MEASURED = (
    "Eyeglasses", "No_Beard", "Mustache", "Goatee", "5_o_Clock_Shadow", "Bald", "Receding_Hairline", "Bangs",
    "Black_Hair", "Brown_Hair", "Blond_Hair", "Gray_Hair", "Straight_Hair", "Wavy_Hair", "Pale_Skin",
    "Mouth_Slightly_Open", "Smiling", "Narrow_Eyes", "Bushy_Eyebrows",
)

# how much each flag lowers the trust in what was measured
_FLAG_FACTORS = {"small_face": 0.35, "face_cut_off": 0.45, "not_frontal": 0.5, "grayscale_photo": 0.7,
                 "hair_out_of_frame": 0.8, "low_resolution": 0.6}


def reliability(face: FaceRecord, measurements: Measurements) -> tuple[float, list[str]]:
    """A 0..1 trust factor from the face's flags and the photo, and the flags (face flags + measurement flags)."""
    flags = list(face.flags)
    if measurements.illumination.grayscale and "grayscale_photo" not in flags:
        flags.append("grayscale_photo")
    if measurements.valid_fraction < 0.75 and "hair_out_of_frame" not in flags:
        flags.append("hair_out_of_frame")
    face_px = measurements.face_px
    if face_px is not None and face_px < 40 and "low_resolution" not in flags and "small_face" not in flags:
        flags.append("low_resolution")  # eyes < 40 px apart in the photo
    factor = 1.0
    for f in flags:
        factor *= _FLAG_FACTORS.get(f, 1.0)
    if face.yaw is not None:
        factor *= float(np.clip(1.2 - abs(face.yaw) / 50.0, 0.3, 1.0))
    return float(factor), flags


def _shrink(p: float | None, trust: float) -> float | None:
    """Pull a probability towards 0.5 as trust drops."""
    if p is None:
        return None
    return float(0.5 + (float(p) - 0.5) * trust)


def _sig(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@register_classifier("measured")
class MeasuredClassifier(AttributeClassifier):
    """Attributes from the analysis measurements (``FaceRecord.measurements``), the skin band from the identity
    embedding.

    ``skin_head``: ``"packaged"`` (default) the head shipped in ``classifiers/weights``; ``"held_out"`` the same head
    refitted without the person a development photo shows (``memoji eval`` scores its own training photos with it);
    a path to a head saved by :meth:`~classifiers.skin_band.SkinBandHead.save` (or ``weights=PATH``); None or
    ``"none"``: colour only."""

    name = "measured"

    def __init__(self, skin_head: str | None = "packaged", weights: str | None = None):
        if weights:  # ``memoji make --classifier-weights FILE``: this backend's weights are its skin-band head
            skin_head = str(weights)
        self.skin_head_mode = None if skin_head in (None, "none") else str(skin_head)
        self._head = None
        if self.skin_head_mode is not None:  # load now: a missing or broken file is an error at construction
            path = None if self.skin_head_mode in ("packaged", "held_out") else self.skin_head_mode
            self._head = load_skin_band_head(path)

    def skin_band_probs(self, face: FaceRecord) -> dict[str, float]:
        """``{band: probability}`` from the face's identity embedding; empty without a head, an embedding, or when
        the embedding is another embedder's than the head's."""
        head = self._head
        if head is None or face.embedding is None or face.embedder != head.embedder:
            return {}
        if self.skin_head_mode == "held_out":
            head = head.held_out(face.embedding)
        return head.predict_proba(face.embedding)

    def predict(self, face: FaceRecord) -> Attributes:
        m = face.measurements
        if not isinstance(m, Measurements):
            raise MemojiError("face has no measurements: analyse the photo with assembler.analyze (measurements "
                              "on) before classifying with the 'measured' backend")
        trust, flags = reliability(face, m)
        skin, hair, fh, gl = m.skin, m.hair, m.facial_hair, m.glasses
        gray = bool(m.illumination.grayscale)

        attrs = Attributes(backend=self.name, flags=flags)
        if skin.monk is not None:
            attrs.skin_tone = int(skin.monk)
            attrs.skin_hex = skin.hex
            attrs.skin_ita = float(skin.ita)
            attrs.skin_confidence = float(skin.confidence) * trust
            band_probs = self.skin_band_probs(face)
            if band_probs:
                # the embedding's band, the colour's shade within it (the nearest tone of the band when the
                # light moved the colour out of it)
                band = max(band_probs, key=band_probs.get)
                lo, hi = BAND_MONK[band]
                tone = int(np.clip(attrs.skin_tone, lo, hi))
                if tone != attrs.skin_tone:
                    from parts_library.palettes import MONK

                    attrs.skin_tone, attrs.skin_hex = tone, MONK[tone - 1]
                    attrs.flags.append("skin_band_from_embedding")
                attrs.skin_band_probs = band_probs
                attrs.skin_confidence = band_probs[band] * trust

        bald = hair.bald
        if hair.color is not None:
            attrs.hair_color = hair.color
            attrs.hair_hex = hair.hex
            attrs.hair_color_confidence = float(hair.color_confidence) * trust
        attrs.hair_length = hair.length
        if attrs.hair_length is not None and hair.length_confidence < 0.8:
            # the colour model's length (no plausible learned hair mask, no bare crown): the search widens the allowed
            # lengths
            attrs.flags.append("hair_length_uncertain")
        attrs.hair_volume = hair.volume
        attrs.hair_curl = hair.curl
        attrs.fringe = _shrink(hair.fringe, trust)
        attrs.bald = _shrink(bald, trust)

        facial = {k: _shrink(getattr(fh, k), trust) for k in ("stubble", "moustache", "beard", "goatee")}
        attrs.facial_hair = {k: v for k, v in facial.items() if v is not None}
        attrs.glasses = _shrink(gl.probability, trust)
        attrs.glasses_rim = gl.rim

        probs: dict[str, float] = {}
        if attrs.glasses is not None:
            probs["Eyeglasses"] = attrs.glasses
        if attrs.facial_hair:
            any_hair = max(attrs.facial_hair.get(k, 0.0) for k in ("moustache", "beard", "goatee"))
            probs["No_Beard"] = 1.0 - any_hair
            for src, dst in (("moustache", "Mustache"), ("goatee", "Goatee"), ("stubble", "5_o_Clock_Shadow")):
                if src in attrs.facial_hair:
                    probs[dst] = attrs.facial_hair[src]
        if attrs.bald is not None:
            probs["Bald"] = attrs.bald
        if hair.receding is not None:
            probs["Receding_Hairline"] = _shrink(hair.receding, trust)
        if attrs.fringe is not None:
            probs["Bangs"] = attrs.fringe
        if hair.family_probs is not None:  # measured with the colour (assembler.measure.hair.hair_family_probs)
            fam = hair.family_probs
            has_hair = 1.0 - float(bald or 0.0)
            for name, keys in (("Black_Hair", ("black",)), ("Brown_Hair", ("brown",)), ("Blond_Hair", ("blonde",)),
                               ("Gray_Hair", ("gray", "white"))):
                probs[name] = _shrink(has_hair * sum(fam.get(k, 0.0) for k in keys), trust)
        if attrs.hair_curl is not None:
            probs["Straight_Hair"] = _shrink(1.0 - attrs.hair_curl, trust * 0.6)
            probs["Wavy_Hair"] = _shrink(float(np.clip(1.0 - abs(attrs.hair_curl - 0.5) * 2.5, 0, 1)), trust * 0.6)
        if attrs.skin_tone is not None and not gray:
            probs["Pale_Skin"] = _shrink(_sig(2.5 * (2.5 - attrs.skin_tone)), trust)
        geo = m.geometry
        probs["Mouth_Slightly_Open"] = _shrink(_sig(40.0 * (geo.mouth_open - MOUTH_CLOSED)), trust)
        probs["Smiling"] = _shrink(_sig(30.0 * (geo.smile - 0.04)), trust)
        probs["Narrow_Eyes"] = _shrink(_sig(25.0 * (0.24 - geo.eye_openness)), trust)
        if m.brow_thickness is not None:
            probs["Bushy_Eyebrows"] = _shrink(_sig(60.0 * (m.brow_thickness - 0.09)), trust)
        attrs.probs = {k: float(np.clip(v, 0.0, 1.0)) for k, v in probs.items() if v is not None}

        parts = [attrs.skin_confidence, attrs.hair_color_confidence]
        attrs.confidence = float(np.clip(np.mean(parts), 0.0, 1.0))
        return attrs
