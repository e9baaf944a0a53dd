"""Every face in a group photo: ``make_all(photo) -> AvatarGroup`` (a list of :class:`~assembler.avatar.Avatar`).

The photo is analysed once (the analyzer finds every face, largest first); each face at least ``min_face_px``
wide becomes an avatar (classify → search → render, as :func:`~assembler.avatar.make` does for one face). Smaller
faces are too small to measure: they are reported in :attr:`AvatarGroup.skipped`, never drawn from guesses. The
group picture places each avatar where its face was, scaled and moved so the avatar's drawn landmarks fit the
photo's (least squares, no rotation), on a neutral background.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from parts_library.svg import svg_document

from .errors import MemojiError, NoFaceError
from .io import ImageInput
from .avatar import avatar_from_faces, check_request, prepare

__all__ = ["make_all", "AvatarGroup", "SkippedFace", "MIN_FACE_PX", "GROUP_FORMATS", "GROUP_BACKGROUND"]

MIN_FACE_PX = 60  # detector box width; below it the analyzer flags a face small_face (assembler.analyze)
GROUP_FORMATS = ("png", "webp", "svg")
GROUP_BACKGROUND = "#eceff4"
MAX_GROUP_SIDE = 2048


@dataclass(frozen=True)
class SkippedFace:
    """A face found but not drawn: its rank in the photo (0 = largest), detector box (photo px) and width."""

    index: int
    box: tuple[float, float, float, float]
    width_px: float
    reason: str

    def describe(self) -> str:
        x0, y0 = self.box[:2]
        return f"face {self.index + 1} ({self.width_px:.0f} px wide at {x0:.0f},{y0:.0f})"


class AvatarGroup(list):
    """The avatars of a group photo (a ``list`` of :class:`Avatar`, largest face first) with what was not drawn
    (:attr:`skipped`), the photo's size and the picture of them all (:meth:`group_svg`, :meth:`group_image`)."""

    def __init__(self, avatars=(), *, skipped=(), photo_size: tuple[int, int] = (0, 0), faces_found: int = 0,
                 min_face_px: float = MIN_FACE_PX, source: str | None = None, timings: dict | None = None):
        super().__init__(avatars)
        self.skipped: list[SkippedFace] = list(skipped)
        self.photo_size = tuple(int(v) for v in photo_size)
        self.faces_found = int(faces_found)
        self.min_face_px = min_face_px
        self.source = source
        self.timings = dict(timings or {})

    def summary(self) -> str:
        """One line: faces found, drawn, and the ones too small to draw."""
        line = f"{self.faces_found} face(s) found, {len(self)} drawn"
        if self.skipped:
            line += (f"; {len(self.skipped)} face(s) too small to draw (under {self.min_face_px:g} px wide): "
                     + ", ".join(s.describe() for s in self.skipped))
        return line

    # -- the group picture ----------------------------------------------------------------------------------------
    def placements(self, max_side: int = MAX_GROUP_SIDE) -> tuple[float, list[tuple[float, float, float]]]:
        """The canvas scale (≤ 1, so its longer side is at most ``max_side``) and, per avatar, where its canonical
        1024 frame goes on the canvas: (x, y, scale)."""
        w, h = self.photo_size
        k = min(1.0, max_side / max(w, h, 1))
        out = []
        for avatar in self:
            drawn = np.asarray(avatar.landmarks, np.float64) * (1024.0 / avatar.size)  # canonical px
            photo = np.asarray(avatar.face.landmarks, np.float64)
            a, p = drawn - drawn.mean(0), photo - photo.mean(0)
            s = float((a * p).sum() / max((a * a).sum(), 1e-9))
            t = photo.mean(0) - s * drawn.mean(0)
            out.append((float(t[0]) * k, float(t[1]) * k, s * k))
        return k, out

    def group_svg(self, *, max_side: int = MAX_GROUP_SIDE, background: str | None = GROUP_BACKGROUND) -> str:
        """The group picture as SVG: each avatar's own SVG nested where its face was (its ids prefixed so avatars
        never share a gradient); the smaller faces (further back) drawn first."""
        from parts_library.palettes import parse_color

        k, places = self.placements(max_side)
        w, h = (max(1, round(v * k)) for v in self.photo_size)
        body = []
        if background is not None:
            body.append(f'<rect width="{w}" height="{h}" fill="{parse_color(background, "background")}"/>')
        order = sorted(range(len(self)), key=lambda i: places[i][2])  # small (far) first, large (near) on top
        for i in order:
            x, y, s = places[i]
            inner = _inner_svg(self[i].svg, f"a{i}-")
            side = 1024.0 * s
            body.append(f'<svg x="{x:.2f}" y="{y:.2f}" width="{side:.2f}" height="{side:.2f}" '
                        f'viewBox="0 0 1024 1024" overflow="hidden">{inner}</svg>')
        return svg_document("".join(body), w, h)

    def group_image(self, *, max_side: int = MAX_GROUP_SIDE, background: str | None = GROUP_BACKGROUND):
        """The group picture as a PIL RGBA image (the photo's size, at most ``max_side`` on its longer side)."""
        from PIL import Image

        svg = self.group_svg(max_side=max_side, background=background)
        return Image.fromarray(_rasterize(svg), "RGBA")

    def group_bytes(self, fmt: str = "png", *, max_side: int = MAX_GROUP_SIDE,
                    background: str | None = GROUP_BACKGROUND) -> bytes:
        """The group picture as file bytes: ``png``, ``webp`` or ``svg``."""
        from parts_library.renderer import encode_image

        kind = _group_format(fmt)
        svg = self.group_svg(max_side=max_side, background=background)
        return svg.encode("utf-8") if kind == "svg" else encode_image(_rasterize(svg), kind)

    def save(self, directory: str | os.PathLike, stem: str = "group", image_format: str = "png") -> dict[str, Path]:
        """Write each avatar as ``<stem>_face<N>.{png|webp,svg,recipe.json}`` (N: the face's rank in the photo,
        1 = largest) and the group picture as ``<stem>_group.<image_format>`` and ``<stem>_group.svg``, atomically,
        inside ``directory``; returns ``{key: path}``."""
        from index.vector import atomic_write

        from .outputs import check_stem, inside

        check_stem(stem, what="file stem")
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out: dict[str, Path] = {}
        for avatar in self:
            n = avatar.face.index + 1
            for kind, (name, data) in avatar.files(f"{stem}_face{n}", image_format).items():
                path = inside(d, name)
                atomic_write(path, data)
                out[f"face{n}.{kind}"] = path
        if self:
            svg = self.group_svg()
            for kind in dict.fromkeys((_group_format(image_format), "svg")):
                path = inside(d, f"{stem}_group.{kind}")
                if kind == "svg":
                    data = svg.encode("utf-8")
                else:
                    from parts_library.renderer import encode_image

                    data = encode_image(_rasterize(svg), kind)
                atomic_write(path, data)
                out[f"group.{kind}"] = path
        return out


def _group_format(fmt: str) -> str:
    from .errors import OutputFormatError

    kind = str(fmt).lower().lstrip(".")
    if kind not in GROUP_FORMATS:
        raise OutputFormatError(f"unknown group image format {fmt!r} (formats: {', '.join(GROUP_FORMATS)})")
    return kind


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')


def _inner_svg(svg: str, prefix: str) -> str:
    """The content of an avatar SVG (without its outer <svg> tag and without its own background: the group picture
    has one), every id and reference prefixed."""
    from parts_library.outfits import BACKGROUND_ID

    inner = svg[svg.index(">") + 1: svg.rindex("</svg>")]
    if inner.startswith(f'<g id="{BACKGROUND_ID}">'):
        inner = inner[inner.index("</g>") + 4:]
    inner = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', inner)
    return _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", inner)


def _rasterize(svg: str) -> np.ndarray:
    """A group SVG (any width × height) → RGBA array, external resources off."""
    from parts_library.renderer import rasterize_rgba

    return rasterize_rgba(svg, None)


def _check_floor(min_face_px: Any) -> float:
    if (isinstance(min_face_px, bool) or not isinstance(min_face_px, (int, float, np.integer, np.floating))
            or not np.isfinite(min_face_px) or not 1 <= float(min_face_px) <= 10000):
        err = MemojiError(f"min_face_px must be a number of pixels 1..10000, got {min_face_px!r}")
        err.exit_code = 2
        raise err
    return float(min_face_px)


def make_all(photo: ImageInput, *, min_face_px: float = MIN_FACE_PX, method: str = "search", size: int = 512,
             classifier: str = "measured", classifier_weights: str | None = None, search=None, seed: int = 0,
             stylize: Any = None, exaggerate: float = 0.0, **overrides: str | None) -> AvatarGroup:
    """One avatar per face in a group ``photo`` (path, PIL image or RGB array), largest face first.

    The photo is analysed once. Faces whose detector box is narrower than ``min_face_px`` are too small to measure:
    they are listed in :attr:`AvatarGroup.skipped` (and :meth:`AvatarGroup.summary`), not drawn. The other keyword
    arguments are :func:`~assembler.avatar.make`'s (``method``, ``size``, ``classifier``, ``exaggerate``, overrides
    …) and apply to every face. Raises :class:`~assembler.errors.NoFaceError` (exit code 3) when the photo has no face, or none at
    least ``min_face_px`` wide (the message lists them).
    """
    from .analysis import get_analyzer

    if isinstance(photo, (list, tuple)):
        raise TypeError("make_all takes one group photo; make() takes several photos of one person")
    floor = _check_floor(min_face_px)
    check_request(method=method, size=size, photos=[photo], overrides=overrides, exaggerate=exaggerate)
    prepared = prepare(classifier=classifier, classifier_weights=classifier_weights, stylize=stylize)
    t0 = time.perf_counter()
    found = get_analyzer()(photo, max_faces=None)
    analyze_s = time.perf_counter() - t0
    avatars, skipped = [], []
    for face in found:
        width = float(face.box[2] - face.box[0])
        if width < floor:
            skipped.append(SkippedFace(face.index, tuple(float(v) for v in face.box), width, "too small"))
            continue
        avatars.append(avatar_from_faces([face], prepared, method=method, size=size, search=search, seed=seed,
                                         exaggerate=exaggerate, **overrides))
    first = found[0]
    if not avatars:
        what = first.source or "the image"
        raise NoFaceError(f"no face large enough to draw in {what}: {len(found)} found, all under {floor:g} px wide ("
                          + ", ".join(s.describe() for s in skipped) + "); a lower min_face_px draws them from "
                          "less evidence")
    return AvatarGroup(avatars, skipped=skipped, photo_size=first.image_size, faces_found=len(found),
                       min_face_px=floor, source=first.source, timings={"analyze": analyze_s})
