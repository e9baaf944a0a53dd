"""The parts library: the canonical frame, descriptors, parametric SVG parts, palettes and the renderer."""
from . import descriptors, frame

__all__ = ["frame", "descriptors"]
