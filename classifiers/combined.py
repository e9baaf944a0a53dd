"""The ``combined`` backend: the trained CelebA model where it has the attribute, the ``measured`` backend elsewhere.

``create_classifier("combined", weights=RUN_DIR)``. Field by field:

- from the trained model: the 40 CelebA ``probs`` (measured-only keys are kept beside them), ``glasses``,
  ``fringe``, ``bald``, ``facial_hair`` (measured keys the model lacks are kept), ``skin_tone`` and
  ``skin_confidence`` when the run's skin head was trained on labels (otherwise measured);
- from measurements: ``skin_ita``, ``hair_length`` (unless the model says bald), ``hair_volume``, ``hair_curl``;
  ``skin_hex`` is the measured colour when both agree on the tone, else the trained tone's Monk swatch;
- hair colour: CelebA only knows black / blond / brown / gray, so the measured palette colour wins when it is vivid,
  red or white, when the model names no colour, or when it falls in the same family as the model's (it is the
  finer shade); otherwise the model's family swatch.
"""
from __future__ import annotations

from pathlib import Path

from assembler.records import Attributes, FaceRecord

from . import AttributeClassifier, register_classifier

__all__ = ["CombinedClassifier"]


@register_classifier("combined")
class CombinedClassifier(AttributeClassifier):
    name = "combined"

    def __init__(self, weights: str | Path | None = None, device: str = "cpu",
                 measured: str | AttributeClassifier = "measured", **measured_kwargs):
        from .resnext import ResNeXtCelebAClassifier

        self.trained = ResNeXtCelebAClassifier(weights=weights, device=device)
        self._measured_spec = measured
        self._measured_kwargs = measured_kwargs
        self._measured: AttributeClassifier | None = None if isinstance(measured, str) else measured

    @property
    def measured(self) -> AttributeClassifier:
        if self._measured is None:
            from . import create_classifier

            self._measured = create_classifier(self._measured_spec, **self._measured_kwargs)
        return self._measured

    def predict(self, face: FaceRecord) -> Attributes:
        t = self.trained.predict(face)
        m = self.measured.predict(face)
        return merge_attributes(t, m)


def merge_attributes(t: Attributes, m: Attributes) -> Attributes:
    """Trained ``t`` where it has the attribute, measured ``m`` elsewhere (rules in the module doc)."""
    from parts_library.palettes import MONK, PALETTES

    out = Attributes(backend="combined")
    out.probs = {**m.probs, **t.probs}
    out.glasses = t.glasses if t.glasses is not None else m.glasses
    out.fringe = t.fringe if t.fringe is not None else m.fringe
    out.bald = t.bald if t.bald is not None else m.bald
    out.facial_hair = {**m.facial_hair, **t.facial_hair}
    # skin
    out.skin_ita = m.skin_ita
    if t.skin_tone is not None:
        out.skin_tone, out.skin_confidence = t.skin_tone, t.skin_confidence
        out.skin_hex = m.skin_hex if (m.skin_tone == t.skin_tone and m.skin_hex) else MONK[t.skin_tone - 1]
    else:
        out.skin_tone, out.skin_confidence, out.skin_hex = m.skin_tone, m.skin_confidence, m.skin_hex
    # hair
    out.hair_volume, out.hair_curl = m.hair_volume, m.hair_curl
    out.hair_length = "bald" if t.hair_length == "bald" else m.hair_length
    hair = PALETTES["hair"]
    m_sw = hair.get(m.hair_color) if m.hair_color else None
    use_measured = m_sw is not None and (
        m_sw.vivid or m_sw.family in ("red", "white") or t.hair_color is None
        or m_sw.family == hair[t.hair_color].family)
    if use_measured:
        out.hair_color, out.hair_hex, out.hair_color_confidence = m.hair_color, m.hair_hex, m.hair_color_confidence
        if t.hair_color is not None and m_sw.family == hair[t.hair_color].family:
            out.hair_color_confidence = max(m.hair_color_confidence, t.hair_color_confidence)
    elif t.hair_color is not None:
        out.hair_color, out.hair_hex, out.hair_color_confidence = t.hair_color, t.hair_hex, t.hair_color_confidence
    out.confidence = (t.confidence + m.confidence) / 2
    out.flags = list(dict.fromkeys([*m.flags, *t.flags]))
    return out
