"""Measurements from pixels + landmarks (skin, hair, facial hair, glasses, geometry). Filled in by the measured
attributes work; until then only the landmark geometry descriptors."""
from __future__ import annotations

from typing import Any

import numpy as np

from parts_library.descriptors import landmark_descriptors

from .records import FaceRecord


def measure_face(image: np.ndarray, face: FaceRecord) -> dict[str, Any]:
    return {"descriptors": landmark_descriptors(face.landmarks)}
