"""The parts library: the canonical frame, descriptors, parametric SVG parts, palettes and the renderer.

``load_library()`` gives the parts (manifest + SVG files under ``parts_library/assets``), ``render(spec)`` draws an
avatar from ``{"parts": {...}, "colors": {...}, "params": {...}}``, ``gallery(path)`` writes a contact sheet.
Heavy work (cairosvg) happens only when something is rendered.
"""
from . import descriptors, frame, palettes
from .library import CATEGORIES, REQUIRED, Part, PartsLibrary, load_library
from .palettes import parse_color

__all__ = ["frame", "descriptors", "palettes", "CATEGORIES", "REQUIRED", "Part", "PartsLibrary", "load_library",
           "render", "RenderResult", "compose_svg", "gallery", "default_spec", "parse_color", "encode_image",
           "output_format", "OUTPUT_FORMATS"]


_LAZY = {"render": "renderer", "RenderResult": "renderer", "compose_svg": "renderer", "SpecError": "renderer",
         "resolve_colors": "renderer", "part_alpha": "renderer", "gallery": "contact_sheet",
         "default_spec": "contact_sheet", "encode_image": "renderer", "output_format": "renderer",
         "OUTPUT_FORMATS": "renderer", "validate_params": "renderer"}


def __getattr__(name):  # lazy: the renderer (cairosvg) loads only when something is rendered
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'parts_library' has no attribute {name!r}")
