"""The skin-band head (classifiers/skin_band.py): fitting, saving, held-out refits, and what it changes in an avatar —
the band from the identity embedding, the shade from the colour — on real photos."""
from __future__ import annotations

import numpy as np
import pytest

from assembler.errors import ModelFileError
from classifiers.skin_band import (BAND_MONK, BANDS, PACKAGED_HEAD, SkinBandHead, band_of_monk, fit_skin_band_head,
                                   grouped_out_of_fold, load_skin_band_head)


def _clusters(n_per=12, dim=16, seed=0):
    """Three well separated unit-norm clusters, one per band, every 3 rows one 'person'."""
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 3
    x = np.concatenate([c + rng.normal(0, 0.6, (n_per, dim)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.repeat(np.arange(3), n_per)
    groups = np.arange(len(y)) // 3
    return x, y, groups


def test_fit_predicts_the_bands_and_calibrates():
    x, y, groups = _clusters()
    head = fit_skin_band_head(x, y, groups, embedder="test")
    got = [max(p, key=p.get) for p in map(head.predict_proba, x)]
    assert [BANDS.index(g) for g in got] == y.tolist()
    p = head.predict_proba(x[0])
    assert set(p) == set(BANDS) and abs(sum(p.values()) - 1) < 1e-9
    assert head.temperature > 0
    oof = grouped_out_of_fold(x, y, groups)
    assert (oof.argmax(axis=1) == y).mean() >= 0.9  # separable clusters stay right without their own person


def test_fit_refuses_bad_input():
    with pytest.raises(ValueError, match="band indices"):
        fit_skin_band_head(np.ones((2, 4)), [0, 3])
    with pytest.raises(ValueError, match="shape"):
        fit_skin_band_head(np.ones(4), [0])
    head = fit_skin_band_head(*_clusters()[:2])
    with pytest.raises(ValueError, match="16-D"):
        head.predict_proba(np.ones(8))


def test_save_load_round_trip_and_clear_errors(tmp_path):
    x, y, groups = _clusters()
    head = fit_skin_band_head(x, y, groups, embedder="test")
    path = head.save(tmp_path / "head.npz")
    back = load_skin_band_head(str(path))
    assert back.embedder == "test" and back.temperature == pytest.approx(head.temperature)
    for row in x[:5]:
        assert back.predict_proba(row) == pytest.approx(head.predict_proba(row))
    missing = tmp_path / "nope.npz"
    with pytest.raises(ModelFileError, match="nope.npz"):
        load_skin_band_head(str(missing))
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="broken.npz") as err:
        load_skin_band_head(str(broken))
    assert "\n" not in str(err.value)


def test_held_out_refits_without_the_person():
    x, y, groups = _clusters()
    # one 'person' of the light cluster labelled dark: in-sample the head bends towards them, held out it does not
    y = y.copy()
    y[groups == 0] = 2
    head = fit_skin_band_head(x, y, groups, embedder="test", l2=1e-4)
    held = head.held_out(x[0])
    assert held is not head and len(held.train_y) == 0
    keep = groups != 0
    ref = fit_skin_band_head(x[keep], y[keep], embedder="test", l2=1e-4, temperature=head.temperature)
    assert held.predict_proba(x[0]) == pytest.approx(ref.predict_proba(x[0]))
    assert max(held.predict_proba(x[0]).items(), key=lambda kv: kv[1])[0] == "light"
    # an embedding that is none of the training photos: the head itself
    other = np.ones(x.shape[1]) / np.sqrt(x.shape[1])
    assert head.held_out(other) is head
    assert head.held_out(x[0]) is held  # refits are kept


def _ordered(n=90, dim=16, seed=0):
    """Unit embeddings whose darkness is one direction: bands by two cuts along it, medium the narrow middle."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(-1, 1, n)
    x = np.outer(t, np.eye(dim)[0]) * 2 + rng.normal(0, 0.35, (n, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.digitize(t, [0.1, 0.45])
    return x, y, np.arange(n) // 2


def test_ordinal_head_orders_the_bands():
    """The packaged kind: one direction and two thresholds. Its probabilities sum to one, and walking along the
    direction moves the band from light through medium to dark, never back."""
    x, y, groups = _ordered()
    head = fit_skin_band_head(x, y, groups, embedder="test")
    assert head.kind == "ordinal" and head.weight.shape == (16, 1) and head.bias[0] < head.bias[1]
    walk = [np.eye(16)[0] * s + 0.05 for s in np.linspace(-1, 1, 21)]
    bands = [BANDS.index(max(p, key=p.get)) for p in map(head.predict_proba, walk)]
    assert bands == sorted(bands) and set(bands) == {0, 1, 2}
    for p in map(head.predict_proba, walk):
        assert abs(sum(p.values()) - 1) < 1e-9 and min(p.values()) >= 0


def test_ordinal_head_gets_the_middle_band_right_more_often_than_a_multinomial_one():
    """Medium lies between light and dark and has the fewest photos: left one person out, the ordinal head reads it
    right more often than a multinomial head, and overall it is no worse."""
    x, y, groups = _ordered()
    got = {kind: grouped_out_of_fold(x, y, groups, kind=kind).argmax(axis=1) for kind in ("ordinal", "multinomial")}
    medium = y == 1
    assert (got["ordinal"][medium] == 1).sum() > (got["multinomial"][medium] == 1).sum()
    assert (got["ordinal"] == y).sum() >= (got["multinomial"] == y).sum()


def test_a_head_saved_before_the_kind_was_kept_loads_as_multinomial(tmp_path):
    x, y, groups = _clusters()
    head = fit_skin_band_head(x, y, groups, embedder="test", kind="multinomial")
    path = tmp_path / "old.npz"
    np.savez_compressed(path, weight=head.weight, bias=head.bias, temperature=np.float64(head.temperature),
                        embedder=np.str_("test"), l2=np.float64(head.l2), bands=np.array(BANDS), train_x=x,
                        train_y=y, train_groups=groups)  # no "kind": the format of the first packaged head
    back = load_skin_band_head(str(path))
    assert back.kind == "multinomial"
    assert back.predict_proba(x[0]) == pytest.approx(head.predict_proba(x[0]))
    with pytest.raises(ValueError, match="kind"):
        fit_skin_band_head(x, y, kind="forest")
    # an ordinal head's weights under the default kind: an error, not two probabilities zipped with three bands
    with pytest.raises(ValueError, match=r"multinomial skin-band head has weights \(dim, 3\)"):
        SkinBandHead(weight=np.zeros((16, 1)), bias=np.zeros(2))
    wrong = tmp_path / "wrong.npz"
    np.savez_compressed(wrong, weight=np.zeros((16, 3)), bias=np.zeros(3), temperature=np.float64(1.0),
                        embedder=np.str_("test"), l2=np.float64(0.01), bands=np.array(BANDS), kind=np.str_("ordinal"),
                        train_x=x, train_y=y, train_groups=groups)
    with pytest.raises(ModelFileError, match="wrong.npz.*ordinal skin-band head"):
        load_skin_band_head(str(wrong))


def test_band_of_monk_matches_the_label_bands():
    assert [band_of_monk(m) for m in range(1, 11)] == ["light"] * 4 + ["medium"] * 3 + ["dark"] * 3
    assert BAND_MONK["light"] == (1, 4)
    with pytest.raises(ValueError):
        band_of_monk(11)


# ----------------------------------------------------------------------------------------------- on real photos


def test_packaged_head_is_there_and_reads_dlib_embeddings():
    head = load_skin_band_head()
    assert PACKAGED_HEAD.is_file() and PACKAGED_HEAD.with_suffix(".md").is_file()  # the weights and their card
    assert head.embedder == "dlib-resnet128" and head.dim == 128 and len(head.train_y) >= 100


@pytest.fixture(scope="module")
def astronaut_face(astronaut):
    from assembler.analysis import get_analyzer

    return get_analyzer()(astronaut, max_faces=1)[0]


def test_astronaut_is_light_by_the_head(astronaut_face):
    """Eileen Collins (skimage's astronaut, never in the training set): light skin, drawn Monk 1–4."""
    from assembler.classification import classify

    attrs = classify(astronaut_face)
    assert max(attrs.skin_band_probs, key=attrs.skin_band_probs.get) == "light"
    assert 1 <= attrs.skin_tone <= 4


def test_a_head_that_says_dark_moves_the_tone_into_the_band(tmp_path, astronaut_face, astronaut):
    """The band is the head's, the shade the colour's: a head that says 'dark' puts the drawn tone in Monk 8–10
    and says so in the flags; through make(classifier_weights=...) the recipe's skin follows."""
    from assembler import make
    from assembler.classification import get_classifier

    head = SkinBandHead(weight=np.zeros((128, 3)), bias=np.array([0.0, 0.0, 5.0]))
    path = head.save(tmp_path / "dark.npz")
    colour = get_classifier("measured", skin_head=None).predict(astronaut_face)
    attrs = get_classifier("measured", weights=str(path)).predict(astronaut_face)
    assert colour.skin_band_probs == {} and colour.skin_tone <= 4
    assert attrs.skin_tone == 8 and "skin_band_from_embedding" in attrs.flags  # the nearest tone of the band
    assert attrs.skin_band_probs["dark"] > 0.9
    avatar = make(astronaut, classifier_weights=str(path))
    assert avatar.recipe.colors["skin"] == "monk_08"


def test_stage_light_does_not_darken_light_skin(biden_path):
    """Under a strong warm stage light (tungsten, uncorrected) a light-skinned face stays light: the head refitted
    without this person (held out: these photos are in its training set) gives the band."""
    from assembler.analysis import get_analyzer
    from assembler.classification import classify
    from assembler.evaluation.relighting import relight
    from assembler.io import load_image

    lit = relight(load_image(str(biden_path)), "stage")
    face = get_analyzer()(lit, max_faces=1)[0]
    attrs = classify(face, skin_head="held_out")
    assert max(attrs.skin_band_probs, key=attrs.skin_band_probs.get) == "light"
    assert 1 <= attrs.skin_tone <= 4


def test_packaged_head_refits_from_its_own_training_set():
    """The .npz carries what it was fitted on: refitting from it gives the same weights and temperature (so a
    held-out refit is the same model minus one person, and users can refit with their own photos added)."""
    head = load_skin_band_head()
    again = fit_skin_band_head(head.train_x, head.train_y, head.train_groups, l2=head.l2, kind=head.kind)
    assert again.temperature == pytest.approx(head.temperature, rel=1e-6)
    assert np.allclose(again.weight, head.weight, atol=1e-6) and np.allclose(again.bias, head.bias, atol=1e-6)
