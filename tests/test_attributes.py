"""The measured attribute backend: factory, record contents, CelebA names, low confidence on bad input, CLI."""
from __future__ import annotations

import copy
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from assembler import analyze, classify, create_classifier
from assembler.errors import MemojiError
from classifiers.measured import CELEBA_FROM_MEASURED


@pytest.fixture(scope="module")
def obama(obama_path):
    return analyze(obama_path, max_faces=1)[0]


def test_measured_is_the_default_backend(obama):
    clf = create_classifier()
    assert clf.name == "measured"
    attrs = classify(copy.copy(obama))
    assert attrs.backend == "measured"
    assert 1 <= attrs.skin_tone <= 10 and attrs.skin_hex.startswith("#")
    assert attrs.hair_color is not None and attrs.hair_length in {"bald", "short", "medium", "long"}
    assert set(attrs.facial_hair) == {"stubble", "moustache", "beard", "goatee"}
    assert set(attrs.probs) <= set(CELEBA_FROM_MEASURED)
    assert {"Eyeglasses", "No_Beard", "Mustache", "Goatee", "Bald", "Gray_Hair", "Black_Hair"} <= set(attrs.probs)
    assert all(0.0 <= v <= 1.0 for v in attrs.probs.values())
    assert attrs.probs["Eyeglasses"] < 0.5 and attrs.probs["No_Beard"] > 0.5
    # no quality flags (obama.jpg is large, frontal, in colour); his short hair is missed by the learned mask, so its
    # length comes from the colour model and is flagged uncertain
    assert 0.3 < attrs.confidence <= 1.0 and set(attrs.flags) <= {"hair_length_uncertain"}
    assert "skin Monk" in attrs.summary()


def test_classify_without_measurements_says_what_to_do(obama):
    face = copy.copy(obama)
    face.measurements = None
    with pytest.raises(MemojiError, match="no measurements"):
        classify(face)


def test_small_face_gets_low_confidence_and_flag(obama_path, obama):
    from assembler.io import load_image

    img = load_image(obama_path)
    scale = 50.0 / (obama.box[2] - obama.box[0])  # the face becomes ~50 px wide
    small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    faces = analyze(small, max_faces=1)
    attrs = classify(faces[0])
    assert "small_face" in attrs.flags
    assert attrs.confidence < 0.5 * classify(copy.copy(obama)).confidence
    # probabilities pulled towards 0.5: no confident claims from a 50-pixel face
    assert all(abs(v - 0.5) <= 0.2 for v in attrs.probs.values())


def test_cut_off_face_is_flagged(obama_path, obama):
    from assembler.io import load_image

    img = load_image(obama_path)
    x_mid = int((obama.box[0] + obama.box[2]) / 2 + 0.25 * (obama.box[2] - obama.box[0]))
    cut = np.ascontiguousarray(img[:, :x_mid])
    face = analyze(cut, max_faces=1)[0]
    attrs = classify(face)
    assert "face_cut_off" in attrs.flags
    assert attrs.confidence < classify(copy.copy(obama)).confidence


def test_cli_analyze_prints_attributes(obama_path):
    from assembler.cli import main

    result = CliRunner().invoke(main, ["analyze", str(obama_path)])
    assert result.exit_code == 0, result.output
    assert "[measured]" in result.output and "skin Monk" in result.output


# --- plausibility on the development photos (never committed: read from ../shared/faces, which CI has) ----------

def _attrs(shared_faces, rel):
    return classify(analyze(shared_faces / rel, max_faces=1)[0])


def test_red_hair_stays_red(shared_faces):
    attrs = _attrs(shared_faces, "_singles/cmusatyalab-openface__adams.jpg")
    assert attrs.hair_color in {"auburn", "red", "strawberry_blonde"}, attrs.hair_color
    assert attrs.hair_length in {"medium", "long"}


@pytest.mark.parametrize("rel", ["john_lennon/cmusatyalab-openface__lennon-1.jpg",
                                 "eric_clapton/cmusatyalab-openface__clapton-2.jpg"])
def test_glasses_found(shared_faces, rel):
    assert _attrs(shared_faces, rel).glasses > 0.5


@pytest.mark.parametrize("rel", ["jack_dorsey/serengil-deepface__img16.jpg",
                                 "jack_dorsey/serengil-deepface__img62.jpg"])
def test_beard_found(shared_faces, rel):
    attrs = _attrs(shared_faces, rel)
    assert attrs.probs["No_Beard"] < 0.5 and attrs.facial_hair["beard"] > 0.5


def test_draw_shows_hair_mask_and_skin_patches(obama):
    from assembler.draw import draw_faces
    from assembler.io import load_image

    img = load_image(Path(__file__).parent / "data" / "obama.jpg")
    plain = copy.copy(obama)
    plain.measurements = None
    with_m = np.asarray(draw_faces(img, [obama])).astype(int)
    without = np.asarray(draw_faces(img, [plain])).astype(int)
    changed = np.abs(with_m - without).sum(axis=-1) > 30
    assert changed.sum() > 500  # the overlays are drawn
    # and they sit around the face, not spread over the photo
    ys, xs = np.nonzero(changed)
    x0, y0, x1, y1 = obama.box
    w = x1 - x0
    assert xs.min() > x0 - 1.5 * w and xs.max() < x1 + 1.5 * w


def test_turned_head_lowers_trust(obama):
    from classifiers.measured import reliability

    frontal = copy.copy(obama)
    turned = copy.copy(obama)
    turned.flags = ["not_frontal"]
    turned.yaw = 45.0
    t_frontal, _ = reliability(frontal, obama.measurements)
    t_turned, flags = reliability(turned, obama.measurements)
    assert "not_frontal" in flags and t_turned < 0.5 * t_frontal
    attrs = create_classifier("measured").predict(turned)
    assert attrs.confidence < classify(copy.copy(obama)).confidence
    assert all(abs(v - 0.5) <= 0.25 for v in attrs.probs.values())


def test_uncertain_attributes_are_named_in_the_summary_and_the_recipe():
    from assembler.records import Attributes

    sure = Attributes(backend="measured", skin_tone=3, skin_confidence=0.9, hair_color="black",
                      hair_color_confidence=0.8, facial_hair={"beard": 0.95}, glasses=0.02)
    assert sure.uncertain() == [] and "uncertain" not in sure.summary()
    unsure = Attributes(backend="measured", skin_tone=7, skin_confidence=0.2, hair_color="brown",
                        hair_color_confidence=0.9, facial_hair={"beard": 0.55}, glasses=0.02,
                        flags=["hair_length_uncertain"])
    assert unsure.uncertain() == ["skin", "hair length", "beard"]
    assert "uncertain: skin, hair length, beard" in unsure.summary()


def test_recipe_analysis_lists_the_uncertain_attributes(data_dir):
    import assembler

    recipe = assembler.make(data_dir / "obama.jpg", size=128).recipe
    assert recipe.analysis["uncertain"] == assembler.classify(
        assembler.analyze(data_dir / "obama.jpg", max_faces=1)[0]).uncertain()
