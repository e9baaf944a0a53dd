"""Skin band (light / medium / dark) from the identity embedding: a small learned head that survives the light.

The colour of the skin in a photo is the skin times the light: warm stage light, a blue studio backdrop that the
camera's white balance compensates, or a haze all move the measured Monk tone by whole bands, and no reference in
the photo (sclera, teeth, the background's grey) fixes that reliably (``docs/skin_cues.md``). A face-recognition
embedding is trained to ignore the light and keep what the face looks like, skin tone included, so a linear head on
it tells the band where the colour cannot; the colour still picks the shade *within* the band.

:class:`SkinBandHead` is an ordinal (cumulative-logit) logistic regression on dlib's 128-D ResNet embedding
(``dlib-resnet128``, the search's embedder): one direction of the embedding scores how dark the skin looks and two
thresholds on it split light | medium | dark, fitted with L-BFGS on class-balanced cross-entropy plus an L2 penalty,
its logits divided by a temperature fitted on person-grouped out-of-fold predictions so that its probabilities are
calibrated. The bands are ordered, and medium is the one between: a multinomial head (``kind="multinomial"``, one
direction per band, the packaged head until 2026-12-06) has to learn medium as a direction of its own from 25
photos, and left one person out it got medium right for 11 of them (the ordinal head: 16; all bands 96 → 98 of
111, and ahead at every L2 from 0.001 to 0.1). The packaged
head (``classifiers/weights/skin_band_head.npz``, model card beside it) was fitted by
``scripts/train_skin_band_head.py`` on the labelled development photos of ``../shared/faces/labels.csv``; the file
keeps that training set (embeddings, bands, person groups — no pixels) so that

- :meth:`SkinBandHead.held_out` can refit without the person a photo belongs to: ``memoji eval --labels`` scores
  the development photos with it, so its figures are out-of-person, never in-sample;
- a user can refit on their own labelled photos (:func:`fit_skin_band_head`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assembler.errors import ModelFileError

__all__ = ["BANDS", "BAND_MONK", "KINDS", "SkinBandHead", "fit_skin_band_head", "fold_weights", "grouped_out_of_fold",
           "load_skin_band_head", "band_of_monk", "softmax", "PACKAGED_HEAD"]

BANDS: tuple[str, ...] = ("light", "medium", "dark")
#: the Monk tones (1..10) of each band, as ``labels.csv`` and ``memoji eval --labels`` read them
BAND_MONK: dict[str, tuple[int, int]] = {"light": (1, 4), "medium": (5, 7), "dark": (8, 10)}
PACKAGED_HEAD = Path(__file__).resolve().parent / "weights" / "skin_band_head.npz"
#: cosine from which an embedding is taken for one of the training photos (the same photo, or it relit: ≥ 0.978
#: measured over 8 relightings; two different people of the development set reach at most 0.94)
SAME_PHOTO_COS = 0.96


def band_of_monk(monk: int) -> str:
    for band, (lo, hi) in BAND_MONK.items():
        if lo <= monk <= hi:
            return band
    raise ValueError(f"Monk tone {monk!r} is not in 1..10")


KINDS = ("ordinal", "multinomial")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown skin-band head kind {kind!r} (one of: {', '.join(KINDS)})")


@dataclass
class SkinBandHead:
    """``p(band | embedding) = softmax(z / temperature)`` over :data:`BANDS`, with per-band logits ``z``:
    ``kind="ordinal"``, the log-probabilities of the cumulative-logit model ``p(band ≤ k) = σ(θ_k − x · w)`` for
    k = light, medium (``weight`` (dim, 1), ``bias`` = the thresholds θ, increasing); ``kind="multinomial"``,
    ``x · W + b`` (``weight`` (dim, 3), ``bias`` (3,)). The temperature calibrates without changing the band."""

    weight: np.ndarray  # (dim, 1) ordinal, (dim, 3) multinomial
    bias: np.ndarray  # (2,) thresholds, or (3,)
    temperature: float = 1.0
    embedder: str = "dlib-resnet128"
    l2: float = 0.01
    # the training set, for held-out refits (may be empty for a head fitted elsewhere)
    train_x: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    train_y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    train_groups: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    source: str = ""
    kind: str = "multinomial"
    _refits: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        _check_kind(self.kind)
        self.weight, self.bias = np.asarray(self.weight), np.asarray(self.bias)
        outputs = (1, 2) if self.kind == "ordinal" else (len(BANDS), len(BANDS))
        if self.weight.ndim != 2 or self.bias.ndim != 1 or (self.weight.shape[1], len(self.bias)) != outputs:
            raise ValueError(f"a {self.kind} skin-band head has weights (dim, {outputs[0]}) and {outputs[1]} biases, "
                             f"got {self.weight.shape} and {self.bias.shape}")

    @property
    def dim(self) -> int:
        return int(self.weight.shape[0])

    def logits(self, embedding) -> np.ndarray:
        """The head's per-band logits over the temperature (see the class)."""
        x = np.asarray(embedding, np.float64).reshape(-1)
        if x.shape[0] != self.dim:
            raise ValueError(f"the skin-band head takes a {self.dim}-D {self.embedder} embedding, got {x.shape[0]}-D")
        return _logits(x, self.weight, self.bias, self.kind) / self.temperature

    def predict_proba(self, embedding) -> dict[str, float]:
        return {b: float(v) for b, v in zip(BANDS, softmax(self.logits(embedding)))}

    def held_out(self, embedding) -> "SkinBandHead":
        """This head, refitted without the person whose training photo ``embedding`` is (cosine ≥
        :data:`SAME_PHOTO_COS`: the photo itself or the photo relit); ``self`` when it is none of them."""
        if not len(self.train_y):
            return self
        x = np.asarray(embedding, np.float64).reshape(-1)
        cos = self.train_x.astype(np.float64) @ (x / max(np.linalg.norm(x), 1e-12))
        i = int(np.argmax(cos))
        if cos[i] < SAME_PHOTO_COS:
            return self
        group = int(self.train_groups[i])
        if group not in self._refits:
            keep = self.train_groups != group
            self._refits[group] = fit_skin_band_head(
                self.train_x[keep], self.train_y[keep], self.train_groups[keep], l2=self.l2,
                temperature=self.temperature, embedder=self.embedder, keep_training_set=False, kind=self.kind)
        return self._refits[group]

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, weight=self.weight.astype(np.float64), bias=self.bias.astype(np.float64),
                            temperature=np.float64(self.temperature), embedder=np.str_(self.embedder),
                            l2=np.float64(self.l2), bands=np.array(BANDS), kind=np.str_(self.kind),
                            train_x=self.train_x.astype(np.float32),
                            train_y=self.train_y.astype(np.int64), train_groups=self.train_groups.astype(np.int64))
        return path


def fit_skin_band_head(x, y, groups=None, *, l2: float = 0.01, temperature: float | None = None,
                       embedder: str = "dlib-resnet128", keep_training_set: bool = True,
                       folds: dict | None = None, kind: str = "ordinal") -> SkinBandHead:
    """Fit the head on unit embeddings ``x`` (n, dim) and band indices ``y`` (0 light, 1 medium, 2 dark).

    Class-balanced cross-entropy + ``l2``·‖W‖², L-BFGS in float64 (deterministic). ``temperature``: None fits it on
    person-grouped out-of-fold logits (``groups``: one id per row, e.g. the person; None = every row its own group),
    a number keeps it. ``folds``: :func:`fold_weights` of the same data, when the caller has them. ``kind``:
    ``"ordinal"`` (the bands in order, one direction and two thresholds) or ``"multinomial"``."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.int64)
    if x.ndim != 2 or len(x) != len(y) or not len(y):
        raise ValueError("fit_skin_band_head needs x of shape (n, dim) and n band indices, n ≥ 1")
    if y.min() < 0 or y.max() >= len(BANDS):
        raise ValueError(f"band indices must be 0..{len(BANDS) - 1} ({', '.join(BANDS)})")
    _check_kind(kind)
    groups = np.arange(len(y)) if groups is None else np.asarray(groups, np.int64)
    w, b = _FITS[kind](x, y, l2)
    if temperature is None:
        oof = grouped_out_of_fold(x, y, groups, l2=l2, logits=True, folds=folds, kind=kind)
        temperature = _fit_temperature(oof, y)
    head = SkinBandHead(weight=w, bias=b, temperature=float(temperature), embedder=embedder, l2=l2, kind=kind)
    if keep_training_set:
        head.train_x, head.train_y, head.train_groups = x.astype(np.float32), y, groups
    return head


def _class_weights(y: np.ndarray):
    """Per-band weights of a class-balanced loss (0 for a band with no rows)."""
    import torch

    k = len(BANDS)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    return torch.tensor(np.where(counts > 0, len(y) / (k * np.maximum(counts, 1)), 0.0))


def _lbfgs(params):
    import torch

    return torch.optim.LBFGS(params, max_iter=500, tolerance_grad=1e-9, tolerance_change=1e-12,
                             line_search_fn="strong_wolfe")


def _fit_ordinal(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative-logit regression: ``w`` (dim, 1) and increasing thresholds (2,)."""
    import torch

    cw = _class_weights(y)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    w = torch.zeros(x.shape[1], 1, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([-0.5, 0.0], dtype=torch.float64, requires_grad=True)  # θ_light, and the gap to θ_medium

    def thresholds():  # increasing by construction: the gap is a softplus
        return torch.stack([t[0], t[0] + torch.nn.functional.softplus(t[1])])

    opt = _lbfgs([w, t])

    def closure():
        opt.zero_grad()
        logp = torch.log(_ordinal_probs_t(thresholds()[None, :] - xt @ w))
        loss = torch.nn.functional.nll_loss(logp, yt, weight=cw) + l2 * (w ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return w.numpy().copy(), thresholds().numpy().copy()


def _ordinal_probs_t(cum):
    """Band probabilities (torch) from cumulative logits (n, 2)."""
    import torch

    c = torch.sigmoid(cum)
    return torch.stack([c[:, 0], c[:, 1] - c[:, 0], 1.0 - c[:, 1]], dim=1).clamp_min(1e-12)


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    import torch

    k = len(BANDS)
    cw = _class_weights(y)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    w = torch.zeros(x.shape[1], k, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    opt = _lbfgs([w, b])

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xt @ w + b, yt, weight=cw) + l2 * (w ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy().copy(), b.detach().numpy().copy()


_FITS = {"ordinal": _fit_ordinal, "multinomial": _fit_logistic}


def _logits(x: np.ndarray, w: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Per-band logits of rows ``x`` at temperature 1: the log-probabilities of the cumulative-logit model
    (ordinal), or ``x · W + b`` (multinomial)."""
    if kind != "ordinal":
        return x @ w + b
    c = 1.0 / (1.0 + np.exp(-(b - x @ w)))  # p(band ≤ light), p(band ≤ medium)
    p = np.stack([c[..., 0], c[..., 1] - c[..., 0], 1.0 - c[..., 1]], axis=-1)
    return np.log(np.maximum(p, 1e-12))


def fold_weights(x, y, groups, *, l2: float = 0.01, kind: str = "ordinal") -> dict:
    """``{group: (W, b)}``: the head fitted without that group, for every group (leave one person out)."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.int64)
    groups = np.asarray(groups)
    return {grp: _FITS[kind](x[groups != grp], y[groups != grp], l2) for grp in np.unique(groups).tolist()}


def grouped_out_of_fold(x, y, groups, *, l2: float = 0.01, logits: bool = False, folds: dict | None = None,
                        kind: str = "ordinal") -> np.ndarray:
    """Each row predicted by a head fitted without its group (leave one person out): (n, 3) probabilities
    (temperature 1), or logits (see :meth:`SkinBandHead.logits`). ``folds``: :func:`fold_weights` already computed
    for the same data and kind."""
    x = np.asarray(x, np.float64)
    groups = np.asarray(groups)
    folds = fold_weights(x, y, groups, l2=l2, kind=kind) if folds is None else folds
    out = np.zeros((len(x), len(BANDS)))
    for grp, (w, b) in folds.items():
        test = groups == grp
        out[test] = _logits(x[test], w, b, kind)
    return out if logits else softmax(out)


def softmax(z) -> np.ndarray:
    """Softmax over the last axis (bands)."""
    z = np.asarray(z, np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the out-of-fold negative log-likelihood (grid over 0.02..5, log-spaced)."""
    best, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.02), np.log(5.0), 240)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


@functools.lru_cache(maxsize=8)
def load_skin_band_head(path: str | None = None) -> SkinBandHead:
    """The head in ``path`` (an ``.npz`` written by :meth:`SkinBandHead.save`), or the packaged one."""
    p = Path(path) if path else PACKAGED_HEAD
    if not p.is_file():
        raise ModelFileError(f"skin-band head not found: {p} (the packaged one is written by "
                             "scripts/train_skin_band_head.py; pass a file written by SkinBandHead.save)")
    try:
        with np.load(p, allow_pickle=False) as z:
            bands = tuple(str(v) for v in z["bands"])
            if bands != BANDS:
                raise ValueError(f"its bands are {bands}, expected {BANDS}")
            kind = str(z["kind"]) if "kind" in z.files else "multinomial"  # heads saved before 2026-12-06
            head = SkinBandHead(weight=z["weight"], bias=z["bias"], temperature=float(z["temperature"]),
                                embedder=str(z["embedder"]), l2=float(z["l2"]), train_x=z["train_x"],
                                train_y=z["train_y"], train_groups=z["train_groups"], source=str(p), kind=kind)
        if not np.all(np.isfinite(head.weight)) or not head.temperature > 0:  # shapes: SkinBandHead checks them
            raise ValueError("its weights are not finite")
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile / KeyError / ValueError: one line naming the file
        raise ModelFileError(f"cannot read skin-band head {p}: {exc}") from None
    return head
