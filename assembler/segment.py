"""Skin / hair / clothes segmentation: backends behind ``create_segmenter(name)``.

- ``pan-skin-hair`` (default): a PAN network on MobileNetV3-small (MIT, © 2021 Kazuhito Takahashi; vendored in
  ``assembler/models/pan_skin_hair/`` with its LICENSE), run by onnxruntime on a face-centred square crop
  (:attr:`PanSkinHairSegmenter.crop_faces` face heights wide, clipped to the photo and padded — never stretched)
  at 512 px. Weights: ``weights=`` → ``$MEMOJI_PAN_WEIGHTS`` → the packaged file.
- ``color-heuristic``: the colour-model hair mask of :mod:`assembler.measure` (seeded above the forehead, grown in
  Lab against background and skin colour models) and the skin patches it keeps — no network, no clothes.

A segmenter takes the RGB photo and an analysed :class:`~assembler.records.FaceRecord` (box and landmarks) and
returns a :class:`Segmentation`: per-class probabilities on the segmenter's own crop plus the affine map from that
crop to the photo, so masks can be read in photo coordinates (:meth:`Segmentation.in_photo`) or in any other frame
given by a photo → frame affine (:meth:`Segmentation.in_frame`, e.g. the canonical frame) without resampling twice.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from .errors import MissingDependencyError
from .records import FaceRecord
from .registry import Registry
from .weights import resolve_weight

__all__ = ["Segmentation", "Segmenter", "SEGMENTERS", "create_segmenter", "get_segmenter", "CLASSES"]

SEGMENTERS: Registry["Segmenter"] = Registry("segmenter")
CLASSES = ("skin", "clothes", "hair")


@dataclass(eq=False)
class Segmentation:
    """Per-class probabilities (float32, 0..1) on a square crop, and where that crop lies in the photo.

    ``probs[c]`` is ``size × size``; ``crop_to_photo`` (2×3) maps crop pixel centres to photo pixel coordinates;
    ``valid`` marks crop pixels that come from the photo (the rest is padding and has probability 0).
    ``clothes`` is ``None`` for a backend that does not find clothes."""

    backend: str
    probs: dict[str, np.ndarray | None]
    crop_to_photo: np.ndarray
    valid: np.ndarray
    image_size: tuple[int, int]  # (width, height) of the photo
    face_height: float  # photo pixels: the face height the crop was sized from
    info: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.valid.shape[0])

    def mask(self, cls: str, threshold: float = 0.5) -> np.ndarray | None:
        """Boolean mask of one class on the crop (``None`` when the backend has no such class)."""
        p = self.probs.get(cls)
        return None if p is None else p >= threshold

    def photo_to_crop(self) -> np.ndarray:
        a = np.vstack([np.asarray(self.crop_to_photo, np.float64), [0, 0, 1]])
        return np.linalg.inv(a)[:2]

    def in_frame(self, cls: str, photo_to_frame: np.ndarray, size: int | tuple[int, int],
                 interpolation: int = cv2.INTER_LINEAR) -> np.ndarray | None:
        """One class's probabilities resampled into another frame (``photo_to_frame``: 2×3 affine from photo pixels
        to that frame's pixels; ``size``: its side or (width, height))."""
        p = self.probs.get(cls)
        if p is None:
            return None
        w, h = (size, size) if np.isscalar(size) else size
        a = np.vstack([np.asarray(photo_to_frame, np.float64), [0, 0, 1]])
        c = np.vstack([np.asarray(self.crop_to_photo, np.float64), [0, 0, 1]])
        m = (a @ c)[:2]
        return cv2.warpAffine(p, m, (int(w), int(h)), flags=interpolation, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=0)

    def in_photo(self, cls: str) -> np.ndarray | None:
        """One class's probabilities in photo coordinates (``height × width`` of the photo)."""
        return self.in_frame(cls, np.array([[1.0, 0, 0], [0, 1.0, 0]]), self.image_size)

    @property
    def skin(self) -> np.ndarray | None:
        return self.in_photo("skin")

    @property
    def hair(self) -> np.ndarray | None:
        return self.in_photo("hair")

    @property
    def clothes(self) -> np.ndarray | None:
        return self.in_photo("clothes")


class Segmenter:
    name: str = ""
    input_size: int = 512

    def segment(self, image: np.ndarray, face: FaceRecord) -> Segmentation:
        """Skin / hair (/ clothes) probabilities around ``face`` in the RGB uint8 ``image``."""
        raise NotImplementedError


def face_height(face: FaceRecord) -> float:
    """Face height in photo pixels, as a face detector's box measures it (brows to chin): eye line to chin plus
    0.35 inter-ocular distances from the landmarks; the detector box's height without them."""
    if face.landmarks is not None:
        lm = np.asarray(face.landmarks, np.float64)
        le, re_ = lm[36:42].mean(axis=0), lm[42:48].mean(axis=0)
        iod = float(np.linalg.norm(re_ - le))
        return max(float(np.linalg.norm(lm[8] - (le + re_) / 2)) + 0.35 * iod, 1.0)
    x0, y0, x1, y1 = (float(v) for v in face.box)
    return max(y1 - y0, 1.0)


def face_anchor(face: FaceRecord) -> np.ndarray:
    """The point the crop is laid out from: the eye midpoint (x between it and the chin), or the box's top third."""
    if face.landmarks is not None:
        lm = np.asarray(face.landmarks, np.float64)
        eyes = (lm[36:42].mean(axis=0) + lm[42:48].mean(axis=0)) / 2
        return np.array([(eyes[0] + lm[8, 0]) / 2, eyes[1]])
    x0, y0, x1, y1 = (float(v) for v in face.box)
    return np.array([(x0 + x1) / 2, y0 + 0.3 * (y1 - y0)])


def square_crop(image: np.ndarray, centre, side: float, size: int, pad: tuple[int, int, int]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ``size``-px square crop of ``side`` photo pixels around ``centre``, padded with ``pad`` where it leaves
    the photo (the scale is the same along both axes: nothing is stretched). Returns the crop, the crop → photo
    affine and the mask of crop pixels inside the photo."""
    h, w = image.shape[:2]
    s = side / size  # photo pixels per crop pixel
    x0, y0 = float(centre[0]) - side / 2, float(centre[1]) - side / 2
    crop_to_photo = np.array([[s, 0, x0 + 0.5 * s - 0.5], [0, s, y0 + 0.5 * s - 0.5]], np.float64)
    a = np.vstack([crop_to_photo, [0, 0, 1]])
    # area-average when shrinking: shrink the photo first to about the crop's scale, then warp
    if s > 2.0:
        f = int(s // 1.5)
        small = cv2.resize(image, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        sx, sy = small.shape[1] / w, small.shape[0] / h
        scale = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]])
        m = (scale @ a)[:2]
        src = small
        src_hw = small.shape[:2]
    else:
        m, src, src_hw = crop_to_photo, image, (h, w)
    crop = cv2.warpAffine(src, m, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=pad)
    ones = np.ones(src_hw, np.uint8)
    valid = cv2.warpAffine(ones, m, (size, size), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0).astype(bool)
    return crop, crop_to_photo, valid


PAN_HOW_TO_GET = ("the file ships with memoji-assembler (assembler/models/pan_skin_hair/); reinstall the package, "
                  "or pass weights=PATH / set $MEMOJI_PAN_WEIGHTS to a copy of "
                  "pan_mobilenetv3_small_skin_clothes_hair.onnx (GitHub Kazuhito00/"
                  "Skin-Clothes-Hair-Segmentation-using-SMP, MIT)")
PAN_FILE = "pan_mobilenetv3_small_skin_clothes_hair.onnx"


class PanSkinHairSegmenter(Segmenter):
    """PAN (MobileNetV3-small) skin / clothes / hair network. Its preprocessing travels with it: RGB, 0..1,
    ImageNet mean/std, 512×512, face-centred square crop ``crop_faces`` face heights wide."""

    name = "pan-skin-hair"
    input_size = 512
    mean = (0.485, 0.456, 0.406)
    std = (0.229, 0.224, 0.225)
    crop_faces = 3.5  # crop side in face heights (the model card's advice)
    crop_above = 1.2  # the crop's top edge is this many face heights above the eye line (big hair fits; the rest
    #                   of the height goes below the chin, where long hair falls)
    input_name = "x.1"
    class_order = ("skin", "clothes", "hair")  # output channels

    def __init__(self, weights: str | os.PathLike | None = None, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingDependencyError(
                "the pan-skin-hair segmenter needs onnxruntime: pip install 'onnxruntime>=1.17,<2' "
                "(or use create_segmenter('color-heuristic'))"
            ) from exc
        path = resolve_weight("pan-skin-hair segmentation", user_path=weights, env_var="MEMOJI_PAN_WEIGHTS",
                              packaged=[("assembler", ("models", "pan_skin_hair", PAN_FILE))],
                              how_to_get=PAN_HOW_TO_GET)
        self.weights = str(path)
        so = ort.SessionOptions()
        if threads is None:
            env = os.environ.get("OMP_NUM_THREADS")
            threads = int(env) if env and env.isdigit() else min(2, os.cpu_count() or 1)
        so.intra_op_num_threads = max(1, threads)
        so.inter_op_num_threads = 1
        so.log_severity_level = 3
        # onnxruntime's default: its intra-op threads spin briefly between parallel sections. Turned off, the network
        # alone took 5 ms more per photo on 2 cores and analyze 5-16 ms more (2 alternating rounds of make() on the 4
        # test photos). A batch worker sets OMP_NUM_THREADS to its share of the cores before this runs, so two
        # workers never spin over each other.
        try:
            self._session = ort.InferenceSession(self.weights, so, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own (non-OSError) classes for unreadable models
            from .errors import ModelFileNotFoundError

            raise ModelFileNotFoundError(f"pan-skin-hair segmentation weights {self.weights} could not be "
                                         f"loaded ({type(exc).__name__}); {PAN_HOW_TO_GET}") from None
        self._pad = tuple(int(round(255 * m)) for m in self.mean)  # pads normalise to 0
        levels = np.arange(256, dtype=np.float32) / 255.0
        self._lut = [((levels - m) / s).astype(np.float32) for m, s in zip(self.mean, self.std)]

    def preprocess(self, crop: np.ndarray) -> np.ndarray:
        """RGB uint8 crop → the network's input (1, 3, H, W): 0..1, ImageNet mean/std (one table per channel)."""
        x = np.empty((1, 3) + crop.shape[:2], np.float32)
        for c in range(3):
            np.take(self._lut[c], crop[..., c], out=x[0, c])
        return x

    def segment(self, image: np.ndarray, face: FaceRecord) -> Segmentation:
        fh = face_height(face)
        centre = face_anchor(face) + np.array([0.0, (self.crop_faces / 2 - self.crop_above) * fh])
        crop, c2p, valid = square_crop(image, centre, self.crop_faces * fh, self.input_size, self._pad)
        out = self._session.run(None, {self.input_name: self.preprocess(crop)})[0][0]
        probs = {}
        for i, cls in enumerate(self.class_order):
            p = out[i].astype(np.float32, copy=True)
            p[~valid] = 0.0
            probs[cls] = p
        return Segmentation(backend=self.name, probs=probs, crop_to_photo=c2p, valid=valid,
                            image_size=(image.shape[1], image.shape[0]), face_height=fh, info={"crop": crop})


class ColorHeuristicSegmenter(Segmenter):
    """The colour-model hair mask of :func:`assembler.measure.hair_mask` (Lab colour models seeded above the
    forehead) and the skin patches the skin measurement keeps, on the canonical frame; no clothes."""

    name = "color-heuristic"
    input_size = 256

    def segment(self, image: np.ndarray, face: FaceRecord) -> Segmentation:
        # the measure modules themselves, not assembler.measure (which uses this module's segmenters): no cycle
        from .measure.context import _S
        from .measure.hair import hair_mask
        from .measure.illumination import normalised
        from .measure.skin import measure_skin, skin_likeness

        ctx, illum, lab = normalised(image, face)
        skin = measure_skin(ctx, lab, illum)
        hair_s, _ = hair_mask(ctx, lab, skin, gray=bool(illum.get("grayscale")))
        n = ctx.shape[0]
        hair = cv2.resize(hair_s.astype(np.float32), (n, n), interpolation=cv2.INTER_LINEAR)
        skin_p = skin_likeness(ctx, lab, skin)
        # canonical working frame → photo
        a = np.vstack([np.asarray(face.align_matrix, np.float64) * _S, [0, 0, 1]])
        c2p = np.linalg.inv(a)[:2]
        probs = {"skin": skin_p.astype(np.float32), "clothes": None, "hair": hair.astype(np.float32)}
        for p in (probs["skin"], probs["hair"]):
            p[~ctx.valid] = 0.0
        return Segmentation(backend=self.name, probs=probs, crop_to_photo=c2p, valid=ctx.valid.copy(),
                            image_size=(image.shape[1], image.shape[0]), face_height=face_height(face))


@SEGMENTERS.register("pan-skin-hair")
def _pan(**kwargs) -> Segmenter:
    return PanSkinHairSegmenter(**kwargs)


@SEGMENTERS.register("color-heuristic")
def _color(**kwargs) -> Segmenter:
    return ColorHeuristicSegmenter(**kwargs)


def create_segmenter(name: str = "pan-skin-hair", **kwargs) -> Segmenter:
    """Build a registered skin/hair segmenter by name (``pan-skin-hair``, ``color-heuristic``)."""
    return SEGMENTERS.create(name, **kwargs)


@functools.lru_cache(maxsize=4)
def get_segmenter(name: str = "pan-skin-hair") -> Segmenter:
    """A shared, warm segmenter of this name."""
    return create_segmenter(name)
