"""The identity model: a linear model of a render's identity embedding that lets the search score every combination of
parts without rendering. Fitting, persistence, staleness, and that the shipped model predicts real dlib embeddings of
avatars it never saw."""
from __future__ import annotations

import numpy as np
import pytest

from index import IdentityModel
from index.identity import packaged_identity_dir, save_reference, load_reference, spec_features
from index.parts import StaleIndexError
from index.random_spec import random_spec
from parts_library import load_library


@pytest.fixture(scope="module")
def library():
    return load_library()


def _synthetic(library, n, seed=0, dim=16):
    """Specs and embeddings from a known additive model (+ noise)."""
    import zlib

    rng = np.random.default_rng(seed + 99)
    cats = list(library.categories)

    def truth(key):  # the same vector for a choice in every call
        return np.random.default_rng(zlib.crc32(key.encode())).normal(0, 0.2, dim)

    specs, embs = [], []
    for i in range(n):
        spec = random_spec(np.random.default_rng([seed, i]), library)
        keys, vals = spec_features(spec, cats)
        v = np.full(dim, 0.5)
        for k in keys:
            v = v + truth(k)
        for k, x in vals.items():
            v = v + x * truth(k)
        v = v + rng.normal(0, 0.01, dim)
        specs.append(spec)
        embs.append(v / np.linalg.norm(v))
    return specs, np.array(embs), cats


def test_fit_recovers_an_additive_model_and_reports_held_out_quality(library):
    specs, embs, cats = _synthetic(library, 1500)
    model = IdentityModel.fit(specs, embs, cats, meta={"manifest_hash": "h", "embedder": "e"})
    test_specs, test_embs, _ = _synthetic(library, 60, seed=7)
    pred = np.stack([model.predict(s) for s in test_specs])
    assert np.mean(np.sum(pred * test_embs, 1)) > 0.98
    assert model.meta["holdout"]["n_test"] == 150 and model.meta["holdout"]["r2_centred"] > 0.8
    assert model.meta["n"] == 1500 and model.dim == 16
    # an unseen choice contributes nothing instead of failing
    odd = {**test_specs[0], "colors": {**test_specs[0]["colors"], "hair": "no_such_colour"}}
    assert np.isfinite(model.predict(odd)).all()


def test_save_load_round_trip_and_staleness(library, tmp_path):
    specs, embs, cats = _synthetic(library, 200)
    model = IdentityModel.fit(specs, embs, cats, meta={"manifest_hash": "abc", "embedder": "dlib-resnet128"})
    model.save(tmp_path)
    back = IdentityModel.load(tmp_path, expect={"manifest_hash": "abc"})
    for s in specs[:5]:
        assert np.array_equal(back.predict(s), model.predict(s))
    with pytest.raises(StaleIndexError, match="memoji index build --avatars N"):
        IdentityModel.load(tmp_path, expect={"manifest_hash": "other"})
    with pytest.raises(FileNotFoundError, match="memoji index build --avatars N"):
        IdentityModel.load(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no identity model for this parts library"):
        IdentityModel.open("other", "dlib-resnet128", directories=[tmp_path])
    save_reference(tmp_path, embs[:10], embedder="dlib-resnet128")
    opened = IdentityModel.open("abc", "dlib-resnet128", directories=[tmp_path])
    assert np.allclose(opened.reference, embs[:10].mean(0), atol=1e-6)
    with pytest.raises(FileNotFoundError, match="not 'other'"):
        load_reference(tmp_path, "other")


def test_shipped_model_matches_the_parts_library(library):
    model = IdentityModel.load(packaged_identity_dir(), expect={"manifest_hash": library.manifest_hash,
                                                                  "embedder": "dlib-resnet128"})
    assert model.meta["n"] >= 4000
    ref = load_reference(packaged_identity_dir(), "dlib-resnet128")
    assert ref.shape == (128,)
    opened = IdentityModel.open(library.manifest_hash, "dlib-resnet128")
    assert opened.reference is not None
    # it has learned the placement the search fits, the face outline included
    for feature in ("params.face.scale", "params.face.stretch", "params.mouth.dy", "params.eyes.scale"):
        assert np.linalg.norm(model.row(feature)) > 0, feature


def test_shipped_model_predicts_real_embeddings_of_unseen_avatars(library, obama_path):
    """Render avatars the model never saw, embed them with dlib, and compare with the prediction: what the search
    relies on is the *ranking* of avatars by centred similarity to a photo."""
    from scipy.stats import spearmanr

    from assembler import analyze
    from assembler.search import IdentityScorer, identity_target

    model = IdentityModel.open(library.manifest_hash, "dlib-resnet128")
    scorer = IdentityScorer(centre=model.mean)
    target = identity_target(analyze(obama_path, max_faces=1)[0].embedding, model.reference)
    specs = [random_spec(np.random.default_rng([12345, i]), library) for i in range(24)]
    real = np.array([scorer(s, target) for s in specs])
    pred = []
    for s in specs:
        v = model.raw(s) - model.mean
        pred.append(float(v @ target / np.linalg.norm(v)))
    rho = spearmanr(pred, real)[0]
    assert rho > 0.4, f"predicted and rendered identity similarity disagree (Spearman {rho:.2f})"
