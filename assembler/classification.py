"""The classify stage: FaceRecord → Attributes through a named backend (see :mod:`classifiers`)."""
from __future__ import annotations

import functools

from .records import Attributes, FaceRecord

__all__ = ["classify", "create_classifier"]


def create_classifier(name: str = "measured", **kwargs):
    from classifiers import create_classifier as _create

    return _create(name, **kwargs)


@functools.lru_cache(maxsize=8)
def _cached(name: str, frozen_kwargs: tuple):
    return create_classifier(name, **dict(frozen_kwargs))


def classify(face: FaceRecord, backend: str = "measured", **kwargs) -> Attributes:
    """Predict the attributes of an analysed face and store them on ``face.attributes``."""
    clf = _cached(backend, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
    face.attributes = clf.predict(face)
    return face.attributes
