"""The evaluations. ``memoji eval DIR`` (identity): does the avatar look like the person — to an embedder that the
search never saw — and does it agree with what the photo shows?

``DIR/<person>/<photos>``. Every photo is analysed once and embedded by the *judge* (``facenet-casia-opencv``, see
:mod:`assembler.judge`) from its own landmarks: that is the gallery. For every photo A of person P and every method
(``search``, the full method, and the baselines ``attributes``, ``greedy``, ``random``, all made by the same
``assembler.make`` code) the avatar is embedded by the judge from the renderer's landmarks and the gallery minus A
is ranked by cosine to it:

- **rank**: position of the best-ranked other photo of P (1 = the nearest photo is the same person); **top-1** /
  **top-3**: rank ≤ 1 / ≤ 3; **chance** is what a random ordering gives for the same gallery.
- **cosines**: judge(avatar)·judge(A), mean to P's other photos, mean to other people's photos — since the judge
  is given landmarks it never "fails to find" a face, so its cosine distribution is the honest signal; the judge's
  own MTCNN detection rate on the avatars is reported beside it.
- **attribute agreement** between the avatar's recipe and the photo's measured attributes (skin Monk tone within
  ±1, hair colour family, beard yes/no, glasses yes/no), and against the human notes of ``DIR/manifest.csv``
  (``path,…,notes`` as in ../shared/faces) where present (skin light/dark, hair colour family, beard, glasses).
- **timings** per stage (analyze, classify, search, render from ``Avatar.timings``; judge).

Every method is made with ``seed`` except ``random``, which draws an independent avatar per photo (see
:func:`.run._seed_for`).

A ``photo`` row (the judge ranking the gallery from photo A itself) gives the ceiling. Photos where analysis fails
are reported and skipped; a failing ``make`` is reported per method.

``memoji eval --labels labels.csv`` (glance attributes against what a person sees): :mod:`.labels` (the file and
its scoring table), :mod:`.label_rules`, :mod:`.labels_run`, :mod:`.labels_report`, with the relightings of
:mod:`.relighting`, the degradations of :mod:`.degrading` and the machine-judged lineup of :mod:`.lineup` (the
held-out test's "pick the avatar among four of the same skin band", with the judge in the person's place).

One module per job: :mod:`.photos` (inputs, notes), :mod:`.colours` (recipe colour → swatch, Monk tone, band,
family: shared by both evaluations), :mod:`.agreement`, :mod:`.stats`, :mod:`.report`, :mod:`.run`.
"""
from __future__ import annotations

from ..search import METHODS
from .agreement import attribute_agreement
from .colours import hair_family, monk_of, skin_band, swatch
from .degrading import DEGRADATIONS, degrade
from .label_rules import agrees, measured_values, recipe_values
from .labels import (ATTRIBUTES, CORE, EXPRESSIONS, HAIR_FAMILIES, LENGTHS, PUBLIC_DOMAIN_FOLDERS, SKIN_BANDS, TEXTURES,
                     LabelRow, LabelsFile, label_class, read_labels)
from .labels_report import LabelsReport, PhotoResult
from .labels_run import evaluate_labels
from .lineup import lineup_scores
from .photos import DEFAULT_EXCLUDE, IMAGE_EXTS, collect_photos
from .relighting import RELIGHTINGS, relight
from .report import AvatarEval, EvalReport, PhotoEval
from .run import evaluate

__all__ = ["METHODS", "collect_photos", "evaluate", "EvalReport", "PhotoEval", "AvatarEval", "attribute_agreement",
           "IMAGE_EXTS", "DEFAULT_EXCLUDE", "swatch", "monk_of", "skin_band", "hair_family", "ATTRIBUTES", "CORE",
           "PUBLIC_DOMAIN_FOLDERS", "SKIN_BANDS", "HAIR_FAMILIES", "LENGTHS", "TEXTURES", "EXPRESSIONS", "LabelRow",
           "LabelsFile", "PhotoResult", "LabelsReport", "read_labels", "label_class", "agrees", "measured_values",
           "recipe_values", "evaluate_labels", "RELIGHTINGS", "relight", "DEGRADATIONS", "degrade",
           "lineup_scores"]
