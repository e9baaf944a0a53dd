"""Measured attributes on real public-domain photos (tests/data, astronaut) and synthetic edits of them."""
from __future__ import annotations

import copy
import json

import cv2
import numpy as np
import pytest

from assembler import analyze
from assembler.geometry import warp_to_canonical
from assembler.measure import WORK_SIZE, measure_face
from parts_library import frame
from parts_library.descriptors import DESCRIPTOR_DIMS
from parts_library.palettes import PALETTES


@pytest.fixture(scope="module")
def photos(data_dir, astronaut):
    from assembler.io import load_image

    out = {"astronaut": astronaut}
    for name in ("obama", "obama2", "biden2"):
        out[name] = load_image(data_dir / f"{name}.jpg")
    return out


@pytest.fixture(scope="module")
def faces(photos):
    return {name: analyze(img, max_faces=1)[0] for name, img in photos.items()}


def _remeasure(face, image):
    """The same face (same landmarks) measured on an edited copy of its photo."""
    f = copy.copy(face)
    f.chip = warp_to_canonical(image, face.align_matrix, 512)
    return measure_face(image, f)


def _hair_mask_in_image(face, image):
    m = face.measurements["_hair_mask"].astype(np.uint8)
    s = WORK_SIZE / frame.SIZE
    a = np.vstack([face.align_matrix * s, [0, 0, 1]])
    inv = np.linalg.inv(a)[:2]
    h, w = image.shape[:2]
    return cv2.warpAffine(m, inv, (w, h), flags=cv2.INTER_NEAREST) > 0


def test_measurements_complete_and_json_small(faces):
    face = faces["astronaut"]
    m = face.measurements
    assert set(m["descriptors"]) == set(DESCRIPTOR_DIMS)
    for cat, vec in m["descriptors"].items():
        assert vec.shape == (DESCRIPTOR_DIMS[cat],) and np.isfinite(vec).all(), cat
    assert m["_hair_mask"].shape == (WORK_SIZE, WORK_SIZE) and m["_hair_mask"].dtype == bool
    text = json.dumps(face.to_dict())
    assert len(text) < 30_000  # masks stay out of the JSON
    assert "skin" in json.loads(text)[
        "measurements"] and "_hair_mask" not in text


def test_hair_mask_is_hair_not_face(faces):
    m = faces["astronaut"].measurements
    hair = m["_hair_mask"]
    lm = faces["astronaut"].landmarks_canonical * WORK_SIZE / frame.SIZE
    face_poly = np.zeros_like(hair, np.uint8)
    cv2.fillPoly(face_poly, [np.round(np.vstack([lm[0:17], lm[26:16:-1]])).astype(np.int32)], 1)
    assert hair.sum() > 0.5 * (frame.IOD * WORK_SIZE / frame.SIZE) ** 2
    assert (hair & face_poly.astype(bool)).sum() == 0
    # the crown above the forehead is hair for the astronaut (a full head of hair)
    assert m["hair"]["coverage_crown"] > 0.5
    assert m["hair"]["length"] != "bald"


def test_fringe(faces):
    assert faces["astronaut"].measurements["hair"]["fringe"] > 0.5  # bangs over the forehead
    # (biden2 is left out: its pale upper forehead under white hair is read as hair — a known gap)
    for name in ("obama", "obama2"):
        assert faces[name].measurements["hair"]["fringe"] < 0.5, name


def test_skin_tone_dark_vs_light(faces):
    monk = {n: f.measurements["skin"]["monk"] for n, f in faces.items()}
    assert 6 <= monk["obama"] <= 9 and 6 <= monk["obama2"] <= 9, monk
    assert monk["astronaut"] <= 4 and monk["biden2"] <= 5, monk
    ita = {n: f.measurements["skin"]["ita"] for n, f in faces.items()}
    assert ita["astronaut"] > ita["obama"] and ita["biden2"] > ita["obama2"]


CASTS = ((1, 1, 1), (1.15, 1, 1), (0.85, 1, 1), (1, 1, 1.15), (1, 1, 0.85), (1.15, 1, 0.85), (0.85, 1.15, 1))


def _relit(img, exposure, cast):
    """Exposure and per-channel colour cast applied in linear light (what a camera's exposure and white balance
    change), re-encoded to sRGB with clipping."""
    from assembler.measure import linear_to_srgb, srgb_to_linear

    lin = srgb_to_linear(img) * exposure * np.array(cast, np.float32)
    return (linear_to_srgb(lin) * 255).round().astype(np.uint8)


def _moved(faces, photos, names, exposures):
    moved, total = 0, 0
    for name in names:
        face, img = faces[name], photos[name]
        base = face.measurements["skin"]["monk"]
        for exposure in exposures:
            for cast in CASTS:
                monk = _remeasure(face, _relit(img, exposure, cast))["skin"]["monk"]
                moved += abs(monk - base) > 1
                total += 1
    return moved, total


def test_skin_tone_robust_to_exposure_and_casts(faces, photos):
    # the bar: exposure x0.6..x1.4 and casts of +-15 % per channel move the tone by at most one step in
    # >= 95 % of cases. On the public-domain photos alone, over-exposure clips Obama's brightly lit cheeks, so the
    # full grid is held to 90 % here; `memoji eval --labels --relight` measures the development set.
    names = ("astronaut", "obama", "obama2", "biden2")
    moved, total = _moved(faces, photos, names, (0.6, 0.8))
    assert moved / total <= 0.05, f"{moved}/{total} moved by more than one Monk step (under-exposure)"
    moved_hi, total_hi = _moved(faces, photos, names, (1.2, 1.4))
    assert (moved + moved_hi) / (total + total_hi) <= 0.10, f"{moved + moved_hi}/{total + total_hi} moved"


def test_colour_cast_alone_moves_the_tone_at_most_one_step(faces, photos):
    for name in ("astronaut", "obama", "biden2"):
        base = faces[name].measurements["skin"]["monk"]
        for cast in CASTS[1:]:
            monk = _remeasure(faces[name], _relit(photos[name], 1.0, cast))["skin"]["monk"]
            assert abs(monk - base) <= 1, (name, cast, monk, base)


def _side_lit(face, img, gain):
    """A lamp from one side: the face's half beyond the nose tip (inside the face box) gets ``gain`` of the light."""
    from assembler.measure import linear_to_srgb, srgb_to_linear

    x = int(face.landmarks[30, 0])
    x0, y0, x1, y1 = (int(v) for v in face.box)
    lin = srgb_to_linear(img).copy()
    lin[max(0, y0):y1, x:x1] *= gain
    return (linear_to_srgb(lin) * 255).round().astype(np.uint8)


@pytest.mark.parametrize("name", ["astronaut", "biden2", "obama2"])
def test_side_light_keeps_the_tone_of_the_lit_cheek(faces, photos, name):
    # before the shadowed cheek was left out, the astronaut and Biden (Monk 3) read as Monk 9 under this shadow
    base = faces[name].measurements["skin"]["monk"]
    for gain in (0.1, 0.25):
        skin = _remeasure(faces[name], _side_lit(faces[name], photos[name], gain))["skin"]
        assert skin["patch_shadowed"] == "cheek_right"
        assert abs(skin["monk"] - base) <= 1, (gain, skin["monk"], base)
    assert faces[name].measurements["skin"]["patch_shadowed"] is None  # evenly lit: both cheeks count


@pytest.mark.parametrize("name", ["astronaut", "obama", "obama2", "biden2"])
def test_white_backdrop_does_not_change_the_tone(faces, photos, name):
    # the photo on a wide studio-white backdrop: the scene is 3x brighter, the face is lit as before. Read as
    # over-exposure (or as a blue cast against a typical warm scene), the backdrop turned every face Monk 8.
    img = photos[name]
    pad = int(0.6 * max(img.shape[:2]))
    on_white = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(250, 250, 250))
    measured = analyze(on_white, max_faces=1)[0].measurements
    assert measured["illumination"]["backdrop"] > 0.6
    assert abs(measured["skin"]["monk"] - faces[name].measurements["skin"]["monk"]) <= 1

@pytest.mark.parametrize("target,family", [("#c0281c", "red"), ("#e25b9b", "vivid"), ("#2f5fd0", "vivid"),
                                           ("#2faa50", "vivid")])
def test_recoloured_hair_is_reported(faces, photos, target, family):
    face, img = faces["astronaut"], photos["astronaut"]
    mask = _hair_mask_in_image(face, img)
    rgb = np.array([int(target[i:i + 2], 16) for i in (1, 3, 5)], np.float32)
    lum = img[mask].astype(np.float32).mean(axis=1)
    shade = np.clip(lum / np.median(lum), 0.5, 1.5)[:, None]  # keep the hair's own shading and texture
    edited = img.copy()
    edited[mask] = np.clip(rgb * shade, 0, 255).astype(np.uint8)
    hair = _remeasure(face, edited)["hair"]
    expected = {"#c0281c": {"red", "auburn"}, "#e25b9b": {"pink"}, "#2f5fd0": {"blue"}, "#2faa50": {"green"}}[target]
    assert hair["color"] in expected, (target, hair["color"], hair["lab"])
    assert PALETTES["hair"][hair["color"]].family == family


@pytest.mark.parametrize("name", ["astronaut", "obama2", "biden2"])
def test_grayscale_photo_gives_achromatic_hair(faces, photos, name):
    gray = cv2.cvtColor(cv2.cvtColor(photos[name], cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    m = _remeasure(faces[name], gray)
    assert m["illumination"]["grayscale"]
    color = m["hair"]["color"]
    if name == "astronaut":
        assert color is not None
    # never a colour name in a black-and-white photo (white hair on a gray face may go unnamed: no hue to tell)
    assert color is None or PALETTES["hair"][color].family in {"black", "gray", "white"}
    assert m["skin"]["confidence"] <= 0.2


def test_clean_shaven_and_synthetic_beard(faces, photos):
    for name in ("obama", "biden2", "astronaut"):
        fh = faces[name].measurements["facial_hair"]
        assert fh["beard"] < 0.5 and fh["moustache"] < 0.5, (name, fh)
    # paint a dark, textured beard over Biden's jaw, chin and upper lip
    face, img = faces["biden2"], photos["biden2"].copy()
    lm = face.landmarks
    poly = np.vstack([lm[2:15], lm[[35, 33, 31]]]).astype(np.int32)
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [poly], 1)
    mouth = np.zeros_like(mask)
    cv2.fillPoly(mouth, [lm[48:60].astype(np.int32)], 1)
    mask = mask.astype(bool) & ~mouth.astype(bool)
    rng = np.random.default_rng(0)
    noise = rng.uniform(0.5, 1.5, size=(mask.sum(), 1))
    img[mask] = np.clip(np.array([55, 42, 35]) * noise, 0, 255).astype(np.uint8)
    fh = _remeasure(face, img)["facial_hair"]
    assert fh["beard"] > 0.5 and fh["moustache"] > 0.5, fh


def test_no_glasses_and_synthetic_glasses(faces, photos):
    for name in ("obama", "obama2", "biden2", "astronaut"):
        assert faces[name].measurements["glasses"]["probability"] < 0.5, name
    face, img = faces["obama2"], photos["obama2"].copy()
    lm = face.landmarks
    iod = float(np.linalg.norm(lm[36:42].mean(0) - lm[42:48].mean(0)))
    t = max(2, int(0.04 * iod))
    for eye in (lm[36:42], lm[42:48]):
        c = eye.mean(axis=0)
        cv2.ellipse(img, (int(c[0]), int(c[1])), (int(0.42 * iod), int(0.3 * iod)), 0, 0, 360, (15, 15, 15), t)
    a = lm[36:42].mean(0) + [0.42 * iod, 0]
    b = lm[42:48].mean(0) - [0.42 * iod, 0]
    cv2.line(img, (int(a[0]), int(a[1] - 0.05 * iod)), (int(b[0]), int(b[1] - 0.05 * iod)), (15, 15, 15), t)
    assert _remeasure(face, img)["glasses"]["probability"] > 0.5


def test_face_without_measurable_hair_region_is_flagged(faces, photos):
    """Crop the photo just above the brows: no crown is left in the frame. The measurement says it saw none of the
    crown (and no hair there), and the attributes carry the hair_out_of_frame flag, which the uncropped photo lacks."""
    from assembler.classification import classify

    face, img = faces["obama"], photos["obama"]
    assert face.measurements["hair"]["crown_seen"] > 0.9
    assert "hair_out_of_frame" not in classify(face).flags
    top = int(face.landmarks[17:27, 1].min() - 0.1 * (face.box[3] - face.box[1]))
    f = analyze(np.ascontiguousarray(img[top:]), max_faces=1)[0]
    assert f.measurements["valid_fraction"] < 0.75 <= face.measurements["valid_fraction"]
    assert f.measurements["hair"]["crown_seen"] == 0.0 and f.measurements["hair"]["coverage_crown"] == 0.0
    assert "hair_out_of_frame" in classify(f).flags


def test_skin_painted_crown_reads_as_bald(faces, photos):
    face, img = faces["biden2"], photos["biden2"]
    assert face.measurements["hair"]["bald"] < 0.5
    # paint the detected hair above the brows with the cheek's colour: a shaved crown
    mask = cv2.dilate(_hair_mask_in_image(face, img).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    mask[int(face.landmarks[17:27, 1].min()):] = False
    lm = face.landmarks
    c = lm[[2, 3, 31, 40, 41]].mean(axis=0).astype(int)
    r = int(0.1 * np.linalg.norm(lm[36] - lm[45]))
    skin = np.median(img[c[1] - r:c[1] + r, c[0] - r:c[0] + r].reshape(-1, 3), axis=0)
    edited = img.copy()
    noise = np.random.default_rng(0).uniform(0.9, 1.05, (mask.sum(), 1))
    edited[mask] = np.clip(skin * noise, 0, 255).astype(np.uint8)
    hair = _remeasure(face, edited)["hair"]
    assert hair["bald"] > 0.5 and hair["length"] == "bald", hair


def test_measurements_are_deterministic(faces, photos):
    face, img = faces["astronaut"], photos["astronaut"]
    a, b = measure_face(img, face), measure_face(img, face)
    for cat in a["descriptors"]:
        assert np.array_equal(a["descriptors"][cat], b["descriptors"][cat]), cat
    assert np.array_equal(a["_hair_mask"], b["_hair_mask"])
    assert a["skin"]["monk"] == b["skin"]["monk"] and a["hair"]["color"] == b["hair"]["color"]


def test_astronauts_ash_blonde_hair_is_not_named_grey(faces):
    """Her hair has a clear yellow hue (chroma ~24): grey's swatch has no hue, so a hue-weighted match once found it
    nearest and the demo drew a grey-haired woman."""
    hair = faces["astronaut"].measurements["hair"]
    assert PALETTES["hair"][hair["color"]].family in {"blonde", "brown"}, hair["color"]


def test_hair_naming_uses_the_skin_as_lightness_reference():
    """A dull mid-grey reading (L* 40) is grey hair next to skin of about its lightness, but dark hair lifted by shine
    or exposure next to much lighter skin; chromatic colours are never grey."""
    from assembler.measure import hair_color_name

    dull = np.array([40.0, 0.5, 2.0])
    assert hair_color_name(dull, skin_l=55.0)[1] == "gray"
    assert hair_color_name(dull, skin_l=90.0)[1] == "black"
    assert hair_color_name(np.array([47.0, 0.0, 24.0]))[1] not in {"gray", "white"}
    assert hair_color_name(np.array([80.0, 0.0, 2.0]), skin_l=75.0)[1] in {"gray", "white"}  # white hair stays


def _shared_photo(shared_faces, name: str):
    """The development photo of ``../shared/faces`` whose file name ends with ``name`` (``"D000594"``, ``"carell"``)."""
    return next(p for p in shared_faces.rglob("*") if p.stem.endswith(name) and p.suffix in (".jpg", ".jpeg", ".png"))


def _lab_lch(L: float, C: float, hue: float) -> np.ndarray:
    return np.array([L, C * np.cos(np.radians(hue)), C * np.sin(np.radians(hue))])


@pytest.mark.parametrize("name, length", [("J000309", "buzz"), ("D000032", "buzz"), ("V000131", "buzz"),
                                          ("B001314", "short"), ("V000136", "short"), ("R000305", "short")])
def test_buzz_cut_is_measured_and_drawn_as_a_buzz(shared_faces, name, length):
    """Close-cropped hair hugs the skull: no hair stands off it, so it is a buzz cut (the search draws a buzz part);
    short hair that stands off the skull, even a little, stays short. Four labelled buzz cuts were drawn as side
    parts and undercuts."""
    from assembler.avatar import make
    from parts_library import load_library

    path = _shared_photo(shared_faces, name)
    avatar = make(path, seed=0)
    hair_measure = avatar.face.measurements.hair
    assert hair_measure.length == length, (name, hair_measure.volume)
    hair = load_library().get(avatar.recipe.parts["hair"], "hair")
    assert ("buzz" in hair.tags) is (length == "buzz"), (name, hair.id, hair.tags)


@pytest.mark.parametrize("light", ["warm", "stage"])
def test_hair_pulled_back_under_warm_light_is_not_a_buzz(shared_faces, light):
    """Warm and stage light shrink the colour model's hair mask of a woman's hair pulled back tight until nothing
    stands off her skull; the learned segmenter still sees a full head of hair, so it is not drawn as a buzz cut."""
    from PIL import Image

    from assembler.analysis import analyze
    from assembler.evaluation.relighting import relight
    from PIL import Image

    rgb = np.asarray(Image.open(_shared_photo(shared_faces, "C001132")).convert("RGB"))
    hair = analyze(relight(rgb, light), max_faces=1)[0].measurements.hair
    assert hair.length in ("short", "medium", "tied"), (light, hair.length, hair.volume)


@pytest.mark.parametrize("name, length", [("M001159", "short"), ("L000590", "short"), ("F000462", "short"),
                                          ("S001226", "medium"), ("W000187", "medium"), ("B001318", "medium")])
def test_hair_ending_above_the_jaw_corners_is_short(shared_faces, name, length):
    """Short hair ends above the jaw's corners, medium hair reaches them: three labelled short cuts that end between
    the ear lobes and the jaw's corners were measured medium against a fixed line 0.8 IOD above the chin."""
    from assembler.analysis import analyze

    path = _shared_photo(shared_faces, name)
    hair = analyze(path, max_faces=1)[0].measurements.hair
    assert hair.length == length, (name, hair.length_below_chin_iod)


@pytest.mark.parametrize("name, lengths", [("C001101", {"medium", "long"}), ("clapton-2", {"medium"}),
                                           ("alex-lacamoire", {"medium"}), ("S000185", {"short", "buzz"})])
def test_hair_framing_the_face_counts_when_its_top_is_missed(shared_faces, name, lengths):
    """The learned segmenter misses light grey hair on top of the head (C001101's long silver hair, Clapton's backlit
    ash hair), and the mask was then set aside for the colour model's, which drew a buzz cut and short cuts. Hair seen
    hanging beside both temples makes the mask count; a short grey cut whose top is missed is still short."""
    from assembler.analysis import analyze

    hair = analyze(_shared_photo(shared_faces, name), max_faces=1)[0].measurements.hair
    assert hair.length in lengths, (name, hair.length, hair.learned)
    assert hair.learned_plausible is (name != "S000185"), (name, hair.learned)


@pytest.mark.parametrize("name, bald", [("D000096", False), ("C000537", False), ("B001223", True), ("A000376", True),
                                        ("V000135", True)])
def test_grey_hair_the_segmenter_misses_is_not_a_bald_head(shared_faces, name, bald):
    """Short grey hair on dark skin escapes the learned segmenter's hair class and is as smooth as skin at portrait
    size, so two grey-haired men were drawn bald; it is not the blue backdrop either. Shaved and bald heads, whose
    crown beyond the skin is the backdrop, stay bald."""
    from assembler.analysis import analyze
    from assembler.evaluation.colours import hair_family

    hair = analyze(_shared_photo(shared_faces, name), max_faces=1)[0].measurements.hair
    assert (hair.length == "bald") is bald, (name, hair.length, hair.bald, hair.crown_unexplained)
    if not bald:
        assert hair_family(hair.color) == "gray", (name, hair.color)


@pytest.mark.parametrize("name, texture", [("C001101", "straight"), ("S001196", "straight"), ("R000606", "curly"),
                                           ("alex_lacamoire1", "curly"), ("U000040", "coily"), ("C000537", "coily")])
def test_hair_texture_is_measured_on_real_photos(shared_faces, name, texture):
    """At the 256 px working size every head of hair read straight (43 % of the labelled textures right); read on the
    512 px chip, long straight hair is straight, curls curly, an afro and a short coily crop coily."""
    from assembler.analysis import analyze
    from parts_library.vocabulary import texture_of_curl

    hair = analyze(_shared_photo(shared_faces, name), max_faces=1)[0].measurements.hair
    assert hair.curl is not None and texture_of_curl(hair.curl) == texture, (name, hair.curl)


@pytest.mark.parametrize("name, light, family", [("obama1", "haze", "black"), ("obama3", "stage", "black"),
                                                  ("recognition__biden", "stage", "gray")])
def test_hair_colour_survives_a_veil_and_a_strong_stage_light(shared_faces, name, light, family):
    """A veil of flat light (haze, flare) lifts every black: black hair read grey in 46 of 48 labelled photos; the
    veil is now measured from the photo's darkest pixels and subtracted first (a photo whose blacks are black keeps
    none). A strong uncorrected 3200 K stage light needs more than the 0.5–2 gains once allowed (black hair read
    brown, white hair blonde)."""
    from assembler.analysis import analyze
    from assembler.evaluation.colours import hair_family
    from assembler.evaluation.relighting import relight
    from PIL import Image

    rgb = np.asarray(Image.open(_shared_photo(shared_faces, name)).convert("RGB"))
    m = analyze(relight(rgb, light), max_faces=1)[0].measurements
    assert hair_family(m.hair.color) == family, (name, light, m.hair.color, m.illumination.veil)
    if light == "haze":  # the relighting adds 0.15 to every linear channel; 0.02 of it is taken as no veil
        assert np.allclose(m.illumination.veil, 0.13, atol=0.01)
        assert not np.any(analyze(rgb, max_faces=1)[0].measurements.illumination.veil)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("channels", [2, 3])
def test_channel_norm_gives_numpys_values(dtype, channels):
    """The measures' colour distances (hair and skin masks, bald crowns) are computed channel by channel for speed;
    every threshold on them (ΔE < 10, < 14 …) must see the very values np.linalg.norm gives, bit for bit."""
    from assembler.measure.context import channel_norm

    diff = (np.random.default_rng(channels).standard_normal((64, 80, channels)) * 30).astype(dtype)
    got = channel_norm(diff)
    assert got.dtype == dtype and np.array_equal(got, np.linalg.norm(diff, axis=-1))


def test_platinum_blonde_on_fair_skin_is_blonde_not_grey():
    """Platinum and ash blonde over fair skin are faint and light like the skin, so they passed for skin and were
    named grey (two labelled portraits); they are clearly yellower than the skin. A colour of the skin's own hue
    there is still never named blonde (a bald crown, a high forehead)."""
    from assembler.measure import hair_color_name

    skin = _lab_lch(75.0, 13.0, 69.0)
    assert hair_color_name(_lab_lch(70.6, 10.1, 83.3), skin_l=75.0, skin_lab=skin)[1] == "blonde"
    skin = _lab_lch(70.0, 19.0, 51.0)
    assert hair_color_name(_lab_lch(56.0, 15.0, 80.0), skin_l=70.0, skin_lab=skin)[1] == "blonde"
    assert hair_color_name(_lab_lch(58.0, 15.0, 55.0), skin_l=70.0, skin_lab=skin)[1] != "blonde"


def test_dark_warm_brown_is_brown_and_neutral_black_stays_black():
    """Dark brown hair with a reddish hue (hue ≈ 40°, where no swatch lies) was named soft black: the hue-weighted
    distance favours the swatch with the least chroma. A warm colour with clear chroma is brown however dark; black
    hair (at most C* ≈ 8 once the light is removed) and a bluish cast on it stay black."""
    from assembler.measure import hair_color_name

    assert hair_color_name(_lab_lch(16.8, 21.9, 41.0), skin_l=86.7)[1] == "brown"  # M001159, labelled brown
    assert hair_color_name(_lab_lch(23.1, 10.1, 38.0), skin_l=78.9)[1] == "brown"  # B001314, labelled brown
    assert hair_color_name(_lab_lch(10.3, 7.7, 33.0), skin_l=85.0)[1] == "black"  # R000606, labelled black
    assert hair_color_name(_lab_lch(19.3, 10.6, -74.0), skin_l=83.2)[1] == "black"  # L000602: a blue cast


def test_dark_blonde_under_studio_light_is_blonde_and_light_brown_stays_brown():
    """Blonde hair is told from brown by its lightness against the skin. The thresholds sat at the darkest blondes of
    the studio portraits, so two heads of dark blonde hair on fair skin were drawn light brown (T000482: L* 45.9 on
    skin of 83.7; W000797: 44.0 on 76.9); they now sit midway between those and the lightest brown (L* 35.8 on 76.6)."""
    from assembler.measure import hair_color_name

    assert hair_color_name(_lab_lch(45.9, 23.3, 60.0), skin_l=83.7)[1] == "blonde"  # T000482, labelled blond
    assert hair_color_name(_lab_lch(44.0, 24.9, 56.0), skin_l=76.9)[1] == "blonde"  # W000797, labelled blond
    assert hair_color_name(_lab_lch(35.8, 23.1, 57.0), skin_l=76.6)[1] == "brown"  # Lennon, labelled brown
    assert hair_color_name(_lab_lch(34.4, 23.9, 52.0), skin_l=76.6)[1] == "brown"  # S001216, labelled brown
    assert hair_color_name(_lab_lch(40.1, 23.0, 55.0), skin_l=88.6)[1] == "brown"  # dark against very fair skin


@pytest.mark.parametrize("L, C, hue, skin_l", [(45.9, 23.3, 60.0, 83.7), (55.2, 23.7, 68.0, 80.3),
                                               (56.8, 23.1, 65.0, 82.2), (44.0, 24.9, 56.0, 76.9),
                                               (48.7, 26.4, 63.0, 87.2)])
def test_golden_blonde_is_not_drawn_strawberry(L, C, hue, skin_l):
    """Five labelled blondes (T000482, H001093, F000470, W000797, M001208) were drawn with the strawberry-blonde
    swatch, which renders copper: their avatars read as redheads. Golden blonde gets a blonde swatch; the swatch is
    kept for a reddish light colour."""
    from assembler.measure import hair_color_name, hair_family_probs

    name, family, _ = hair_color_name(_lab_lch(L, C, hue), skin_l=skin_l)
    assert family == "blonde" and name != "strawberry_blonde", name
    assert max(hair_family_probs(_lab_lch(L, C, hue), skin_l=skin_l).items(), key=lambda kv: kv[1])[0] == "blonde"


def test_a_reddish_light_colour_can_still_be_strawberry_blonde():
    from assembler.measure import hair_color_name

    assert hair_color_name(_lab_lch(60.0, 23.0, 42.0), skin_l=80.0)[0] == "strawberry_blonde"  # light, reddish
    assert hair_color_name(_lab_lch(64.0, 33.0, 52.0))[0] == "strawberry_blonde"  # no skin to judge it against


def test_chestnut_brown_is_brown_and_dark_auburn_is_red():
    """A dark colour at a reddish hue is auburn only when it is clearly chromatic: W000187's chestnut brown (C* 18 at
    hue 40°; the auburn swatch has 42) was drawn auburn, while the least chromatic red head of the labelled photos
    measures C* 25.8 at 44°."""
    from assembler.measure import hair_color_name

    assert hair_color_name(_lab_lch(25.3, 18.2, 40.0), skin_l=64.2)[1] == "brown"  # W000187, labelled brown
    assert hair_color_name(_lab_lch(29.8, 25.8, 44.0), skin_l=65.4)[1] == "red"  # Amy Adams, labelled red
    assert hair_color_name(_lab_lch(27.0, 23.0, 35.0), skin_l=80.0)[1] == "red"


@pytest.mark.parametrize("name", ["T000482", "W000797", "S001209"])
def test_dark_blonde_hair_on_real_portraits_is_drawn_blonde(shared_faces, name):
    """Honey and dark blonde hair in studio light was drawn light brown (two of the labelled portraits)."""
    from assembler.avatar import make
    from parts_library.palettes import PALETTES

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    assert PALETTES["hair"][avatar.recipe.colors["hair"]].family == "blonde", (name, avatar.recipe.colors)


def test_a_buzz_cut_coloured_like_its_scalp_is_dark_hair():
    """A buzz cut shows its scalp between the hairs: J000309's black buzz on dark skin under warm light measured a
    colour at the skin's own hue and chroma and was named auburn. Named as a buzz, it is black; a white buzz (its own
    hue) and a ginger one (far more saturated than the skin) keep their colours, and so does the same colour on hair
    that is not a buzz."""
    from assembler.measure import hair_color_name

    dark_skin, light_skin = _lab_lch(57.9, 22.6, 46.0), _lab_lch(75.0, 20.0, 55.0)
    scalp = _lab_lch(34.2, 20.7, 44.0)  # J000309, labelled black
    assert hair_color_name(scalp, skin_l=57.9, skin_lab=dark_skin, buzz=True)[1] == "black"
    assert hair_color_name(scalp, skin_l=57.9, skin_lab=dark_skin)[1] == "red"  # not a buzz: its own colour
    white = _lab_lch(66.4, 13.6, 37.0)  # J000288, labelled white, on skin of hue 51
    assert hair_color_name(white, skin_l=70.7, skin_lab=_lab_lch(70.7, 35.5, 51.0), buzz=True)[1] in ("gray", "white")
    ginger = _lab_lch(45.0, 35.0, 50.0)
    assert hair_color_name(ginger, skin_l=75.0, skin_lab=light_skin, buzz=True)[1] == "red"


@pytest.mark.parametrize("name, family", [("M001159", "brown"), ("B001314", "brown"), ("W000808", "black"),
                                          ("R000606", "black"), ("J000309", "black"), ("D000032", "black")])
def test_dark_brown_and_black_hair_on_real_photos(shared_faces, name, family):
    """Two dark brown heads of hair (labelled brown) were drawn soft black; two black ones stay black, and so do two
    black buzz cuts on dark skin (J000309's scalp made it auburn)."""
    from assembler.avatar import make
    from parts_library.palettes import PALETTES

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    assert PALETTES["hair"][avatar.recipe.colors["hair"]].family == family, (name, avatar.recipe.colors)


def test_hair_model_grows_from_the_seed_to_hair_of_another_shade(faces, photos):
    """Paint the astronaut's hair outside the seed band at the top of the head a lighter, warmer shade of her hair
    colour (sun-lit ends): the mask still covers it, so the hair's length and volume do not collapse to the seed."""
    face, img = faces["astronaut"], photos["astronaut"]
    mask = _hair_mask_in_image(face, img)
    lm = face.landmarks
    brow_y = lm[17:27, 1].mean()
    lower = mask.copy()
    lower[: int(brow_y), :] = False  # the hair beside the face, below the brows
    assert lower.sum() > 500
    edited = img.astype(np.float32)
    edited[lower] = np.clip(edited[lower] * 1.35 + [18, 10, 0], 0, 255)
    hair = _remeasure(face, edited.astype(np.uint8))["hair"]
    before = face.measurements["hair"]
    assert hair["area_iod2"] >= 0.8 * before["area_iod2"], (hair["area_iod2"], before["area_iod2"])



@pytest.mark.parametrize("lowered", [True, False])
def test_chandelier_behind_a_short_haired_head_is_not_read_as_hair(data_dir, monkeypatch, lowered):
    """obama3.jpg: a full-length White House photo; his short dark hair ends below the usual seed band, where a
    chandelier hangs behind the head. The hair is his, not the chandelier's platinum, and he is not bald. With the
    seed never lowered (``lowered=False``) the chandelier is taken for the hair: the photo is a real test."""
    import assembler.measure.hair_region as hair_region

    if not lowered:
        monkeypatch.setattr(hair_region, "_SEED_DROP", 10.0)  # no grown hair is that high: never lowered
    hair = analyze(data_dir / "obama3.jpg", max_faces=1)[0].measurements["hair"]
    dark_and_present = hair["family"] in ("black", "brown") and hair["length"] != "bald"
    assert dark_and_present == lowered, hair


def _iris_discs(face) -> list[tuple[np.ndarray, float]]:
    lm = face.landmarks
    return [(lm[a:a + 6].mean(axis=0), 0.2 * float(np.linalg.norm(lm[a + 3] - lm[a]))) for a in (36, 42)]


def test_brown_eyes_keep_the_default_and_a_blue_iris_is_reported(faces, photos):
    face, img = faces["obama2"], photos["obama2"]
    assert face.measurements["eye_color"] is None  # brown: the search draws the tone's default brown
    assert face.measurements["eyes"]["color"] in ("brown", "dark_brown", "hazel")
    edited = img.copy()
    rng = np.random.default_rng(0)
    for centre, r in _iris_discs(face):
        disc = np.zeros(img.shape[:2], np.uint8)
        cv2.circle(disc, (int(round(centre[0])), int(round(centre[1]))), max(2, int(round(r))), 1, -1)
        sel = disc.astype(bool)
        edited[sel] = np.clip(np.array([70, 115, 170]) * rng.uniform(0.8, 1.2, (sel.sum(), 1)), 0, 255)
    assert _remeasure(face, edited)["eye_color"] in ("blue", "light_blue", "gray")


def test_skin_coloured_texture_on_the_upper_lip_is_not_a_moustache(faces, photos):
    # an open smile's creases and lip line are textured but keep the skin's colour; hair of any colour does not
    face, img = faces["obama"], photos["obama"]
    assert face.measurements["facial_hair"]["moustache"] < 0.5
    lm = face.landmarks
    poly = np.vstack([lm[31:36] + [0, 2], lm[[54, 53, 52, 51, 50, 49, 48]] - [0, 1]]).astype(np.int32)
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [poly], 1)
    sel = mask.astype(bool)
    c = lm[[2, 3, 31, 40, 41]].mean(axis=0).astype(int)
    r = int(0.1 * np.linalg.norm(lm[36] - lm[45]))
    skin = np.median(img[c[1] - r:c[1] + r, c[0] - r:c[0] + r].reshape(-1, 3), axis=0)
    stripes = np.where((np.indices(img.shape[:2])[1] // 2) % 2 == 0, 1.15, 0.87)[sel][:, None]
    edited = img.copy()
    edited[sel] = np.clip(skin * stripes, 0, 255).astype(np.uint8)
    fh = _remeasure(face, edited)["facial_hair"]
    assert fh["features"]["moustache"]["texture"] > 4.0  # more textured than most moustaches ...
    assert fh["moustache"] < 0.5, fh  # ... but not one


def test_measurements_are_typed_records_and_plain_json(faces):
    from assembler.measure import FacialHairMeasure, HairMeasure, Measurements, SkinMeasure

    face = faces["obama"]
    m = face.measurements
    assert isinstance(m, Measurements) and isinstance(m.skin, SkinMeasure) and isinstance(m.hair, HairMeasure)
    assert isinstance(m.facial_hair, FacialHairMeasure)
    assert m.skin.monk == m["skin"]["monk"] and m.hair.length == m["hair"]["length"]  # one value, two spellings
    assert 0.0 <= m.glasses.confidence <= 1.0 and 0.0 <= m.facial_hair.confidence <= 1.0
    assert m._hair_mask is m["_hair_mask"] and "_hair_mask" not in list(m)  # arrays are fields, not keys
    out = json.loads(json.dumps(face.to_dict()))["measurements"]
    assert out["skin"]["monk"] == m.skin.monk and "_mask" not in out["skin"] and "_regions" not in out["facial_hair"]
    with pytest.raises(TypeError, match="no field"):
        SkinMeasure.from_values({"monk": 3, "mnok": 4})  # a misspelt measure is an error, not a silent extra key


@pytest.mark.parametrize("name, bearded", [("D000594", False), ("T000193", True), ("carell", True)])
def test_jaw_shadow_is_not_a_chinstrap(shared_faces, name, bearded):
    """A woman's warm jaw shadow (darker than the cheek, as chromatic as the skin, no moustache) was drawn as a
    strawberry-blonde chinstrap; a white beard without a measured moustache and an auburn full beard stay beards."""
    from assembler.analysis import analyze

    path = _shared_photo(shared_faces, name)
    fh = analyze(path, max_faces=1)[0].measurements.facial_hair
    assert (fh.beard >= 0.5) is bearded, (name, fh.beard, fh.moustache)


@pytest.mark.parametrize("name, family", [("C001132", "brown"), ("carell", "brown"), ("alex-lacamoire", "black"),
                                          ("V000135", "gray")])
def test_a_full_beard_is_drawn_with_its_moustache_in_the_hair_colour(shared_faces, name, family):
    """Full beards (beard and moustache both seen) were drawn as a thin chinstrap line with the upper lip bare, and
    dark beards as auburn (skin between the hairs, under warm light): a full beard is drawn with its moustache, in
    the hair's colour family — a white beard keeps its own colour, on a bald head the fringe's too."""
    from assembler.avatar import make
    from parts_library import load_library
    from parts_library.palettes import PALETTES

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    part = load_library().get(avatar.recipe.parts["facial_hair"], "facial_hair")
    assert {"beard", "moustache"} <= set(part.tags), (name, part.id)
    assert PALETTES["hair"][avatar.recipe.colors["facial_hair"]].family == family, (name, avatar.recipe.colors)


@pytest.mark.parametrize("name, zones", [("B001314", {"beard", "moustache"}), ("H001052", {"beard", "moustache"}),
                                         ("N000189", {"beard", "moustache"}), ("L000603", {"goatee", "moustache"})])
def test_beards_are_not_drawn_as_a_moustache_alone_or_a_chinstrap(shared_faces, name, zones):
    """Full beards whose jaw or upper lip measured just under sure were drawn as a handlebar moustache (H001052,
    N000189, L000603) or a chinstrap line (B001314): the lip, the chin and the jaw that were seen are drawn."""
    from assembler.avatar import make
    from parts_library import load_library

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    part = load_library().get(avatar.recipe.parts["facial_hair"], "facial_hair")
    assert zones <= set(part.tags), (name, part.id)


@pytest.mark.parametrize("name", ["S000929", "insightface__d5", "Aaron_Peirsol_0004"])
def test_full_heads_of_hair_are_not_drawn_thinning(shared_faces, name):
    """A woman with her hair pulled back, Robert Downey Jr. and a young swimmer (a tight crop) were drawn with balding
    or receding cuts: their thinning measured 0.32-0.42, most of it the pull of an uncertain photo towards 0.5."""
    from assembler.avatar import make
    from parts_library import load_library

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    part = load_library().get(avatar.recipe.parts["hair"], "hair")
    assert not set(part.tags) & {"balding", "receding"}, (name, part.id)


@pytest.mark.parametrize("name", ["W000822", "V000136", "S001159"])
def test_smiling_portraits_are_drawn_smiling(shared_faces, name):
    """Three portraits smiling with their teeth or lips were drawn with a downturned or pouting mouth."""
    from assembler.avatar import make
    from parts_library import load_library

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    mouth = load_library().get(avatar.recipe.parts["mouth"], "mouth")
    assert "smile" in mouth.tags, (name, mouth.id)


@pytest.mark.parametrize("name, heavy", [("F000470", True), ("H001094", True), ("S001159", True),
                                         ("K000394", False)])
def test_glasses_are_drawn_as_heavy_as_their_frames(shared_faces, name, heavy):
    """Heavy dark frames were drawn as rimless glasses, which vanish at a glance, and fine wire frames as bold ones:
    the drawn frame follows the measured rim strength."""
    from assembler.avatar import make
    from assembler.search import LIGHT_FRAME_TAGS
    from parts_library import load_library

    avatar = make(_shared_photo(shared_faces, name), seed=0)
    part = load_library().get(avatar.recipe.parts["glasses"], "glasses")
    assert (not set(part.tags) & LIGHT_FRAME_TAGS) is heavy, (name, part.id, avatar.face.measurements.glasses.rim)


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("name", ["V000135", "T000482", "S001218", "C001135"])
def test_heavy_jpeg_compression_puts_no_glasses_on_a_bare_face(shared_faces, name):
    """JPEG at quality 30 flattens the skin inside its 8-px blocks while the block edges still cross the bridge of the
    nose: measured against that flattened skin, these four faces without glasses read 0.9-1.0 (press photos are often
    compressed this hard). The skin's texture now has a floor proportional to its grey level."""
    from assembler.io import load_image

    rgb = load_image(_shared_photo(shared_faces, name))
    face = analyze(_jpeg(rgb, 30), max_faces=1)[0]
    assert face.measurements.glasses.probability < 0.5, (name, face.measurements.glasses.bridge)


@pytest.mark.parametrize("name", ["U000040", "C000537"])
def test_glasses_are_found_in_an_underexposed_photo(shared_faces, name):
    """At 0.3 of the light the frames' edges and the skin's texture both fall to 0.3: their ratio, which decides, must
    not. An absolute floor under the skin's texture (4 grey levels) missed both pairs of glasses."""
    from assembler.io import load_image

    rgb = load_image(_shared_photo(shared_faces, name))
    dim = np.clip(rgb.astype(np.float32) * 0.3, 0, 255).astype(np.uint8)
    assert analyze(dim, max_faces=1)[0].measurements.glasses.probability > 0.5, name
