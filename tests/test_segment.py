"""The segmentation stage (assembler.segment) on real public-domain photos, and the hair measurements built on it."""
from __future__ import annotations

import copy
import sys

import cv2
import numpy as np
import pytest

from assembler import analyze
from assembler.errors import MissingDependencyError, ModelFileNotFoundError, UnknownNameError
from assembler.segment import SEGMENTERS, Segmentation, create_segmenter, get_segmenter


@pytest.fixture(scope="module")
def photos(data_dir, astronaut):
    from assembler.io import load_image

    return {"astronaut": astronaut, "obama": load_image(data_dir / "obama.jpg"),
            "biden2": load_image(data_dir / "biden2.jpg")}


@pytest.fixture(scope="module")
def faces(photos):
    return {name: analyze(img, max_faces=1)[0] for name, img in photos.items()}


@pytest.fixture(scope="module")
def segs(photos, faces):
    seg = get_segmenter("pan-skin-hair")
    return {name: seg.segment(photos[name], faces[name]) for name in photos}


def test_registered_backends():
    assert {"pan-skin-hair", "color-heuristic"} <= set(SEGMENTERS.names())


def test_unknown_backend_lists_the_registered_ones():
    with pytest.raises(UnknownNameError) as err:
        create_segmenter("pan-skin-hiar")
    msg = str(err.value)
    assert "unknown segmenter 'pan-skin-hiar'" in msg and "did you mean 'pan-skin-hair'" in msg
    assert "color-heuristic" in msg and "pan-skin-hair" in msg


def test_missing_weight_file_names_the_path(tmp_path, monkeypatch):
    missing = tmp_path / "nope.onnx"
    with pytest.raises(ModelFileNotFoundError) as err:
        create_segmenter("pan-skin-hair", weights=missing)
    assert str(missing) in str(err.value) and "MEMOJI_PAN_WEIGHTS" in str(err.value)
    monkeypatch.setenv("MEMOJI_PAN_WEIGHTS", str(missing))
    with pytest.raises(ModelFileNotFoundError) as err:
        create_segmenter("pan-skin-hair")
    assert str(missing) in str(err.value) and "MEMOJI_PAN_WEIGHTS" in str(err.value)
    monkeypatch.delenv("MEMOJI_PAN_WEIGHTS")
    assert create_segmenter("pan-skin-hair").weights.endswith("pan_mobilenetv3_small_skin_clothes_hair.onnx")


def test_unreadable_weight_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelFileNotFoundError) as err:
        create_segmenter("pan-skin-hair", weights=bad)
    assert str(bad) in str(err.value)


def test_missing_onnxruntime_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails
    with pytest.raises(MissingDependencyError) as err:
        create_segmenter("pan-skin-hair")
    assert "pip install" in str(err.value) and "onnxruntime" in str(err.value)


def test_packaged_model_and_licence_travel_together():
    from assembler.weights import package_file

    model = package_file("assembler", "models", "pan_skin_hair", "pan_mobilenetv3_small_skin_clothes_hair.onnx")
    assert model is not None and model.stat().st_size == 4_093_734
    assert "MIT License" in (model.parent / "LICENSE").read_text()


@pytest.mark.parametrize("name", ["astronaut", "obama", "biden2"])
def test_masks_are_in_photo_coordinates(segs, photos, name):
    seg = segs[name]
    h, w = photos[name].shape[:2]
    for cls in ("skin", "hair", "clothes"):
        p = getattr(seg, cls)
        assert p.shape == (h, w) and p.dtype == np.float32
        assert 0.0 <= p.min() and p.max() <= 1.0
    # the crop is square and not stretched: one scale along both axes
    assert seg.crop_to_photo[0, 0] == pytest.approx(seg.crop_to_photo[1, 1])
    assert seg.crop_to_photo[0, 1] == 0 and seg.crop_to_photo[1, 0] == 0


@pytest.mark.parametrize("name", ["astronaut", "obama", "biden2"])
def test_skin_is_on_the_cheeks(segs, faces, name):
    skin = segs[name].skin
    lm = faces[name].landmarks
    for idx in ((2, 3, 31, 40, 41), (13, 14, 35, 46, 47)):
        x, y = np.round(lm[list(idx)].mean(axis=0)).astype(int)
        assert skin[y, x] > 0.5, (name, idx)


def test_astronaut_hair_is_on_her_head_not_the_background(segs, faces, photos):
    from assembler.measure import estimate_illumination, learned_hair
    from assembler.measure.context import _Ctx

    hair = segs["astronaut"].hair > 0.5
    lm = faces["astronaut"].landmarks
    eye_y = lm[36:48, 1].mean()
    iod = np.linalg.norm(lm[42:48].mean(axis=0) - lm[36:42].mean(axis=0))
    x0, x1 = lm[0, 0], lm[16, 0]
    # the network also calls part of the space suit's neck ring hair; the head-connected mask the measurements use
    # is her hair alone: above the mouth and within a head's width of the face
    face, img = faces["astronaut"], photos["astronaut"]
    learned = learned_hair(img, face, segs["astronaut"], estimate_illumination(img, _Ctx(img, face)))
    seg = segs["astronaut"]
    k = learned["_mask_crop"].shape[0] / seg.size
    ys, xs = np.nonzero(learned["_mask_crop"])
    pts = (np.stack([xs, ys], axis=1) + 0.5) / k - 0.5
    px = pts @ seg.crop_to_photo[:, :2].T + seg.crop_to_photo[:, 2]
    assert len(px) * (seg.crop_to_photo[0, 0] / k) ** 2 > 2 * iod ** 2  # a full head of hair
    near = (px[:, 1] < lm[48:60, 1].mean()) & (px[:, 0] > x0 - 0.8 * iod) & (px[:, 0] < x1 + 0.8 * iod)
    assert near.mean() > 0.9
    # the crown above the forehead is hair; the background beside the head is not
    cx = int((x0 + x1) / 2)
    top = int(lm[17:27, 1].mean() - 0.7 * iod)
    assert hair[top, cx]
    h, w = hair.shape
    beside = hair[: int(eye_y), : max(1, int(x0 - 1.5 * iod))]
    assert beside.mean() < 0.02
    # the skin mask does not take the hair
    assert (segs["astronaut"].skin[hair] > 0.5).mean() < 0.05


def test_color_heuristic_backend_gives_the_same_record(photos, faces):
    seg = create_segmenter("color-heuristic").segment(photos["astronaut"], faces["astronaut"])
    assert isinstance(seg, Segmentation) and seg.backend == "color-heuristic"
    assert seg.clothes is None
    hair = seg.hair > 0.5
    assert hair.shape == photos["astronaut"].shape[:2]
    lm = faces["astronaut"].landmarks
    top = int(lm[17:27, 1].mean() - 0.7 * np.linalg.norm(lm[45] - lm[36]) / 1.3)
    assert hair[: top + 1].sum() > 100  # hair above the forehead


def test_in_frame_matches_in_photo(segs, photos):
    seg = segs["obama"]
    shift = np.array([[0.5, 0, 10.0], [0, 0.5, 20.0]])  # photo -> a half-size frame moved by (10, 20)
    small = seg.in_frame("skin", shift, (200, 300))
    full = seg.skin
    y, x = 150, 120  # frame pixel -> photo pixel ((x - 10) / 0.5, (y - 20) / 0.5) = (220, 260)
    assert small[y, x] == pytest.approx(full[260, 220], abs=0.1)


# -- hair measurements from the learned masks ----------------------------------------------------------------------

def _with_hair(seg: Segmentation, face, bottom_iod_below_chin: float) -> Segmentation:
    """The segmentation with its hair replaced by a drawn head of hair: a cap on the skull plus two curtains
    beside the face that end ``bottom_iod_below_chin`` inter-ocular distances below the chin."""
    out = copy.copy(seg)
    p2c = seg.photo_to_crop()
    lm = face.landmarks @ p2c[:, :2].T + p2c[:, 2]
    iod = np.linalg.norm(lm[42:48].mean(axis=0) - lm[36:42].mean(axis=0))
    eye_y, chin_y = lm[36:48, 1].mean(), lm[8, 1]
    cx = (lm[0, 0] + lm[16, 0]) / 2
    half = (lm[16, 0] - lm[0, 0]) / 2
    hair = np.zeros((seg.size, seg.size), np.uint8)
    cv2.ellipse(hair, (int(cx), int(eye_y)), (int(half + 0.3 * iod), int(2.2 * iod)), 0, 180, 360, 1, -1)
    bottom = int(chin_y + bottom_iod_below_chin * iod)
    for sgn in (-1, 1):
        xa, xb = sorted([int(cx + sgn * half), int(cx + sgn * (half + 0.6 * iod))])
        hair[int(eye_y) - 2:bottom, xa:xb] = 1
    out.probs = dict(seg.probs, hair=hair.astype(np.float32))
    return out


@pytest.mark.parametrize("below,length", [(-1.5, "short"), (0.3, "medium"), (2.5, "long")])
def test_length_class_from_the_mask_against_chin_and_shoulders(segs, faces, photos, below, length):
    from assembler.measure import estimate_illumination, learned_hair
    from assembler.measure.context import _Ctx

    face, img = faces["astronaut"], photos["astronaut"]
    illum = estimate_illumination(img, _Ctx(img, face))
    got = learned_hair(img, face, _with_hair(segs["astronaut"], face, below), illum)
    assert got["plausible"]
    assert got["length"] == length, got
    assert got["below_chin_iod"] == pytest.approx(below, abs=0.3)


def test_hair_far_from_the_head_is_not_counted(segs, faces, photos):
    from assembler.measure import estimate_illumination, learned_hair
    from assembler.measure.context import _Ctx

    face, img = faces["astronaut"], photos["astronaut"]
    seg = _with_hair(segs["astronaut"], face, -1.5)
    hair = seg.probs["hair"].copy()
    hair[-40:, :60] = 1.0  # a dark blob in a corner (a coat, a shadow): not connected to the head
    seg.probs = dict(seg.probs, hair=hair)
    illum = estimate_illumination(img, _Ctx(img, face))
    got = learned_hair(img, face, seg, illum)
    assert got["length"] == "short" and got["near_fraction"] == 1.0


def test_measurements_use_the_learned_masks(faces, photos):
    from assembler.measure import measure_face

    m = measure_face(photos["astronaut"], faces["astronaut"])
    assert m.hair.segmenter == "pan-skin-hair" and m.hair.learned_plausible
    assert m.hair.length in ("short", "medium")  # a short bob: neither bald nor long
    assert m.hair.length_confidence >= 0.8
    assert m.hair.family in ("brown", "blonde")
    old = measure_face(photos["astronaut"], faces["astronaut"], segmenter="color-heuristic")
    assert old.hair.segmenter is None and old.hair.learned is None and old.hair.length_confidence < 0.8
    biden = measure_face(photos["biden2"], faces["biden2"])
    assert biden.hair.family in ("gray", "white")


def test_length_from_the_colour_model_is_flagged_uncertain(faces, photos):
    from assembler.classification import classify
    from assembler.measure import measure_face

    face = copy.copy(faces["astronaut"])
    assert "hair_length_uncertain" not in classify(face).flags  # a plausible learned mask
    face.measurements = measure_face(photos["astronaut"], face, segmenter="color-heuristic")
    face.attributes = None
    assert "hair_length_uncertain" in classify(face).flags
