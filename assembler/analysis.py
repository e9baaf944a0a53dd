"""The analyze stage: photo → list of :class:`FaceRecord` (largest face first).

decode (EXIF, alpha, bombs) → detect (MTCNN, on a downscaled copy) → 68 landmarks (dlib, full resolution) →
align to the canonical frame → identity embedding → measurements (skin, hair, facial hair, glasses, geometry).
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from .detect import Detector, create_detector
from .embed import Embedder, create_embedder
from .errors import NoFaceError
from .geometry import apply_affine, estimate_yaw, similarity_to_canonical, warp_to_canonical
from .io import ImageInput, _describe, load_image
from .landmarks import Landmarker, create_landmarker
from .records import FaceRecord

__all__ = ["Analyzer", "analyze", "get_analyzer", "SMALL_FACE_PX", "MAX_FRONTAL_YAW"]

SMALL_FACE_PX = 60  # faces narrower than this are analysed but flagged "small_face"
MAX_FRONTAL_YAW = 35.0  # degrees; beyond it the face is flagged "not_frontal"


class Analyzer:
    """Holds the stage backends so repeated calls are warm. ``timings`` has the seconds per stage of the last call."""

    def __init__(self, detector: str | Detector = "mtcnn", landmarker: str | Landmarker = "dlib-68",
                 embedder: str | Embedder | None = "dlib-resnet128", chip_size: int = 512,
                 measure: bool | Callable[[np.ndarray, FaceRecord], dict[str, Any]] = True):
        self.detector = create_detector(detector) if isinstance(detector, str) else detector
        self.landmarker = create_landmarker(landmarker) if isinstance(landmarker, str) else landmarker
        self.embedder = create_embedder(embedder) if isinstance(embedder, str) else embedder
        self.chip_size = chip_size
        if measure is True:
            from .measure import measure_face

            measure = measure_face
        self.measure = measure or None
        self.timings: dict[str, float] = {}

    def _detect(self, rgb: np.ndarray, max_side: int | None = None):
        h, w = rgb.shape[:2]
        scale = min(1.0, (max_side or self.detector.max_side) / max(h, w))
        small = rgb if scale == 1.0 else cv2.resize(rgb, (round(w * scale), round(h * scale)),
                                                     interpolation=cv2.INTER_AREA)
        dets = self.detector.detect(small)
        for d in dets:
            d.box = d.box / scale
            d.points5 = d.points5 / scale
        return dets

    def __call__(self, image: ImageInput, *, max_faces: int | None = None) -> list[FaceRecord]:
        t = {}
        t0 = time.perf_counter()
        rgb = load_image(image)
        name = _describe(image)
        t["decode"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        fast = getattr(self.detector, "fast_side", None)
        dets = []
        if max_faces == 1 and fast and max(rgb.shape[:2]) > fast:
            # only the largest face is wanted: a coarse pass finds it; a small face missed there is looked for again
            dets = [d for d in self._detect(rgb, fast) if d.box[2] - d.box[0] >= 2 * SMALL_FACE_PX]
        if not dets:
            dets = self._detect(rgb)
        t["detect"] = time.perf_counter() - t0
        if not dets:
            self.timings = t
            raise NoFaceError(f"no face found in {name}: use a photo with a clearly visible, roughly frontal face")
        dets.sort(key=lambda d: -float((d.box[2] - d.box[0]) * (d.box[3] - d.box[1])))
        found = len(dets)
        if max_faces is not None:
            dets = dets[:max_faces]

        h, w = rgb.shape[:2]
        faces: list[FaceRecord] = []
        t.update(landmarks=0.0, align=0.0, embed=0.0, measure=0.0)
        for i, d in enumerate(dets):
            face = FaceRecord(box=d.box.astype(np.float32), score=d.score, points5=d.points5.astype(np.float32),
                              image_size=(w, h), source=name if isinstance(image, (str, os.PathLike)) else None,
                              index=i, faces_found=found)
            bw, bh = d.box[2] - d.box[0], d.box[3] - d.box[1]
            margin = 0.05 * max(bw, bh)
            if d.box[0] < -margin or d.box[1] < -margin or d.box[2] > w + margin or d.box[3] > h + margin:
                face.flags.append("face_cut_off")
            if bw < SMALL_FACE_PX:
                face.flags.append("small_face")

            t0 = time.perf_counter()
            face.landmarks = self.landmarker.landmarks(rgb, d.box)
            t["landmarks"] += time.perf_counter() - t0

            t0 = time.perf_counter()
            face.align_matrix = similarity_to_canonical(face.landmarks)
            face.landmarks_canonical = apply_affine(face.align_matrix, face.landmarks).astype(np.float32)
            face.chip = warp_to_canonical(rgb, face.align_matrix, self.chip_size)
            face.chip_scale = self.chip_size / 1024.0
            face.yaw = estimate_yaw(face.landmarks)
            if abs(face.yaw) > MAX_FRONTAL_YAW:
                face.flags.append("not_frontal")
            t["align"] += time.perf_counter() - t0

            if self.embedder is not None:
                t0 = time.perf_counter()
                face.embedding = self.embedder.embed(rgb, face.landmarks)
                face.embedder = self.embedder.name
                t["embed"] += time.perf_counter() - t0

            if self.measure is not None:
                t0 = time.perf_counter()
                face.measurements = self.measure(rgb, face)
                t["measure"] += time.perf_counter() - t0
            faces.append(face)
        self.timings = t
        return faces


@functools.lru_cache(maxsize=4)
def get_analyzer(detector: str = "mtcnn", landmarker: str = "dlib-68", embedder: str = "dlib-resnet128") -> Analyzer:
    """A shared, warm :class:`Analyzer` for these backend names."""
    return Analyzer(detector=detector, landmarker=landmarker, embedder=embedder)


def analyze(image: ImageInput, *, max_faces: int | None = None, detector: str = "mtcnn",
            landmarker: str = "dlib-68", embedder: str = "dlib-resnet128") -> list[FaceRecord]:
    """Detect, landmark, align, embed and measure every face in ``image`` (path, PIL image or RGB array).

    Returns the faces largest first; raises :class:`~assembler.errors.NoFaceError` when there is none.
    """
    return get_analyzer(detector, landmarker, embedder)(image, max_faces=max_faces)
