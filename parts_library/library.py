"""The parts registry: ``load_library()`` reads ``assets/manifest.json`` (cached) into typed :class:`Part` records.

Expression parts for sticker packs (``assets/expressions/manifest.json``) are loaded beside the manifest's parts but
kept apart: :meth:`PartsLibrary.parts`, :meth:`~PartsLibrary.ids`, iteration and the manifest hash cover only the
parts a photo search may choose, :meth:`~PartsLibrary.expression_parts` lists the others, and
:meth:`~PartsLibrary.get` (and so the renderer) finds both.

Unknown names raise :class:`~parts_library.errors.UnknownNameError` with a message that says what exists, e.g.
``unknown hair part 'curley_07'; did you mean 'curly_07'? (102 hair parts: memoji parts list hair)``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UnknownNameError, did_you_mean
from .vocabulary import CATEGORIES, REQUIRED

__all__ = ["CATEGORIES", "REQUIRED", "ASSETS", "Part", "PartsLibrary", "load_library", "unknown_part_message"]

ASSETS = Path(__file__).resolve().parent / "assets"

_LAYER_RE = re.compile(r'<g id="[^"]*" data-layer="([a-z_]+)">(.*?)</g><!--/layer-->', re.S)


@dataclass(frozen=True, eq=False)
class Part:
    """One part of the library (a row of the manifest)."""

    id: str
    category: str
    name: str
    tags: tuple[str, ...]
    license: str
    anchors: dict[str, list[list[float]]]
    color_slots: tuple[str, ...]
    descriptor: np.ndarray
    file: str
    layers: tuple[str, ...]
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"id": self.id, "category": self.category, "name": self.name, "tags": list(self.tags),
                "license": self.license, "file": self.file, "layers": list(self.layers),
                "anchors": self.anchors, "color_slots": list(self.color_slots),
                "descriptor": [round(float(v), 5) for v in self.descriptor], "params": self.params}


def unknown_part_message(category: str | None, name: str, known: list[str]) -> str:
    if category is None:
        return f"unknown part '{name}'{did_you_mean(name, known)} ({len(known)} parts: memoji parts list)"
    return (f"unknown {category.replace('_', ' ')} part '{name}'{did_you_mean(name, known)} "
            f"({len(known)} {category.replace('_', ' ')} parts: memoji parts list {category})")


def _part(row: dict) -> Part:
    return Part(id=row["id"], category=row["category"], name=row["name"], tags=tuple(row["tags"]),
                license=row["license"], anchors=row["anchors"], color_slots=tuple(row["color_slots"]),
                descriptor=np.asarray(row["descriptor"], dtype=np.float32), file=row["file"],
                layers=tuple(row["layers"]), params=row.get("params", {}))


class PartsLibrary:
    """All parts, by category and id, with their SVG layer fragments (read once, cached). ``expressions``: the
    expression manifest (sticker parts), kept out of :meth:`parts`, :meth:`ids`, ``len`` and iteration."""

    def __init__(self, manifest: dict, root: Path, manifest_hash: str, expressions: dict | None = None):
        self.root = Path(root)
        self.manifest = manifest
        self.manifest_hash = manifest_hash
        self._by_id: dict[str, Part] = {}
        self._by_cat: dict[str, list[Part]] = {c: [] for c in CATEGORIES}
        for row in manifest["parts"]:
            part = _part(row)
            self._by_id[part.id] = part
            self._by_cat.setdefault(part.category, []).append(part)
        self._expr: dict[str, Part] = {}
        for row in (expressions or {}).get("parts", []):
            part = _part(row)
            if part.id in self._by_id:
                raise ValueError(f"expression part {part.id} has the id of a manifest part")
            self._expr[part.id] = part
        self._fragments: dict[str, dict[str, str]] = {}

    @property
    def categories(self) -> tuple[str, ...]:
        return CATEGORIES

    def _check_category(self, category: str) -> None:
        if category not in self._by_cat and not any(p.category == category for p in self._expr.values()):
            raise UnknownNameError(f"unknown part category '{category}'{did_you_mean(category, CATEGORIES)} "
                                   f"(categories: {', '.join(CATEGORIES)})")

    def parts(self, category: str) -> list[Part]:
        self._check_category(category)
        return list(self._by_cat[category])

    def ids(self, category: str | None = None) -> list[str]:
        if category is None:
            return list(self._by_id)
        return [p.id for p in self.parts(category)]

    def expression_parts(self, category: str | None = None) -> list[Part]:
        """The expression parts (sticker eyes, brows, mouths and ``extra`` overlays), of one category or all; the
        photo search never offers them."""
        return [p for p in self._expr.values() if category is None or p.category == category]

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self):
        return iter(self._by_id.values())

    def __contains__(self, part_id: str) -> bool:
        return part_id in self._by_id

    def get(self, part_id: str, category: str | None = None) -> Part:
        """The part with this id; ``category`` (optional) checks it belongs there and words the error."""
        if category is not None:
            self._check_category(category)
        part = self._by_id.get(part_id) or self._expr.get(part_id)
        if part is None or (category is not None and part.category != category):
            known = self.ids(category)
            raise UnknownNameError(unknown_part_message(category, str(part_id), known))
        return part

    def svg_path(self, part: Part | str) -> Path:
        part = self.get(part) if isinstance(part, str) else part
        return self.root / part.file

    def fragments(self, part: Part | str) -> dict[str, str]:
        """The part's SVG layers (``{"main": ...}`` or ``{"back": ..., "front": ...}``) with ``%slot%``
        placeholders, parsed once per process."""
        pid = part if isinstance(part, str) else part.id
        frags = self._fragments.get(pid)
        if frags is None:
            text = self.svg_path(pid).read_text(encoding="utf-8")
            frags = {m.group(1): m.group(2) for m in _LAYER_RE.finditer(text)}
            self._fragments[pid] = frags
        return frags

    def outfit_fragment(self, name: str) -> str:
        """The SVG of one outfit (``outfits/<name>.svg``; ``name`` must already be checked against
        :data:`parts_library.outfits.OUTFITS`), parsed once per process."""
        key = f"__outfit__{name}"
        frag = self._fragments.get(key)
        if frag is None:
            text = (self.root / "outfits" / f"{name}.svg").read_text(encoding="utf-8")
            frag = "".join(m.group(2) for m in _LAYER_RE.finditer(text))
            self._fragments[key] = frag
        return frag

    def base_fragment(self, name: str) -> str:
        key = f"__base__{name}"
        frag = self._fragments.get(key)
        if frag is None:
            text = (self.root / self.manifest["base"][name]).read_text(encoding="utf-8")
            frag = "".join(m.group(2) for m in _LAYER_RE.finditer(text))
            self._fragments[key] = frag
        return frag


EXPRESSIONS_MANIFEST = "expressions/manifest.json"


@functools.lru_cache(maxsize=4)
def _load(root: str) -> PartsLibrary:
    path = Path(root) / "manifest.json"
    raw = path.read_bytes()
    expr_path = Path(root) / EXPRESSIONS_MANIFEST
    expressions = json.loads(expr_path.read_bytes()) if expr_path.is_file() else None
    return PartsLibrary(json.loads(raw), Path(root), hashlib.sha256(raw).hexdigest(), expressions)


def load_library(root: str | Path | None = None) -> PartsLibrary:
    """The parts library (cached per folder); ``root`` defaults to the packaged ``parts_library/assets``."""
    return _load(str(Path(root).resolve() if root is not None else ASSETS))
