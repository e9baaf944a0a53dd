"""The analyze stage on real photos: detection, 68 landmarks, alignment, identity embedding, EXIF, groups."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from assembler import analyze
from parts_library import frame


def test_astronaut_one_face_landmarks_inside_box_unit_embedding(astronaut):
    faces = analyze(astronaut)
    assert len(faces) == 1
    face = faces[0]
    assert face.score > 0.95
    assert face.landmarks.shape == (68, 2)
    x0, y0, x1, y1 = face.box
    pad = 0.1 * (x1 - x0)
    inside = ((face.landmarks[:, 0] > x0 - pad) & (face.landmarks[:, 0] < x1 + pad)
              & (face.landmarks[:, 1] > y0 - pad) & (face.landmarks[:, 1] < y1 + pad))
    assert inside.all()
    assert face.embedding.shape == (128,)
    assert abs(np.linalg.norm(face.embedding) - 1.0) < 1e-5
    assert face.embedder == "dlib-resnet128"
    assert not face.flags


@pytest.mark.parametrize("name", ["obama.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg"])
def test_public_domain_photos_one_aligned_face(data_dir, name):
    faces = analyze(data_dir / name)
    assert len(faces) == 1
    face = faces[0]
    # alignment puts the eyes where the canonical frame says, within a few canonical pixels
    left, right = frame.eye_centres(face.landmarks_canonical)
    assert np.allclose(left, [frame.CENTER_X - frame.IOD / 2, frame.EYE_Y], atol=12)
    assert np.allclose(right, [frame.CENTER_X + frame.IOD / 2, frame.EYE_Y], atol=12)
    assert face.chip.shape == (512, 512, 3) and face.chip.dtype == np.uint8
    assert face.image_size == Image.open(data_dir / name).size


def test_same_person_closer_than_different_people(data_dir):
    emb = {n: analyze(data_dir / f"{n}.jpg")[0].embedding for n in ["obama", "obama2", "biden", "biden2"]}
    same = [emb["obama"] @ emb["obama2"], emb["biden"] @ emb["biden2"]]
    different = [emb[a] @ emb[b] for a in ("obama", "obama2") for b in ("biden", "biden2")]
    assert min(same) > max(different)


def test_path_pil_and_array_inputs_agree(obama_path):
    from_path = analyze(obama_path)[0]
    pil = Image.open(obama_path)
    from_pil = analyze(pil)[0]
    from_array = analyze(np.asarray(pil.convert("RGB")))[0]
    assert np.allclose(from_path.landmarks, from_pil.landmarks)
    assert np.allclose(from_path.landmarks, from_array.landmarks)
    assert from_path.source == str(obama_path) and from_array.source is None


def _with_exif_orientation(img: Image.Image, orientation: int, transpose) -> bytes:
    stored = img.transpose(transpose)  # what a camera stores; the tag says how to turn it upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize("orientation,transpose", [(6, Image.Transpose.ROTATE_90), (3, Image.Transpose.ROTATE_180),
                                                   (8, Image.Transpose.ROTATE_270)])
def test_exif_rotated_photo_gives_same_landmarks(tmp_path, biden_path, orientation, transpose):
    upright = Image.open(biden_path).convert("RGB")
    buf = io.BytesIO()
    upright.save(buf, "JPEG", quality=95)
    (tmp_path / "upright.jpg").write_bytes(buf.getvalue())
    (tmp_path / "rotated.jpg").write_bytes(_with_exif_orientation(upright, orientation, transpose))
    a = analyze(tmp_path / "upright.jpg")[0]
    b = analyze(tmp_path / "rotated.jpg")[0]
    assert b.image_size == upright.size
    # a few pixels on a 465 px wide face (the rotated copy went through JPEG once more; dlib's shape predictor
    # moves a point or two with the detector box): mean under 1 %, worst under 2.5 % of the face width
    err = np.linalg.norm(a.landmarks - b.landmarks, axis=1)
    width = a.box[2] - a.box[0]
    assert err.mean() < 0.01 * width and err.max() < 0.025 * width


def test_group_photo_faces_ordered_by_size(data_dir):
    big = Image.open(data_dir / "obama2.jpg").convert("RGB")
    small = Image.open(data_dir / "biden2.jpg").convert("RGB")
    small = small.resize((small.width // 2, small.height // 2))
    canvas = Image.new("RGB", (big.width + small.width, max(big.height, small.height)), (200, 200, 200))
    canvas.paste(small, (0, 0))
    canvas.paste(big, (small.width, 0))
    faces = analyze(canvas)
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].box[0] > small.width  # the larger face is Obama's, on the right
    assert [f.index for f in faces] == [0, 1]
    assert len(analyze(canvas, max_faces=1)) == 1


def test_largest_face_only_uses_a_coarse_pass_that_finds_the_same_face(data_dir):
    """max_faces=1 (what make() asks) detects at ≤ 640 px first: the same largest face and nearly the same landmarks
    as the full-resolution pass; a face too small for the coarse pass is still found (at 1280 px)."""
    big = Image.open(data_dir / "obama2.jpg").convert("RGB")
    big = big.resize((big.width * 2, big.height * 2), Image.Resampling.BICUBIC)
    full = analyze(big)[0]
    coarse = analyze(big, max_faces=1)[0]
    width = full.box[2] - full.box[0]
    err = np.linalg.norm(coarse.landmarks - full.landmarks, axis=1)
    assert err.mean() < 0.01 * width
    # a small face in a wide frame: below the coarse pass's 120 px minimum, found again at 1280 px
    face = Image.open(data_dir / "biden2.jpg").convert("RGB")
    face = face.resize((face.width // 4, face.height // 4))
    canvas = Image.new("RGB", (1800, 1000), (200, 200, 200))
    canvas.paste(face, (900, 400))
    found = analyze(canvas, max_faces=1)
    assert len(found) == 1 and 900 <= found[0].box[0] <= 900 + face.width


def test_large_photo_is_downscaled_for_detection_but_coordinates_stay_original(obama_path):
    img = Image.open(obama_path).convert("RGB")
    big = img.resize((img.width * 3, img.height * 3), Image.Resampling.BICUBIC)  # 2730x3411, > max_side
    a = analyze(img)[0]
    b = analyze(big)[0]
    assert b.image_size == big.size
    err = np.linalg.norm(b.landmarks / 3 - a.landmarks, axis=1)
    width = a.box[2] - a.box[0]
    assert err.mean() < 0.01 * width and err.max() < 0.025 * width


def test_rgba_png_is_flattened(tmp_path, obama_path):
    rgba = Image.open(obama_path).convert("RGBA")
    alpha = Image.new("L", rgba.size, 255)
    alpha.paste(0, (0, rgba.height - 100, rgba.width, rgba.height))  # transparent strip at the bottom
    rgba.putalpha(alpha)
    rgba.save(tmp_path / "rgba.png")
    assert len(analyze(tmp_path / "rgba.png")) == 1


def test_cut_off_face_is_flagged(obama_path):
    """A face cut by the photo's left or top edge is still found, and flagged face_cut_off (its box reaches
    past that edge); the whole photo is not flagged."""
    img = Image.open(obama_path).convert("RGB")
    whole = analyze(img, max_faces=1)[0]
    assert "face_cut_off" not in whole.flags
    x0, y0, x1, y1 = whole.box
    w, h = x1 - x0, y1 - y0
    crops = {"left": (int(x0 + 0.3 * w), 0, img.width, img.height),
             "top": (0, int(y0 + 0.2 * h), img.width, img.height)}
    for side, box in crops.items():
        cut = img.crop(box)
        face = analyze(cut, max_faces=1)[0]
        assert "face_cut_off" in face.flags, side
        past = {"left": face.box[0] < 0, "top": face.box[1] < 0}
        assert past[side], (side, face.box)


def test_face_record_serialises_without_pixels(astronaut):
    import json

    face = analyze(astronaut)[0]
    d = face.to_dict()
    assert "chip" not in d
    text = json.dumps(d)
    assert len(d["landmarks"]) == 68 and len(d["embedding"]) == 128
    assert len(text) < 50_000


def test_fine_detail_of_a_large_photo_is_averaged_into_the_chip_not_aliased():
    """Hair strands finer than the chip's pixels must average (cv2.warpAffine alone samples every third pixel here and
    draws the 1-px stripes as black or white)."""
    from assembler.geometry import warp_to_canonical

    stripes = np.dstack([(np.indices((900, 900)).sum(axis=0) % 2 * 255).astype(np.uint8)] * 3)
    photo_to_canonical = np.array([[2 / 3, 0, 0], [0, 2 / 3, 0]])  # 3 photo pixels per pixel of a 512 chip
    chip = warp_to_canonical(stripes, photo_to_canonical, 512)[:250, :250].astype(float)
    assert abs(chip.mean() - 127.5) < 3 and chip.std() < 10
