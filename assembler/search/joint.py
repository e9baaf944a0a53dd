"""The joint search: every category's allowed candidates scored by descriptor and soft attribute agreement, whole
combinations ranked with the learned identity model by deterministic coordinate ascent, then (optionally) rendered
identity moves. :func:`choose_recipe` serves every method of :data:`METHODS`."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..recipe import Recipe
from .baselines import attributes_recipe, greedy_recipe, random_recipe
from .candidates import SEARCH_ORDER, alternatives, candidates, library_and_index
from .colours import colors_from_attributes
from .constraints import soft_agreement
from .evidence import Evidence
from .identity import IdentityScorer, default_identity, identity_model, identity_target
from .placement import FIT_SLICES, fit_face, fit_params

__all__ = ["choose_recipe", "check_method", "SearchConfig", "METHODS", "warm_up"]

METHODS = ("search", "attributes", "greedy", "random")


@dataclass
class SearchConfig:
    top_k: int = 4  # runner-up candidates per category tried by render-based moves
    n_alternatives: int = 5  # recorded in the recipe
    w_desc: float = 1.0
    w_attr: float = 0.5
    w_id: float = 32.0  # weight of the centred identity cosine (chosen on the dev photos: 24–100 is a plateau)
    fit: bool = True  # size the face outline, eyes, brows, nose and mouth like the photo's landmarks (params)
    identity_model: bool = True  # score every allowed combination with the learned identity model (no rendering)
    sweeps: int = 4  # coordinate-ascent passes over the categories with the identity model
    max_evals: int | None = None  # rendered identity evaluations after that; None: 0 with the model, else 4
    time_budget: float | None = None  # seconds; a safety cap (makes results machine-dependent when it bites)
    seed: int = 0  # the random baseline's draw
    greedy_colours: str = "identity"  # the greedy baseline's colours: by identity (published) or "measured" (ablation)


def check_method(method: str) -> None:
    """Raise the one-line :class:`~assembler.errors.UnknownNameError` (with "did you mean") for a method that is not
    one of :data:`METHODS`."""
    from ..errors import UnknownNameError, did_you_mean

    if method not in METHODS:
        raise UnknownNameError(f"unknown method '{method}'{did_you_mean(method, METHODS)} (methods: {', '.join(METHODS)})")


def warm_up() -> None:
    """Load the parts library, its FAISS index and the identity model now (e.g. in a batch worker before its first
    row) rather than inside the first search."""
    library_and_index()
    identity_model()


def _model_ascent(model, cands, local, current, categories, spec_of, target, cfg,
                  landmarks: np.ndarray | None = None) -> tuple[dict, float, int]:
    """Coordinate ascent over every allowed candidate of every category, identity predicted by ``model``:
    ``Σ local + w_id · cos(predicted − mean avatar, target)``. Deterministic: categories in SEARCH_ORDER, ties to
    the earlier (better-ranked) candidate. Returns the selection, its predicted centred cosine and the passes made.
    With ``landmarks`` each face option is scored with its own fitted outline (:func:`fit_face`); the other
    placement params stay those of the starting selection."""
    from index.identity import part_feature

    cur = dict(current)
    v = model.raw(spec_of(cur)) - model.mean
    w_scale, w_stretch = model.row("params.face.scale"), model.row("params.face.stretch")

    def option_row(c: str, o: str | None) -> np.ndarray:
        r = model.row(part_feature(c, o))
        if c == "face" and landmarks is not None and o is not None:
            fit = fit_face(o, landmarks)
            r = r + (fit["scale"] - 1.0) * w_scale + (fit["stretch"] - 1.0) * w_stretch
        return r

    def cos(vecs):
        return vecs @ target / np.maximum(np.linalg.norm(vecs, axis=-1), 1e-12)

    in_model = set(model.categories)
    order = [c for c in SEARCH_ORDER if c in cands and c in in_model] + \
            [c for c in categories if c not in SEARCH_ORDER and c in cands and c in in_model]
    passes = 0
    for passes in range(1, cfg.sweeps + 1):
        changed = False
        for c in order:
            opts = [pid for pid, _ in cands[c]]
            if len(opts) < 2:
                continue
            rows = np.stack([option_row(c, o) for o in opts])
            vs = v - option_row(c, cur[c]) + rows
            gain = np.array([local[c][o] for o in opts]) + cfg.w_id * cos(vs)
            j = int(np.argmax(gain))
            if opts[j] != cur[c] and gain[j] > local[c][cur[c]] + cfg.w_id * float(cos(v)) + 1e-9:
                cur[c], v, changed = opts[j], vs[j], True
        if not changed:
            break
    return cur, float(cos(v)), passes


def choose_recipe(ev: Evidence, method: str = "search", config: SearchConfig | None = None,
                  identity: IdentityScorer | Callable[[dict, np.ndarray], float] | None = None) -> Recipe:
    """Choose parts and colours for the evidence with one of :data:`METHODS`.

    ``identity``: a rendered-identity scorer ``(spec, target) -> similarity`` for the render-based moves (default: an
    :class:`IdentityScorer` on dlib's ResNet, centred on the identity model's mean avatar)."""
    check_method(method)
    cfg = config or SearchConfig()
    lib, idx = library_and_index()
    categories = list(lib.categories)
    t_start = time.perf_counter()
    attrs = ev.attributes
    measurements = ev.faces[0].measurements if ev.faces else None
    analysis = {
        "n_photos": len(ev.faces),
        "sources": [f.source for f in ev.faces],
        "attributes": attrs.to_dict(),
        "flags": sorted({fl for f in ev.faces for fl in f.flags}),
        "uncertain": attrs.uncertain(),
    }

    if method == "random":
        return random_recipe(lib, categories, analysis, cfg.seed)
    colors = colors_from_attributes(attrs, measurements)
    if method == "greedy":
        return greedy_recipe(ev, lib, categories, colors, identity, analysis, cfg.greedy_colours)
    cands = {cat: candidates(cat, ev, lib, idx) for cat in categories}
    if method == "attributes":
        return attributes_recipe(cands, lib, idx, attrs, colors, analysis, cfg.n_alternatives)

    # -- full method: descriptor + attribute agreement, identity from the learned model, then rendered moves -------
    def part_score(cat: str, pid: str | None, desc_agree: float) -> float:
        part = lib.get(pid) if pid else None
        return cfg.w_desc * desc_agree + cfg.w_attr * soft_agreement(cat, part, attrs)

    current = {cat: (cands[cat][0][0] if cands[cat] else None) for cat in categories}
    local = {cat: {pid: part_score(cat, pid, a) for pid, a in cands[cat]} for cat in categories}

    fitted: dict[str, dict] = {}

    def spec_of(sel: dict[str, str | None]) -> dict:
        spec = {"parts": dict(sel), "colors": colors, "params": {}}
        if cfg.fit and ev.landmarks is not None:
            # fit_params reads the parts of FIT_SLICES and the face
            key = repr(sorted((k, v) for k, v in sel.items() if k in FIT_SLICES or k == "face"))
            if key not in fitted:
                fitted[key] = fit_params(spec, ev.landmarks)
            spec["params"] = fitted[key]
        return spec

    def total(sel: dict[str, str | None], id_sim: float | None) -> float:
        s = sum(local[c].get(sel[c], 0.0) for c in categories)
        return s + (cfg.w_id * id_sim if id_sim is not None else 0.0)

    use_identity = ev.embedding is not None and cfg.w_id > 0
    model = identity_model() if use_identity and cfg.identity_model else None
    reference = getattr(model, "reference", None)
    target = identity_target(ev.embedding, reference) if use_identity else None
    id_now, passes, predicted = None, 0, None
    if model is not None:
        current, predicted, passes = _model_ascent(model, cands, local, current, categories, spec_of, target, cfg,
                                                   ev.landmarks if cfg.fit else None)
        id_now = predicted
    max_evals = cfg.max_evals if cfg.max_evals is not None else (0 if model is not None else 4)
    evals = 0
    if use_identity and max_evals > 0:
        if identity is None:
            identity = default_identity(None if model is None else tuple(model.mean.tolist()))
        if hasattr(identity, "reset"):
            identity.reset()
        id_now = identity(spec_of(current), target)
        evals = 1
    best = total(current, id_now)
    if use_identity and evals:
        # coordinate moves, best-first: each category's runner-up candidates in the order their local score ranks them
        moves = []
        for cat in SEARCH_ORDER:
            if cat in cands:
                for pid, _ in [c for c in cands[cat] if c[0] != current[cat]][: cfg.top_k - 1]:
                    gap = local[cat][current[cat]] - local[cat][pid]
                    moves.append((gap, SEARCH_ORDER.index(cat), cat, pid))
        moves.sort(key=lambda m: (m[0], m[1], str(m[3])))
        for gap, _, cat, pid in moves:
            if evals >= max_evals:
                break
            if cfg.time_budget is not None and time.perf_counter() - t_start > cfg.time_budget:
                break
            if current[cat] == pid:
                continue
            trial = dict(current)
            trial[cat] = pid
            sim = identity(spec_of(trial), target)
            evals += 1
            s = total(trial, sim)
            if s > best:
                current, best, id_now = trial, s, sim
    scores = {
        "total": round(best, 4),
        "identity": None if id_now is None else round(id_now, 4),
        "identity_source": "render" if evals else ("model" if model is not None else None),
        "descriptor": {c: round(local[c].get(current[c], 0.0), 4) for c in categories},
        "evaluations": evals,
        "model_passes": passes,
        "weights": {"desc": cfg.w_desc, "attr": cfg.w_attr, "id": cfg.w_id},
    }
    return Recipe(parts=current, colors=colors, params=spec_of(current)["params"], analysis=analysis, method=method,
                  alternatives=alternatives(cands, cfg.n_alternatives), scores=scores)
