"""Parse each SVG path once: a drawing-identical cache in front of cairosvg's ``<path>`` handler.

cairosvg turns every ``d`` attribute into cairo calls with a regular-expression parser written in Python — a third of
a 512 px render, although an avatar's paths are the same few hundred strings in every render (parts are placed with
``transform`` attributes, their path data never changes). :func:`install` puts a handler in cairosvg's tag table
(``cairosvg.surface.TAGS["path"]``, the table ``Surface.draw`` dispatches on) that records the cairo calls the stock
handler makes for a ``d`` string the first time it meets it and replays them after that; the replayed calls are the
same calls with the same arguments, so the pixels are the same bit for bit (``tests/test_render_cache.py`` checks
every part). The object-bounding-box of a path (gradients in ``objectBoundingBox`` units) is cached the same way.

Only path data without units is cached (cairosvg reads units relative to the surface: font size, viewport); a
``d`` that does not parse as plain numbers and letters goes to the stock handler every time. Both caches are
bounded (least recently used entries go first), per process.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict

__all__ = ["install", "uninstall", "MAX_ENTRIES", "clear"]

MAX_ENTRIES = 4096  # (d, start point) entries per cache: the whole library has 1,666 distinct d (~42 MB cached)
_PLAIN = re.compile(r"[0-9MmLlHhVvCcSsQqTtAaZz\s,.eE+\-]*\Z")
_lock = threading.Lock()
_calls: OrderedDict = OrderedDict()  # (d, start point) -> (cairo calls, vertices)
_boxes: OrderedDict = OrderedDict()  # d -> bounding box
_state = {"installed": False}


class _Recorder:
    """Stands in for ``surface.context`` while the stock handler runs: forwards every call and writes it down."""

    __slots__ = ("_ctx", "calls")

    def __init__(self, ctx):
        self._ctx = ctx
        self.calls: list[tuple[str, tuple]] = []

    def __getattr__(self, name):
        fn = getattr(self._ctx, name)

        def call(*args):
            if name not in ("has_current_point", "get_current_point"):  # queries: asked again on replay
                self.calls.append((name, args))
            return fn(*args)

        return call


def _remember(cache: OrderedDict, key, value) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)


def _lookup(cache: OrderedDict, key):
    with _lock:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
        return hit


def _make_path_handler(stock):
    from collections import deque

    def path(surface, node):
        d = node.get("d", "")
        if not _PLAIN.match(d):
            return stock(surface, node)
        ctx = surface.context
        start = ctx.get_current_point() if ctx.has_current_point() else None
        key = (d, start)
        hit = _lookup(_calls, key)
        if hit is None:
            recorder = _Recorder(ctx)
            surface.context = recorder
            try:
                stock(surface, node)
            finally:
                surface.context = ctx
            _remember(_calls, key, (tuple(recorder.calls), tuple(node.vertices)))
            return None
        calls, vertices = hit
        for name, args in calls:
            getattr(ctx, name)(*args)
        node.vertices = deque(vertices)
        return None

    path.stock = stock
    return path


def _make_box_handler(stock):
    def bounding_box_path(surface, node):
        d = node.get("d", "")
        if not _PLAIN.match(d):
            return stock(surface, node)
        hit = _lookup(_boxes, d)
        if hit is None:
            hit = stock(surface, node)
            _remember(_boxes, d, hit)
        return hit

    bounding_box_path.stock = stock
    return bounding_box_path


def install() -> None:
    """Put the caching handlers into cairosvg's dispatch tables (once per process; idempotent, thread-safe)."""
    if _state["installed"]:
        return
    with _lock:
        if _state["installed"]:
            return
        from cairosvg import bounding_box, surface

        if not hasattr(surface.TAGS["path"], "stock"):
            surface.TAGS["path"] = _make_path_handler(surface.TAGS["path"])
        if not hasattr(bounding_box.BOUNDING_BOX_METHODS["path"], "stock"):
            bounding_box.BOUNDING_BOX_METHODS["path"] = _make_box_handler(bounding_box.BOUNDING_BOX_METHODS["path"])
        _state["installed"] = True


def uninstall() -> None:
    """Give cairosvg its stock handlers back and forget the cache (for comparisons and tests)."""
    with _lock:
        from cairosvg import bounding_box, surface

        for table in (surface.TAGS, bounding_box.BOUNDING_BOX_METHODS):
            stock = getattr(table["path"], "stock", None)
            if stock is not None:
                table["path"] = stock
        _state["installed"] = False
    clear()


def clear() -> None:
    """Forget every cached path (the handlers stay installed)."""
    with _lock:
        _calls.clear()
        _boxes.clear()
