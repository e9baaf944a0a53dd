"""`IdentityModel`: a linear model of the identity embedding of a rendered avatar, learned from the avatar index.

The renderer composes an avatar from discrete choices (a part per category, a colour per slot) and a few continuous
placement parameters, so the embedding of a render is well approximated by a sum of one learned vector per choice:

    embedding(spec) ≈ b + Σ_choices W[choice] + Σ_params p · W[param]          (then normalised)

Fitted by ridge regression on the (spec, embedding) pairs of an :class:`~index.avatars.AvatarIndex`, it lets a joint
search score *every* allowed combination without rendering: changing one category is one vector subtraction and one
addition. It is a model of the embedder the search optimises, not of any judge.

Features of a spec ``{"parts": {category: id}, "colors": {slot: name}, "params": {category: {scale, dx, dy,
stretch}}}``: ``parts.<category>=<id>`` (``=none`` when a category is absent), ``colors.<slot>=<name>`` for the slots
in ``COLOR_SLOTS``, and ``params.<category>.scale`` (scale − 1) / ``params.<category>.dy`` (dy / 100) /
``params.<category>.stretch`` (stretch − 1, where given) for the categories in ``PARAM_CATEGORIES``. A choice never
seen in training contributes nothing.

Files: ``identity.npz`` (weights, bias, the mean avatar embedding) + ``identity.json`` (features, meta), written
atomically, the JSON last. Beside them, ``reference.json`` may hold the mean embedding of a *reference population* of
real faces (:func:`save_reference`): the search measures a photo's identity as its offset from that mean. The model
that ships with the package lives in ``parts_library/assets/identity/``; one built with
``memoji index build --avatars N`` (in the index folder) takes precedence when it matches the parts manifest.
"""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .vector import atomic_write

__all__ = ["IdentityModel", "spec_features", "part_feature", "save_reference", "load_reference",
           "packaged_identity_dir", "COLOR_SLOTS", "PARAM_CATEGORIES"]

NAME = "identity"
REFERENCE = "reference.json"
COLOR_SLOTS = ("skin", "hair", "eyes")
PARAM_CATEGORIES = ("face", "eyes", "brows", "nose", "mouth")
DY_UNIT = 100.0


def part_feature(category: str, part_id: str | None) -> str:
    """The feature name of choosing ``part_id`` (None: no part) in ``category``."""
    return f"parts.{category}={part_id or 'none'}"


def spec_features(spec: dict, categories: Sequence[str]) -> tuple[list[str], dict[str, float]]:
    """The discrete choices (feature names) and continuous values of a render spec."""
    parts = spec.get("parts") or {}
    colors = spec.get("colors") or {}
    params = spec.get("params") or {}
    keys = [part_feature(c, parts.get(c)) for c in categories]
    keys += [f"colors.{s}={colors[s]}" for s in COLOR_SLOTS if isinstance(colors.get(s), str)]
    values: dict[str, float] = {}
    for c in PARAM_CATEGORIES:
        p = params.get(c)
        if p:
            values[f"params.{c}.scale"] = float(p.get("scale", 1.0)) - 1.0
            values[f"params.{c}.dy"] = float(p.get("dy", 0.0)) / DY_UNIT
            if "stretch" in p:
                values[f"params.{c}.stretch"] = float(p["stretch"]) - 1.0
    return keys, values


class IdentityModel:
    """Predicts the identity embedding of a rendered spec (see the module docstring)."""

    def __init__(self, features: list[str], weights: np.ndarray, bias: np.ndarray, mean: np.ndarray,
                 categories: Sequence[str], meta: dict | None = None):
        weights = np.asarray(weights, np.float32)
        if weights.shape != (len(features), len(bias)):
            raise ValueError(f"weights {weights.shape} do not match {len(features)} features × {len(bias)} dims")
        self.features = list(features)
        self.weights = weights
        self.bias = np.asarray(bias, np.float32)
        self.mean = np.asarray(mean, np.float32)  # the mean embedding of the training avatars
        self.categories = list(categories)
        self.meta = dict(meta or {})
        self.reference: np.ndarray | None = None  # mean embedding of real faces (set by :meth:`open`)
        self._row = {f: i for i, f in enumerate(self.features)}
        self._zero = np.zeros(len(self.bias), np.float32)

    @property
    def dim(self) -> int:
        return len(self.bias)

    # -- fitting -------------------------------------------------------------------------------------------------
    @classmethod
    def fit(cls, specs: Sequence[dict], embeddings: np.ndarray, categories: Sequence[str], *, lam: float = 3.0,
            holdout: float = 0.1, meta: dict | None = None) -> "IdentityModel":
        """Ridge regression from spec features to embeddings. The last ``holdout`` fraction is first held out to
        measure the fit (``meta["holdout"]``: mean cosine of predicted vs true, and the share of the centred
        embedding variance explained), then the model is refitted on everything."""
        y = np.asarray(embeddings, np.float64)
        if len(specs) != len(y) or len(y) < 2:
            raise ValueError(f"need as many embeddings as specs (≥ 2), got {len(y)} for {len(specs)}")
        encoded = [spec_features(s, categories) for s in specs]
        names = sorted({k for keys, vals in encoded for k in (*keys, *vals)})
        col = {k: i for i, k in enumerate(names)}
        x = np.zeros((len(specs), len(names)), np.float64)
        for r, (keys, vals) in enumerate(encoded):
            for k in keys:
                x[r, col[k]] = 1.0
            for k, v in vals.items():
                x[r, col[k]] = v

        def solve(xs, ys):
            xb = np.hstack([xs, np.ones((len(xs), 1))])
            reg = lam * np.eye(xb.shape[1])
            reg[-1, -1] = 0.0  # the bias is not shrunk
            w = np.linalg.solve(xb.T @ xb + reg, xb.T @ ys)
            return w[:-1], w[-1]

        quality = {}
        n_test = int(round(len(y) * holdout))
        if n_test >= 2 and len(y) - n_test >= 2:
            w, b = solve(x[:-n_test], y[:-n_test])
            pred = x[-n_test:] @ w + b
            true = y[-n_test:]
            cos = np.sum(pred * true, 1) / np.linalg.norm(pred, axis=1) / np.linalg.norm(true, axis=1)
            centred = true - y[:-n_test].mean(0)
            r2 = 1.0 - np.sum((true - pred) ** 2) / np.sum(centred ** 2)
            quality = {"n_test": n_test, "cosine": round(float(cos.mean()), 4), "r2_centred": round(float(r2), 4)}
        w, b = solve(x, y)
        return cls(names, w, b, y.mean(0), categories,
                   {**(meta or {}), "n": len(y), "lam": lam, "holdout": quality})

    # -- prediction ----------------------------------------------------------------------------------------------
    def row(self, feature: str) -> np.ndarray:
        """The learned vector of one feature (zeros when it was never seen)."""
        i = self._row.get(feature)
        return self._zero if i is None else self.weights[i]

    def raw(self, spec: dict) -> np.ndarray:
        """The predicted embedding of ``spec`` before normalisation."""
        keys, vals = spec_features(spec, self.categories)
        v = self.bias.astype(np.float32).copy()
        for k in keys:
            v += self.row(k)
        for k, x in vals.items():
            v += x * self.row(k)
        return v

    def predict(self, spec: dict) -> np.ndarray:
        """The predicted unit embedding of ``spec``."""
        v = self.raw(spec)
        return v / max(float(np.linalg.norm(v)), 1e-12)

    # -- persistence ---------------------------------------------------------------------------------------------
    def save(self, directory) -> Path:
        directory = Path(directory)
        buf = io.BytesIO()
        np.savez(buf, weights=self.weights, bias=self.bias, mean=self.mean)
        atomic_write(directory / f"{NAME}.npz", buf.getvalue())
        info = {"features": self.features, "categories": self.categories, "meta": self.meta}
        atomic_write(directory / f"{NAME}.json", json.dumps(info, indent=0, sort_keys=True).encode())
        return directory

    @classmethod
    def load(cls, directory, *, expect: dict | None = None) -> "IdentityModel":
        """Load a saved model; ``expect`` (e.g. ``{"manifest_hash": h, "embedder": "dlib-resnet128"}``) must match
        its meta, else :class:`~index.parts.StaleIndexError`."""
        from .parts import StaleIndexError

        directory = Path(directory)
        meta_path, npz_path = directory / f"{NAME}.json", directory / f"{NAME}.npz"
        if not meta_path.is_file() or not npz_path.is_file():
            raise FileNotFoundError(f"no identity model in {directory}: run `memoji index build --avatars N`")
        info = json.loads(meta_path.read_text())
        for key, want in (expect or {}).items():
            have = info["meta"].get(key)
            if have != want:
                raise StaleIndexError(f"identity model in {directory} was built with {key}={have!r}, expected "
                                      f"{want!r}; rebuild it (memoji index build --avatars N)")
        with np.load(npz_path) as z:
            return cls(info["features"], z["weights"], z["bias"], z["mean"], info["categories"], info["meta"])

    @classmethod
    def open(cls, manifest_hash: str, embedder: str, directories: Sequence | None = None) -> "IdentityModel":
        """The first model in ``directories`` (default: the index folder, the user cache, the packaged one) built for
        this parts manifest and embedder, with ``.reference`` set from a ``reference.json`` beside it or in the
        packaged folder (None when there is none). Raises FileNotFoundError / StaleIndexError naming the folders."""
        from .parts import StaleIndexError, cache_index_dir, default_index_dir

        dirs = [Path(d) for d in directories] if directories is not None else [
            default_index_dir(), cache_index_dir(manifest_hash), packaged_identity_dir()]
        problems = []
        for d in dirs:
            try:
                model = cls.load(d, expect={"manifest_hash": manifest_hash, "embedder": embedder})
            except (FileNotFoundError, StaleIndexError) as err:
                problems.append(str(err).splitlines()[0])
                continue
            for ref_dir in (d, packaged_identity_dir()):
                try:
                    model.reference = load_reference(ref_dir, embedder)
                    break
                except FileNotFoundError:
                    continue
            return model
        raise FileNotFoundError("no identity model for this parts library: " + "; ".join(problems))

    def __repr__(self) -> str:
        return f"IdentityModel({len(self.features)} features × {self.dim}, meta n={self.meta.get('n')})"


def packaged_identity_dir() -> Path:
    """``parts_library/assets/identity/``: the identity model and reference that ship with the package."""
    import parts_library

    return Path(parts_library.__file__).resolve().parent / "assets" / "identity"


def save_reference(directory, embeddings: np.ndarray, *, embedder: str, meta: dict | None = None) -> Path:
    """Write the mean of ``embeddings`` (real faces of many different people) as ``reference.json``."""
    x = np.asarray(embeddings, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"a reference population needs at least 2 face embeddings, got {x.shape}")
    info = {"embedder": embedder, "n_faces": int(len(x)), "mean": [round(float(v), 7) for v in x.mean(0)],
            **(meta or {})}
    path = Path(directory) / REFERENCE
    atomic_write(path, json.dumps(info, indent=0).encode())
    return path


def load_reference(directory, embedder: str) -> np.ndarray:
    """The reference mean in ``directory`` for ``embedder`` (FileNotFoundError when absent or for another one)."""
    path = Path(directory) / REFERENCE
    if not path.is_file():
        raise FileNotFoundError(f"no {REFERENCE} in {directory}")
    info = json.loads(path.read_text())
    if info.get("embedder") != embedder:
        raise FileNotFoundError(f"{path} is for embedder {info.get('embedder')!r}, not {embedder!r}")
    return np.asarray(info["mean"], np.float32)
