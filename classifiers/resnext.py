"""The ``resnext50-celeba`` backend: a trained run directory (``memoji train-classifier``) applied to an analysed face.

``create_classifier("resnext50-celeba", weights=RUN_DIR)``; ``predict(face)`` maps ``face.chip`` (canonical frame)
into the CelebA-aligned frame with the preprocessing stored in the run's ``config.json``, runs the network and fills
:class:`~assembler.records.Attributes`:

- ``probs``: the 40 CelebA attributes (probabilities at the training prior: the positive-class weighting's logit
  shift is undone); the per-attribute thresholds tuned on validation decide the yes/no fields below
- ``skin_tone`` (Monk 1..10) from the ordinal head, ``skin_hex`` its Monk swatch, ``skin_confidence`` the
  probability of that tone (``None``/0 when the run had no skin labels)
- ``hair_color``: family (``black``/``blonde``/``brown``/``gray`` palette entries) from ``Black_Hair`` /
  ``Blond_Hair`` / ``Brown_Hair`` / ``Gray_Hair`` (the most probable one above its threshold; ``None`` when none
  is — CelebA has no red or vivid hair — or when bald); ``bald`` = ``Bald``; ``hair_length`` = ``"bald"`` when
  ``Bald`` passes its threshold, else ``None`` (CelebA says nothing about length)
- ``fringe`` = ``Bangs``; ``glasses`` = ``Eyeglasses``; ``facial_hair`` = {``beard``: 1 − ``No_Beard``,
  ``moustache``: ``Mustache``, ``goatee``: ``Goatee``, ``stubble``: ``5_o_Clock_Shadow``}
- ``confidence``: mean certainty ``|2p − 1|`` over the attributes, halved for faces flagged small/cut off/not frontal
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from assembler.errors import MemojiError
from assembler.records import Attributes, FaceRecord

from . import AttributeClassifier, register_classifier

__all__ = ["ResNeXtCelebAClassifier", "HAIR_FAMILIES", "attributes_from_probs"]

# CelebA hair-colour attribute -> hair palette entry (parts_library.palettes "hair")
HAIR_FAMILIES = {"Black_Hair": "black", "Blond_Hair": "blonde", "Brown_Hair": "brown", "Gray_Hair": "gray"}
FACIAL_HAIR = {"moustache": "Mustache", "goatee": "Goatee", "stubble": "5_o_Clock_Shadow"}
_DOUBTFUL_FLAGS = ("small_face", "face_cut_off", "not_frontal")


def attributes_from_probs(backend: str, probs: dict[str, float], thresholds: dict[str, float],
                          skin_probs: np.ndarray | None, flags: list[str] | None = None) -> Attributes:
    """CelebA probabilities (+ Monk tone probabilities) → an :class:`Attributes` record (see the module doc)."""
    from parts_library.palettes import MONK, PALETTES

    attrs = Attributes(backend=backend, probs=dict(probs), flags=list(flags or []))
    if skin_probs is not None:
        tone = int(np.argmax(skin_probs)) + 1
        attrs.skin_tone = tone
        attrs.skin_hex = MONK[tone - 1]
        attrs.skin_confidence = float(skin_probs[tone - 1])
    bald = probs.get("Bald")
    attrs.bald = bald
    is_bald = bald is not None and bald >= thresholds.get("Bald", 0.5)
    if is_bald:
        attrs.hair_length = "bald"
    hair = {name: probs[a] for a, name in HAIR_FAMILIES.items() if a in probs}
    if hair and not is_bald:
        best_attr = max((a for a in HAIR_FAMILIES if a in probs), key=lambda a: probs[a] / thresholds.get(a, 0.5))
        if probs[best_attr] >= thresholds.get(best_attr, 0.5):
            name = HAIR_FAMILIES[best_attr]
            attrs.hair_color = name
            attrs.hair_hex = PALETTES["hair"][name].hex
            attrs.hair_color_confidence = float(probs[best_attr])
    attrs.fringe = probs.get("Bangs")
    attrs.glasses = probs.get("Eyeglasses")
    fh: dict[str, float] = {}
    if "No_Beard" in probs:
        fh["beard"] = float(1.0 - probs["No_Beard"])
    for key, a in FACIAL_HAIR.items():
        if a in probs:
            fh[key] = float(probs[a])
    attrs.facial_hair = fh
    p = np.asarray(list(probs.values()), dtype=np.float64)
    conf = float(np.mean(np.abs(2 * p - 1))) if len(p) else 0.0
    if any(f in attrs.flags for f in _DOUBTFUL_FLAGS):
        conf *= 0.5
    attrs.confidence = conf
    return attrs


@register_classifier("resnext50-celeba")
class ResNeXtCelebAClassifier(AttributeClassifier):
    """40 CelebA attributes + Monk skin tone from a run directory trained by ``memoji train-classifier``."""

    name = "resnext50-celeba"

    def __init__(self, weights: str | Path | None = None, device: str = "cpu", threads: int | None = None):
        import torch

        from .celeba import CELEBA_ATTRS
        from .celeba.model import load_run

        self.device = torch.device(device)
        if threads:
            torch.set_num_threads(int(threads))
        self.model, self.config = load_run(weights, device=self.device, expect_attributes=CELEBA_ATTRS)
        self.preprocess = self.config.preprocess
        self.run_dir = Path(weights)
        self.attr_names = self.config.attributes
        self.thresholds = dict(zip(self.attr_names, self.config.thresholds.tolist()))
        self.skin_trained = bool(self.config.get("skin_head_trained"))

    def __repr__(self) -> str:
        return f"ResNeXtCelebAClassifier(arch={self.config['arch']!r}, weights={str(self.run_dir)!r})"

    def input_for(self, face: FaceRecord) -> np.ndarray:
        """The network's uint8 input crop (S×S×3) for an analysed face."""
        if face.chip is None or face.chip_scale is None:
            raise MemojiError("the resnext50-celeba classifier needs an analysed face with an aligned chip: "
                              "run assembler.analyze(photo) first")
        return self.preprocess.face_to_input(face.chip, face.chip_scale)

    def raw(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, S, S, 3) uint8 crops → (attribute probabilities (N, 40), Monk tone probabilities (N, 10))."""
        import torch

        from .celeba.model import coral_probs

        x = torch.from_numpy(np.ascontiguousarray(crops.transpose(0, 3, 1, 2))).to(self.device)
        with torch.inference_mode():
            a, s = self.model(self.preprocess.normalize(x))
        a = a.float().cpu().numpy() + self.config.logit_offsets[None, :]
        return 1.0 / (1.0 + np.exp(-a)), coral_probs(s.float().cpu().numpy())

    def predict_many(self, faces: list[FaceRecord]) -> list[Attributes]:
        if not faces:
            return []
        crops = np.stack([self.input_for(f) for f in faces])
        probs, skin = self.raw(crops)
        out = []
        for f, p, sp in zip(faces, probs, skin):
            named: dict[str, Any] = {n: float(v) for n, v in zip(self.attr_names, p)}
            out.append(attributes_from_probs(self.name, named, self.thresholds, sp if self.skin_trained else None,
                                             [fl for fl in f.flags if fl in _DOUBTFUL_FLAGS]))
        return out

    def predict(self, face: FaceRecord) -> Attributes:
        return self.predict_many([face])[0]
