"""Vendored PAN skin/clothes/hair segmentation network (MIT, see LICENSE here)."""
