"""Face detection: backends behind ``create_detector(name)``. Default: MTCNN from facenet-pytorch (weights ship in
the wheel). A detector returns boxes, scores and 5 points in the coordinates of the image it is given; it declares
the largest side it wants (``max_side``) and the caller scales."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import MissingDependencyError
from .registry import Registry

__all__ = ["Detection", "Detector", "DETECTORS", "create_detector"]

DETECTORS: Registry["Detector"] = Registry("detector")


@dataclass
class Detection:
    box: np.ndarray  # (4,) x0 y0 x1 y1
    score: float
    points5: np.ndarray  # (5, 2)


class Detector:
    name: str = ""
    max_side: int = 1280  # images are downscaled to this for detection; coordinates are mapped back
    fast_side: int = 640  # when only the largest face is wanted, try this size first (4× fewer pixels)

    def detect(self, image: np.ndarray) -> list[Detection]:
        """All faces in an RGB uint8 image, any order, in that image's pixel coordinates."""
        raise NotImplementedError


class MTCNNDetector(Detector):
    name = "mtcnn"

    def __init__(self, min_face_size: int = 20, thresholds: tuple[float, float, float] = (0.6, 0.7, 0.8),
                 min_score: float = 0.9, device: str = "cpu"):
        try:
            from facenet_pytorch import MTCNN
        except ImportError as exc:
            raise MissingDependencyError(
                "the mtcnn detector needs facenet-pytorch: pip install --no-deps facenet-pytorch==2.6.0"
            ) from exc
        self.min_score = min_score
        self._mtcnn = MTCNN(keep_all=True, min_face_size=min_face_size, thresholds=list(thresholds),
                            post_process=False, select_largest=False, device=device)

    def detect(self, image: np.ndarray) -> list[Detection]:
        import torch

        with torch.inference_mode():
            boxes, probs, points = self._mtcnn.detect(image, landmarks=True)
        if boxes is None:  # MTCNN returns None (not an empty array) when nothing is found
            return []
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
        probs = np.asarray(probs, dtype=np.float32).reshape(-1)
        points = np.asarray(points, dtype=np.float32).reshape(-1, 5, 2)
        return [Detection(b, float(p), pt) for b, p, pt in zip(boxes, probs, points) if p >= self.min_score]


@DETECTORS.register("mtcnn")
def _mtcnn(**kwargs) -> Detector:
    return MTCNNDetector(**kwargs)


def create_detector(name: str = "mtcnn", **kwargs) -> Detector:
    """Build a registered face detector by name (``mtcnn``)."""
    return DETECTORS.create(name, **kwargs)
