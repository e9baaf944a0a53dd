"""Identity embeddings: backends behind ``create_embedder(name)``. Every backend declares its own preprocessing
(input size, alignment, normalisation) and returns a unit-norm float32 vector.

- ``dlib-resnet128`` (default): dlib's ResNet from ``face-recognition-models``, 128-D, aligned by dlib from the
  68 landmarks.
- ``facenet-vggface2``: facenet-pytorch's InceptionResnetV1, 512-D, 160 px crop; needs a weights file from the user
  (``weights=`` or ``$MEMOJI_FACENET_WEIGHTS``), nothing is downloaded.
- ``facenet-casia-opencv``: the evaluation judge (:mod:`assembler.judge`, imported when built), never the search's.

The interface they share (:class:`Embedder`, :func:`l2_normalize`, :func:`flatten_rgba`) is
:mod:`assembler.embedder_base`, which the judge builds on without importing this registry.
"""
from __future__ import annotations

import numpy as np

from .embedder_base import JUDGE_NAME, Embedder, flatten_rgba, l2_normalize
from .errors import MissingDependencyError, ModelFileError, UnknownNameError, did_you_mean
from .landmarks import DLIB_HOW_TO_GET
from .registry import Registry
from .weights import load_error, resolve_weight

__all__ = ["Embedder", "EMBEDDERS", "create_embedder", "l2_normalize", "flatten_rgba", "check_embedder_weights"]

RESNET_WHAT = "dlib face-recognition ResNet"
FACENET_WHAT = "facenet-vggface2 InceptionResnetV1"
FACENET_HOW_TO_GET = ("pass weights=PATH to a state-dict file (.pt) of facenet-pytorch's InceptionResnetV1 "
                      "(e.g. 20180402-114759-vggface2.pt)")


def _resnet_weights(weights=None):
    return resolve_weight(
        RESNET_WHAT, user_path=weights, env_var="MEMOJI_DLIB_RESNET",
        packaged=[("face_recognition_models", ("models", "dlib_face_recognition_resnet_model_v1.dat"))],
        how_to_get=DLIB_HOW_TO_GET,
    )


def _facenet_weights(weights=None):
    return resolve_weight(FACENET_WHAT, user_path=weights, env_var="MEMOJI_FACENET_WEIGHTS",
                          how_to_get=FACENET_HOW_TO_GET)

EMBEDDERS: Registry["Embedder"] = Registry("embedder")


class DlibResNetEmbedder(Embedder):
    name = "dlib-resnet128"
    dim = 128
    chip_size = 150  # dlib aligns a 150 px chip from the landmarks itself

    def __init__(self, weights: str | None = None, num_jitters: int = 0):
        import dlib

        path = _resnet_weights(weights)
        self.weights = str(path)
        self.num_jitters = num_jitters
        try:
            self._model = dlib.face_recognition_model_v1(self.weights)
        except (RuntimeError, MemoryError) as exc:  # dlib: "An error occurred while trying to read …"
            raise load_error(RESNET_WHAT, self.weights, exc, DLIB_HOW_TO_GET) from None

    def embed(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        import dlib

        pts = np.asarray(landmarks68, dtype=np.float64)
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        rect = dlib.rectangle(int(x0), int(y0), int(x1), int(y1))
        shape = dlib.full_object_detection(rect, [dlib.point(int(round(x)), int(round(y))) for x, y in pts])
        vec = self._model.compute_face_descriptor(np.ascontiguousarray(image), shape, self.num_jitters)
        return l2_normalize(np.array(vec))


class FacenetEmbedder(Embedder):
    """InceptionResnetV1 (VGGFace2 or CASIA weights from a user file): 160 px square crop around the landmarks
    with a 20 % margin, standardised as ``(x - 127.5) / 128`` like facenet-pytorch's ``fixed_image_standardization``."""

    name = "facenet-vggface2"
    dim = 512
    input_size = 160
    margin = 0.2

    def __init__(self, weights: str | None = None, device: str = "cpu"):
        try:
            import torch
            from facenet_pytorch import InceptionResnetV1
        except ImportError as exc:
            raise MissingDependencyError(
                "facenet-vggface2 needs facenet-pytorch: pip install --no-deps facenet-pytorch==2.6.0"
            ) from exc
        path = _facenet_weights(weights)
        self.weights = str(path)
        try:
            state = torch.load(self.weights, map_location="cpu", weights_only=True)
            if not isinstance(state, dict):
                raise ModelFileError(f"cannot load {FACENET_WHAT} weights {self.weights}: it holds a "
                                     f"{type(state).__name__}, not a state dict; {FACENET_HOW_TO_GET}")
            n_classes = state["logits.weight"].shape[0] if "logits.weight" in state else None
            self._model = InceptionResnetV1(pretrained=None, classify=False, num_classes=n_classes).eval().to(device)
            self._model.load_state_dict(state, strict=n_classes is not None)
        except ModelFileError:
            raise
        except Exception as exc:  # torch: UnpicklingError, RuntimeError (size mismatch, truncated zip) …
            raise load_error(FACENET_WHAT, self.weights, exc, FACENET_HOW_TO_GET) from None
        self.device = device

    def crop(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        import cv2

        pts = np.asarray(landmarks68, dtype=np.float64)
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        side = max(x1 - x0, y1 - y0) * (1 + self.margin)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        s = self.input_size / side
        m = np.array([[s, 0, self.input_size / 2 - s * cx], [0, s, self.input_size / 2 - s * cy]])
        return cv2.warpAffine(image, m, (self.input_size, self.input_size), borderMode=cv2.BORDER_REPLICATE)

    def embed(self, image: np.ndarray, landmarks68: np.ndarray) -> np.ndarray:
        import torch

        chip = self.crop(image, landmarks68).astype(np.float32)
        x = torch.from_numpy((chip - 127.5) / 128.0).permute(2, 0, 1)[None].to(self.device)
        with torch.inference_mode():
            vec = self._model(x)[0].cpu().numpy()
        return l2_normalize(vec)


@EMBEDDERS.register("dlib-resnet128")
def _dlib_resnet(**kwargs) -> Embedder:
    return DlibResNetEmbedder(**kwargs)


@EMBEDDERS.register("facenet-vggface2")
def _facenet(**kwargs) -> Embedder:
    return FacenetEmbedder(**kwargs)


@EMBEDDERS.register(JUDGE_NAME)
def _facenet_casia_opencv(**kwargs) -> Embedder:
    """The evaluation judge (:mod:`assembler.judge`), imported only when built: it is built on
    :mod:`assembler.embedder_base` and never imports this module, so the registry knows it without a cycle."""
    from .judge import JudgeEmbedder

    return JudgeEmbedder(**kwargs)


def check_embedder_weights(name: str = "dlib-resnet128", weights=None, *, load: bool = False):
    """Check an identity embedder's weight file without analysing anything: the path it would use (argument →
    its environment variable → packaged) exists and is a non-empty regular file (milliseconds; for the judge also
    that the running opencv can load its graph, see :func:`assembler.judge.check_judge`). ``load=True`` builds the
    backend, which catches a corrupt or truncated file. Returns the path.

    Raises :class:`UnknownNameError` (exit 2), :class:`ModelFileNotFoundError` / :class:`ModelFileError` (exit 4),
    :class:`MissingDependencyError` (exit 5)."""
    if name not in EMBEDDERS:
        raise UnknownNameError(f"unknown embedder '{name}'{did_you_mean(name, EMBEDDERS.names())} "
                               f"(registered: {', '.join(EMBEDDERS.names())})")
    kwargs = {"weights": weights} if weights is not None else {}
    if load:
        return create_embedder(name, **kwargs).weights
    if name == "dlib-resnet128":
        return _resnet_weights(weights)
    if name == "facenet-vggface2":
        import importlib.util

        if importlib.util.find_spec("facenet_pytorch") is None or importlib.util.find_spec("torch") is None:
            raise MissingDependencyError(
                "facenet-vggface2 needs facenet-pytorch: pip install --no-deps facenet-pytorch==2.6.0")
        return _facenet_weights(weights)
    if name == JUDGE_NAME:
        from .judge import check_judge

        return check_judge(weights)
    return create_embedder(name, **kwargs).weights  # a backend registered elsewhere: build it


def create_embedder(name: str = "dlib-resnet128", **kwargs) -> Embedder:
    """Build a registered identity embedder by name (``dlib-resnet128``, ``facenet-vggface2``,
    ``facenet-casia-opencv`` — the evaluation judge, :mod:`assembler.judge`)."""
    return EMBEDDERS.create(name, **kwargs)
