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
        if face.landmarks is not None:
            for x, y in face.landmarks:
                cv2.circle(out, (int(x), int(y)), t, (255, 255, 0), -1)
    return Image.fromarray(out)
