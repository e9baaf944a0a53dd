"""The classify stage: FaceRecord → Attributes through a named backend (see :mod:`classifiers`)."""
from __future__ import annotations

from .records import Attributes, FaceRecord

__all__ = ["classify", "create_classifier", "get_classifier"]


def create_classifier(name: str = "measured", **kwargs):
    from classifiers import create_classifier as _create

    return _create(name, **kwargs)


_CLASSIFIERS: dict[tuple, object] = {}


def get_classifier(name: str = "measured", **kwargs):
    """The classifier of a backend and keyword arguments, built once and kept (the arguments themselves are passed;
    their ``repr`` is the key)."""
    key = (name, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
    if key not in _CLASSIFIERS:
        if len(_CLASSIFIERS) >= 8:
            _CLASSIFIERS.pop(next(iter(_CLASSIFIERS)))
        _CLASSIFIERS[key] = create_classifier(name, **kwargs)
    return _CLASSIFIERS[key]


def classify(face: FaceRecord, backend="measured", **kwargs) -> Attributes:
    """Predict the attributes of an analysed face and store them on ``face.attributes``. ``backend``: a registered
    name (built with ``kwargs`` once, then kept) or a built classifier."""
    clf = get_classifier(backend, **kwargs) if isinstance(backend, str) else backend
    face.attributes = clf.predict(face)
    return face.attributes
