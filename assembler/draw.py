"""Debug drawings: boxes, 5 points, 68 landmarks (and, once measured, skin patches / hair mask) on the photo."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from .records import FaceRecord

__all__ = ["draw_faces"]


def draw_faces(image: np.ndarray, faces: list[FaceRecord]) -> Image.Image:
    out = np.ascontiguousarray(image.copy())
    h, w = out.shape[:2]
    t = max(1, round(max(h, w) / 500))
    for face in faces:
        x0, y0, x1, y1 = (int(round(v)) for v in face.box)
        cv2.rectangle(out, (x0, y0), (x1, y1), (0, 255, 0), t)
        cv2.putText(out, str(face.index), (x0, max(0, y0 - 4 * t)), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * t, (0, 255, 0), t)
        for x, y in face.points5:
            cv2.circle(out, (int(x), int(y)), 2 * t, (255, 0, 0), -1)
        if face.measurements is not None and face.align_matrix is not None:
            _draw_measurements(out, face, t)
        if face.landmarks is not None:
            for x, y in face.landmarks:
                cv2.circle(out, (int(x), int(y)), t, (255, 255, 0), -1)
    return Image.fromarray(out)


def _to_image(mask: np.ndarray, face: FaceRecord, shape: tuple[int, int]) -> np.ndarray:
    """A canonical-frame mask (any resolution) warped back onto the photo."""
    from parts_library import frame

    s = mask.shape[0] / frame.SIZE
    a = np.vstack([np.asarray(face.align_matrix, dtype=np.float64) * s, [0, 0, 1]])
    inv = np.linalg.inv(a)[:2]
    return cv2.warpAffine(mask.astype(np.uint8), inv, (shape[1], shape[0]), flags=cv2.INTER_NEAREST) > 0


def _draw_measurements(out: np.ndarray, face: FaceRecord, t: int) -> None:
    """Hair mask (red tint + outline), skin pixels used (green), facial-hair regions (blue outlines)."""
    m = face.measurements
    layers = [(m._hair_mask, (255, 40, 40), 0.35), (m._skin_mask, (40, 220, 40), 0.5)]
    for mask, colour, alpha in layers:
        if mask is None:
            continue
        im = _to_image(mask, face, out.shape[:2])
        out[im] = (out[im] * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)
        contours, _ = cv2.findContours(im.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(out, contours, -1, colour, t)
    for region in (m._facial_hair_regions or {}).values():
        im = _to_image(region, face, out.shape[:2])
        contours, _ = cv2.findContours(im.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(out, contours, -1, (60, 120, 255), t)
