"""The public API: ``make(photo_or_photos) -> Avatar`` and ``render(recipe) -> Avatar``.

make = analyze → classify → retrieve + search → render (→ stylize). Deterministic: the same photos and options give
the same recipe and the same bytes.
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FaceIndexError, ImageReadError
from .io import ImageInput
from .recipe import Recipe
from .records import FaceRecord
from .search import SearchConfig, check_method, choose_recipe, gather_evidence

__all__ = ["Avatar", "make", "render", "check_request", "check_overrides", "prepare", "avatar_from_faces",
           "Prepared", "IMAGE_FORMATS"]

IMAGE_FORMATS = ("png", "webp")  # the avatar's raster file; its SVG is always written too


@dataclass
class Avatar:
    """A rendered avatar: PNG bytes + SVG + the recipe that made it (+ the analysed face when made from a photo)."""

    recipe: Recipe
    size: int
    png: bytes = field(repr=False)
    svg: str = field(repr=False)
    landmarks: np.ndarray = field(repr=False)  # (68, 2) of the drawn face, in PNG pixels
    faces: list[FaceRecord] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)
    stylized: Any = field(default=None, repr=False)  # PIL image when stylize was asked for

    @property
    def face(self) -> FaceRecord | None:
        return self.faces[0] if self.faces else None

    @property
    def image(self):
        """The avatar as a PIL RGBA image."""
        import io

        from PIL import Image

        return Image.open(io.BytesIO(self.png)).convert("RGBA")

    def files(self, stem: str = "avatar", image_format: str = "png") -> dict[str, tuple[str, bytes]]:
        """The files :meth:`save` writes, as ``{kind: (file name, bytes)}`` (kinds ``png`` — or ``webp`` with
        ``image_format="webp"`` —, ``svg``, ``recipe`` and ``stylized`` when there is one): the one encoding of an
        avatar, for a folder or a batch's sink."""
        if image_format == "png":
            image = self.png
        elif image_format == "webp":
            from parts_library.renderer import encode_image

            image = encode_image(self.image, "webp")
        else:
            from .errors import OutputFormatError

            raise OutputFormatError(f"unknown avatar image format {image_format!r} (formats: "
                                    f"{', '.join(IMAGE_FORMATS)}; the SVG is always written)")
        files = {image_format: (f"{stem}.{image_format}", image), "svg": (f"{stem}.svg", self.svg.encode()),
                 "recipe": (f"{stem}.recipe.json", (self.recipe.to_json() + "\n").encode())}
        if self.stylized is not None:
            import io

            buf = io.BytesIO()
            self.stylized.save(buf, "PNG")
            files["stylized"] = (f"{stem}.stylized.png", buf.getvalue())
        return files

    def save(self, directory: str | os.PathLike, stem: str = "avatar", image_format: str = "png") -> dict[str, Path]:
        """Write ``<stem>.png`` (or ``.webp``), ``<stem>.svg`` and ``<stem>.recipe.json`` (atomically) and return
        their paths."""
        from index.vector import atomic_write

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out = {}
        for kind, (name, data) in self.files(stem, image_format).items():
            out[kind] = d / name
            atomic_write(out[kind], data)
        return out

    def edit(self, **kwargs: Any):
        """The recipe editor in Jupyter (:class:`assembler.editor.AvatarEditor`; needs the ``editor`` extra,
        ipywidgets): a dropdown per part and colour, size sliders, the avatar re-rendered on every change and
        "save recipe". ``kwargs``: ``size``, ``path`` (where "save recipe" writes)."""
        from .editor import AvatarEditor

        return AvatarEditor(self, **kwargs)

    def _repr_png_(self) -> bytes:
        return self.png


def render(recipe: Recipe | dict | str | os.PathLike, size: int = 512, **overrides: str | None) -> Avatar:
    """Render a recipe (object, dict, JSON text or path) to an :class:`Avatar`; pure and deterministic."""
    from parts_library import render as render_parts

    if not isinstance(recipe, Recipe):
        recipe = Recipe.from_dict(recipe) if isinstance(recipe, dict) else Recipe.from_json(recipe)
    if overrides:
        recipe = recipe.with_overrides(**overrides)
    spec = recipe.render_spec()
    t0 = time.perf_counter()
    png = render_parts(spec, size=size, fmt="png")
    return Avatar(recipe=recipe, size=size, png=png.data, svg=png.sized_svg, landmarks=np.asarray(png.landmarks),
                  timings={"render": time.perf_counter() - t0})


def _as_list(photos) -> list[ImageInput]:
    if isinstance(photos, (str, os.PathLike)) or not isinstance(photos, Sequence):
        return [photos]
    return list(photos)


def check_overrides(overrides: dict[str, str | None]) -> None:
    """Raise the error :func:`render` would raise for these overrides, without a photo (a few ms): unknown keys,
    part ids and colours are reported before any analysis starts."""
    if not overrides:
        return
    from parts_library import compose_svg
    from parts_library.contact_sheet import NEUTRAL_PARTS

    probe = Recipe(parts=dict(NEUTRAL_PARTS), colors={}).with_overrides(**overrides)
    compose_svg(probe.render_spec())


def check_request(*, method: str = "search", size: int = 512, face_index: int = 0, photos: Sequence | None = None,
                  overrides: dict[str, str | None] | None = None, exaggerate: float = 0.0) -> None:
    """Everything about a :func:`make` call that can be checked without analysing a photo."""
    from .caricature import check_amount
    from .errors import MemojiError

    check_amount(exaggerate)

    check_method(method)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 16 <= int(size) <= 4096:
        err = MemojiError(f"size must be an integer 16..4096 pixels, got {size!r}")
        err.exit_code = 2
        raise err
    if isinstance(face_index, bool) or not isinstance(face_index, (int, np.integer)) or face_index < 0:
        raise FaceIndexError(f"face_index must be 0 (the largest face) or more, got {face_index!r}")
    if photos is not None and not photos:
        raise ImageReadError("no photo given")
    from .io import check_regular_file

    for photo in photos or ():
        if isinstance(photo, (str, os.PathLike)):  # a missing or unreadable file is reported before models load
            check_regular_file(photo, what="image", error=ImageReadError)
    check_overrides(overrides or {})


def make(photos: ImageInput | Sequence[ImageInput], *, method: str = "search", size: int = 512,
         face_index: int = 0, classifier: Any = "measured", classifier_weights: str | None = None,
         search: SearchConfig | None = None, seed: int = 0, stylize: Any = None, exaggerate: float = 0.0,
         **overrides: str | None) -> Avatar:
    """Photo(s) of one person → an :class:`Avatar` that looks like them.

    ``photos``: a path, PIL image or RGB array, or a list of them (evidence is averaged). ``face_index`` picks the
    face in each photo (0 = largest). ``method``: ``search`` (default), or a baseline (``attributes``, ``greedy``,
    ``random``). ``overrides`` replace parts or colours and keep the rest: ``hair="bun_02"``,
    ``hair_color="pink"``, ``glasses=None``. ``stylize``: a stylize config (path, dict or ``Stylizer``).
    ``classifier``: a backend name (``classifier_weights`` its weights) or a built classifier
    (:func:`assembler.classification.get_classifier`). ``exaggerate`` (0..1): a caricature — the face's measured deviations from the mean face pushed further out
    (:mod:`assembler.caricature`); 0 is the plain avatar.

    Everything that needs no photo (method, size, face index, overrides, the classifier and its weights, the stylize
    config and its model files) is checked before the first photo is analysed.
    """
    from .analysis import get_analyzer

    photo_list = _as_list(photos)
    check_request(method=method, size=size, face_index=face_index, photos=photo_list, overrides=overrides,
                  exaggerate=exaggerate)
    prepared = prepare(classifier=classifier, classifier_weights=classifier_weights, stylize=stylize)

    timings: dict[str, float] = {}
    faces: list[FaceRecord] = []
    analyzer = get_analyzer()
    for photo in photo_list:
        t0 = time.perf_counter()
        found = analyzer(photo, max_faces=None if face_index else 1)
        timings["analyze"] = timings.get("analyze", 0.0) + time.perf_counter() - t0
        if face_index >= len(found):
            raise FaceIndexError(f"face_index {face_index} asked for, but {len(found)} face(s) found in "
                                 f"{found[0].source or 'the image'}: use 0..{len(found) - 1}")
        faces.append(found[face_index])
    return avatar_from_faces(faces, prepared, method=method, size=size, search=search, seed=seed,
                             timings=timings, exaggerate=exaggerate, **overrides)


@dataclass
class Prepared:
    """What :func:`make` loads before the first photo: the classifier (a name + kwargs, loaded and cached, or a built
    classifier) and the stylizer (or None)."""

    classifier: Any
    classifier_kwargs: dict[str, Any]
    stylizer: Any = None


def prepare(*, classifier: Any = "measured", classifier_weights: str | None = None, stylize: Any = None) -> Prepared:
    """Load (or fail on) the classifier and the stylize config now, before any photo is analysed."""
    from .classification import get_classifier

    kwargs = {"weights": classifier_weights} if classifier_weights else {}
    if isinstance(classifier, str):
        get_classifier(classifier, **kwargs)  # loads (or fails) now
    elif kwargs:
        raise ValueError("classifier_weights is for a classifier given by name, not a built one")
    stylizer = None
    if stylize is not None:
        from .stylization import Stylizer

        stylizer = stylize if isinstance(stylize, Stylizer) else Stylizer.from_config(stylize)
    return Prepared(classifier, kwargs, stylizer)


def avatar_from_faces(faces: list[FaceRecord], prepared: Prepared, *, method: str = "search", size: int = 512,
                      search: SearchConfig | None = None, seed: int = 0, timings: dict[str, float] | None = None,
                      exaggerate: float = 0.0, **overrides: str | None) -> Avatar:
    """Analysed faces of one person → classify → search → render (→ stylize): the part of :func:`make` after the
    analysis (``make_all`` runs it once per face of a group photo analysed once)."""
    from .classification import classify

    timings = dict(timings or {})
    for face in faces:
        t0 = time.perf_counter()
        classify(face, backend=prepared.classifier, **prepared.classifier_kwargs)
        timings["classify"] = timings.get("classify", 0.0) + time.perf_counter() - t0

    t0 = time.perf_counter()
    ev = gather_evidence(faces)
    cfg = search or SearchConfig(seed=seed)
    recipe = choose_recipe(ev, method, cfg)
    if ev.landmarks is not None:  # the face's proportions, so a caricature can be made from the recipe later
        from .caricature import exaggerate as push, geometry_ratios

        recipe.analysis = {**recipe.analysis, "geometry": geometry_ratios(ev.landmarks)}
        if exaggerate:
            recipe = push(recipe, exaggerate)
    timings["search"] = time.perf_counter() - t0
    avatar = render(recipe, size=size, **overrides)
    timings["render"] = avatar.timings["render"]
    avatar.faces = list(faces)
    if prepared.stylizer is not None:
        t0 = time.perf_counter()
        avatar.stylized = prepared.stylizer(avatar)
        timings["stylize"] = time.perf_counter() - t0
    timings["total"] = sum(timings.values())
    avatar.timings = timings
    return avatar
