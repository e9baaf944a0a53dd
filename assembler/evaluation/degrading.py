"""Deterministic degradations of a photo — compression and resolution — for checking that measured attributes
survive the photo they arrive in.

The development photos are mostly large and well compressed; press photos, film stills and frames of a batch often are
not. Each transform is a fixed function of the pixels (libjpeg through OpenCV, area-averaged shrinking): the same input
gives the same bytes.

===========  =========================================================================================================
name         what it does
===========  =========================================================================================================
``jpeg75``   re-encoded as JPEG at quality 75 (4:2:0 chroma), a common web quality
``jpeg50``   ... at quality 50
``jpeg30``   ... at quality 30: visible 8-px blocks, flat skin
``half``     shrunk to half its width and height (area average)
``third``    shrunk to a third
===========  =========================================================================================================
"""
from __future__ import annotations

import numpy as np

__all__ = ["DEGRADATIONS", "degrade"]

DEGRADATIONS: tuple[str, ...] = ("jpeg75", "jpeg50", "jpeg30", "half", "third")
_JPEG = {"jpeg75": 75, "jpeg50": 50, "jpeg30": 30}
_SHRINK = {"half": 2, "third": 3}


def degrade(rgb: np.ndarray, name: str) -> np.ndarray:
    """``rgb`` (H×W×3 uint8 RGB) under the degradation ``name`` (one of :data:`DEGRADATIONS`), as uint8 RGB."""
    import cv2

    if name not in DEGRADATIONS:
        from ..errors import UnknownNameError, did_you_mean

        raise UnknownNameError(f"unknown degradation '{name}'{did_you_mean(name, DEGRADATIONS)} "
                               f"(degradations: {', '.join(DEGRADATIONS)})")
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"degrade needs an H×W×3 uint8 RGB array, got {arr.dtype} {arr.shape}")
    if name in _JPEG:
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(arr, cv2.COLOR_RGB2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, _JPEG[name], cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
                                cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420])
        if not ok:  # pragma: no cover - libjpeg refuses only what the checks above rule out
            raise ValueError(f"JPEG encoding failed for a {arr.shape} image")
        return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    k = _SHRINK[name]
    size = (max(1, round(arr.shape[1] / k)), max(1, round(arr.shape[0] / k)))
    return cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
