"""memoji-assembler: photos of a person → an editable memoji-style avatar that looks like them.

analyze → classify → retrieve → search → render → stylize. Heavy modules (torch, dlib, faiss, diffusers) load on
first use, so ``import assembler`` is fast and never imports diffusers.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it (PEP 562 lazy attributes)
_LAZY = {
    "analyze": ".analysis",
    "Analyzer": ".analysis",
    "FaceRecord": ".records",
    "Attributes": ".records",
    "load_image": ".io",
    "create_detector": ".detect",
    "create_landmarker": ".landmarks",
    "create_embedder": ".embed",
    "classify": ".classification",
    "create_classifier": ".classification",
    "make": ".avatar",
    "render": ".avatar",
    "Avatar": ".avatar",
    "AvatarEditor": ".editor",
    "make_all": ".group",
    "AvatarGroup": ".group",
    "stickers": ".sticker_pack",
    "Recipe": ".recipe",
    "SearchConfig": ".search",
    "run_batch": ".batch",
    "stylize": ".stylization",
    "Stylizer": ".stylization",
    "evaluate": ".evaluation",
    "errors": ".errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assembler' has no attribute '{name}'")
    mod = importlib.import_module(module, __name__)
    value = mod if name == "errors" else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from . import errors
    from .analysis import Analyzer, analyze
    from .detect import create_detector
    from .embed import create_embedder
    from .io import load_image
    from .landmarks import create_landmarker
    from .group import AvatarGroup, make_all
    from .avatar import Avatar, make, render
    from .editor import AvatarEditor
    from .sticker_pack import stickers
    from .recipe import Recipe
    from .search import SearchConfig
    from .batch import run_batch
    from .records import Attributes, FaceRecord
