"""Attribute predictors behind one interface and one factory.

``create_classifier(name, **kw)`` builds a registered backend; ``backend.predict(face) -> Attributes``.

- ``measured`` (default): derived from the analysis measurements (``FaceRecord.measurements``); no training data.
- ``resnext50-celeba``: timm ResNeXt50 with 40 CelebA attributes + a Monk skin-tone head; needs ``weights=RUN_DIR``.
- ``combined``: the trained model where it has the attribute, measurements elsewhere.

Backends import their heavy dependencies on first use.
"""
from __future__ import annotations

from assembler.records import Attributes, FaceRecord
from assembler.registry import Registry

__all__ = ["AttributeClassifier", "CLASSIFIERS", "create_classifier", "register_classifier"]

CLASSIFIERS: Registry["AttributeClassifier"] = Registry("classifier")
register_classifier = CLASSIFIERS.register


class AttributeClassifier:
    """Base class: one face record in, one :class:`Attributes` record out."""

    name: str = ""

    def predict(self, face: FaceRecord) -> Attributes:
        raise NotImplementedError


def create_classifier(name: str = "measured", **kwargs) -> AttributeClassifier:
    """Build a registered attribute classifier by name; an unknown name lists the registered ones."""
    _load_backends()
    return CLASSIFIERS.create(name, **kwargs)


def _load_backends() -> None:
    # backend modules register themselves on import; they keep their heavy imports inside functions
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
