"""memoji-assembler: photos of a person → an editable memoji-style avatar that looks like them.

analyze → classify → retrieve → search → render → stylize. Heavy modules (torch, dlib, faiss, diffusers) load on
first use, so ``import assembler`` is fast and never imports diffusers.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it (PEP 562 lazy attributes)
_LAZY = {
    "analyze": ".analyze",
    "Analyzer": ".analyze",
    "FaceRecord": ".records",
    "Attributes": ".records",
    "load_image": ".io",
    "create_detector": ".detect",
    "create_landmarker": ".landmarks",
    "create_embedder": ".embed",
    "classify": ".classify",
    "create_classifier": ".classify",
    "make": ".make",
    "render": ".make",
    "Avatar": ".make",
    "AvatarEditor": ".editor",
    "make_all": ".group",
    "AvatarGroup": ".group",
    "stickers": ".stickers",
    "Recipe": ".recipe",
    "SearchConfig": ".search",
    "run_batch": ".batch",
    "stylize": ".stylize",
    "Stylizer": ".stylize",
    "evaluate": ".evaluation",
    "errors": ".errors",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assembler' has no attribute '{name}'")
    mod = importlib.import_module(module, __name__)
    value = mod if name in ("errors", "stylize") else getattr(mod, name)  # the stylize module is callable
    globals()[name] = value
    return value


def __dir__():
    return __all__


class _Package(types.ModuleType):
    """``assembler.make`` / ``analyze`` / ``classify`` are functions that share their name with the
    submodule defining them. Importing the submodule would rebind the package attribute to the module (and break
    ``assembler.make(photo)`` depending on import order); keep the function. The module stays in ``sys.modules``."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and not callable(value) and _LAZY.get(name) == f".{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # pragma: no cover
    from . import errors
    from .analyze import Analyzer, analyze
    from .detect import create_detector
    from .embed import create_embedder
    from .io import load_image
    from .landmarks import create_landmarker
    from .group import AvatarGroup, make_all
    from .make import Avatar, make, render
    from .editor import AvatarEditor
    from .stickers import stickers
    from .recipe import Recipe
    from .search import SearchConfig
    from .batch import run_batch
    from .records import Attributes, FaceRecord
