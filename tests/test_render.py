"""The renderer: determinism, landmarks, params, colours, errors, external resources, and the CLI."""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import parts_library
from assembler.cli import main
from assembler.errors import UnknownNameError
from parts_library import frame
from parts_library.renderer import SpecError, rasterize

SPEC = {
    "parts": {"face": "face_round_01", "ears": "ears_medium_01", "eyes": "eyes_round_02", "brows": "brows_arched_01",
              "nose": "nose_button_01", "mouth": "mouth_smile_01", "hair": "long_wavy_01",
              "glasses": "glasses_round_01", "facial_hair": None},
    "colors": {"skin": "monk_03", "hair": "auburn", "eyes": "green", "clothes": "teal"},
}


@pytest.fixture(scope="module")
def png():
    return parts_library.render(SPEC, size=256)


def test_render_is_byte_identical_and_rgba(png):
    again = parts_library.render(json.loads(json.dumps(SPEC)), size=256)
    assert again.data == png.data
    img = png.image
    assert img.mode == "RGBA" and img.size == (256, 256)
    a = np.asarray(img)
    assert a[0, 0, 3] == 0  # transparent background by default
    assert a[128, 128, 3] == 255  # the face is opaque


def test_recipe_objects_with_to_dict_render_the_same(png):
    class Recipe:
        def to_dict(self):
            return dict(SPEC, scores={"identity": 0.5}, alternatives={})

    assert parts_library.render(Recipe(), size=256).data == png.data


def test_landmarks_follow_the_parts_and_the_output_size(png):
    lm = png.landmarks
    assert lm.shape == (68, 2)
    lib = parts_library.load_library()
    jaw = np.asarray(lib.get("face_round_01").anchors["jaw"]) * 256 / frame.SIZE
    np.testing.assert_allclose(lm[0:17], jaw)
    left, right = lm[36:42].mean(0), lm[42:48].mean(0)
    np.testing.assert_allclose(right - left, [frame.IOD * 256 / 1024, 0], atol=0.5)
    big = parts_library.render(SPEC, size=512, fmt="svg")
    np.testing.assert_allclose(big.landmarks, lm * 2)


def test_the_skin_colour_is_where_the_landmarks_say_the_face_is(png):
    a = np.asarray(png.image).astype(float)
    x, y = png.landmarks[30].round().astype(int)  # nose bridge bottom: skin
    skin = np.array([int(parts_library.palettes.PALETTES["skin"]["monk_03"].hex[i:i + 2], 16) for i in (1, 3, 5)])
    fx, fy = ((png.landmarks[21] + png.landmarks[22]) / 2 - [0, 40 * 256 / 1024]).round().astype(int)  # forehead
    assert np.abs(a[fy, fx, :3] - skin).max() < 45
    assert a[y, x, 3] == 255


def test_params_move_a_part_and_its_landmarks(png):
    moved = parts_library.render(dict(SPEC, params={"mouth": {"dy": 20.0}}), size=256)
    assert moved.data != png.data
    np.testing.assert_allclose(moved.landmarks[48:68] - png.landmarks[48:68], [[0, 5.0]] * 20, atol=1e-6)
    np.testing.assert_allclose(moved.landmarks[:48], png.landmarks[:48])
    a0, a1 = np.asarray(png.image).astype(int), np.asarray(moved.image).astype(int)
    rows = np.nonzero(np.abs(a1 - a0).sum(axis=(1, 2)))[0]
    assert rows.min() * 4 > 540 and rows.max() * 4 < 760  # only the mouth region changed
    bigger = parts_library.render(dict(SPEC, params={"eyes": {"scale": 1.2}}), size=256).landmarks
    w0 = png.landmarks[39, 0] - png.landmarks[36, 0]
    assert bigger[39, 0] - bigger[36, 0] == pytest.approx(1.2 * w0)  # each eye is bigger ...
    np.testing.assert_allclose(bigger[36:42].mean(0), png.landmarks[36:42].mean(0), atol=1e-6)  # ... in place
    np.testing.assert_allclose(bigger[42:48].mean(0), png.landmarks[42:48].mean(0), atol=1e-6)
    with pytest.raises(SpecError, match="scale must be 0.5..2"):
        parts_library.render(dict(SPEC, params={"mouth": {"scale": 9}}), size=64)
    with pytest.raises(UnknownNameError, match="unknown mouth parameter 'size'"):
        parts_library.render(dict(SPEC, params={"mouth": {"size": 1}}), size=64)


def test_face_outline_params_widen_and_lengthen_the_face_and_the_hair_follows(png):
    """``face: {scale, stretch}`` sets the outline's width and length about the crown: the jaw landmarks move, the
    hair and ears widen with the face, the eyes (the canonical frame) and the crown stay put."""
    lm0 = png.landmarks
    wide = parts_library.render(dict(SPEC, params={"face": {"scale": 1.1}}), size=256)
    long_ = parts_library.render(dict(SPEC, params={"face": {"stretch": 1.12}}), size=256)
    w0 = lm0[16, 0] - lm0[0, 0]
    assert wide.landmarks[16, 0] - wide.landmarks[0, 0] == pytest.approx(1.1 * w0)
    np.testing.assert_allclose(wide.landmarks[17:], lm0[17:], atol=1e-6)  # only the jaw moved
    assert long_.landmarks[8, 1] > lm0[8, 1] + 3  # the chin drops ...
    assert long_.landmarks[16, 0] - long_.landmarks[0, 0] == pytest.approx(w0)  # ... the width stays

    def columns(res):  # horizontal extent of everything drawn in the temple band (hair, ears, face)
        a = np.asarray(res.image)[80:110, :, 3]
        xs = np.nonzero(a.max(axis=0) > 128)[0]
        return xs.max() - xs.min()

    assert columns(wide) > columns(png) + 4  # the hair widened with the face
    with pytest.raises(SpecError, match="stretch 0.7..1.4"):
        parts_library.render(dict(SPEC, params={"face": {"stretch": 2.0}}), size=64)


def test_colours_apply_to_their_slots():
    def mean_rgb(colors, box):
        r = parts_library.render(dict(SPEC, colors=colors), size=128)
        x0, y0, x1, y1 = box
        return np.asarray(r.image)[y0:y1, x0:x1, :3].reshape(-1, 3).mean(0)

    top = (54, 10, 74, 16)  # the crown of the hair
    green = mean_rgb({"hair": "green"}, top)
    pink = mean_rgb({"hair": "pink"}, top)
    assert green[1] > green[0] and pink[0] > pink[1]
    hexed = mean_rgb({"hair": "#2040e0"}, top)
    assert hexed[2] > hexed[0] + 40
    shirt = (20, 118, 36, 126)
    assert mean_rgb({"clothes": "coral"}, shirt)[0] > mean_rgb({"clothes": "navy"}, shirt)[0] + 60


def test_brows_and_facial_hair_default_to_the_hair_colour():
    from parts_library.renderer import resolve_colors

    c = resolve_colors({"hair": "red"})
    assert c["brows"] == c["facial_hair"] == c["hair"]
    c = resolve_colors({"hair": "red", "brows": "black", "skin": "monk_09"})
    assert c["brows"] != c["hair"]
    assert c["lips"] == parts_library.palettes.get_color("lips", "deep")  # natural lip tone for the skin tone


def test_unknown_names_list_what_exists():
    bad = dict(SPEC, parts=dict(SPEC["parts"], hair="curley_01"))
    with pytest.raises(UnknownNameError) as err:
        parts_library.render(bad)
    n = len(parts_library.load_library().parts("hair"))
    assert str(err.value) == (f"unknown hair part 'curley_01'; did you mean 'curly_01'? "
                              f"({n} hair parts: memoji parts list hair)")
    with pytest.raises(UnknownNameError,
                       match=r"unknown hair colour 'aubrun'; did you mean 'auburn'\? \(19 hair colours: black, "):
        parts_library.render(dict(SPEC, colors={"hair": "aubrun"}))
    with pytest.raises(UnknownNameError, match="unknown brows colour 'gren'; did you mean 'green'"):
        parts_library.render(dict(SPEC, colors={"brows": "gren"}))
    with pytest.raises(UnknownNameError, match="unknown colour slot 'hat'"):
        parts_library.render(dict(SPEC, colors={"hat": "red"}))
    with pytest.raises(UnknownNameError, match="unknown eyes part 'face_oval_01'"):
        parts_library.render(dict(SPEC, parts=dict(SPEC["parts"], eyes="face_oval_01")))
    with pytest.raises(SpecError, match="no hair part"):
        parts_library.render(dict(SPEC, parts={k: v for k, v in SPEC["parts"].items() if k != "hair"}))


def test_svg_output_is_self_contained():
    r = parts_library.render(SPEC, size=300, fmt="svg")
    assert isinstance(r.data, str) and r.data.startswith("<svg") and 'width="300"' in r.data
    assert "%" not in r.data.replace('%"', "") and "http" not in r.data.replace("http://www.w3.org/2000/svg", "")
    assert r.image.size == (300, 300)


def test_external_resources_are_not_loaded(tmp_path):
    red = tmp_path / "red.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(red)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" '
           f'height="64"><image xlink:href="file://{red}" width="64" height="64"/></svg>')
    try:
        data = rasterize(svg, 64)
    except Exception as err:  # refusing loudly is fine too
        assert "external" in str(err)
        return
    assert np.asarray(Image.open(io.BytesIO(data)))[..., 3].max() == 0


def test_cli_parts_list_and_render(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["parts", "list", "glasses"])
    assert res.exit_code == 0 and "glasses_aviator_01" in res.output and "sunglasses" in res.output
    res = runner.invoke(main, ["parts", "list", "hair", "--tag", "afro"])
    assert res.exit_code == 0 and "afro_01" in res.output and "bob_01" not in res.output
    recipe = tmp_path / "r.json"
    recipe.write_text(json.dumps(SPEC))
    out = tmp_path / "out.png"
    res = runner.invoke(main, ["render", str(recipe), "-o", str(out), "--size", "96"])
    assert res.exit_code == 0, res.output
    assert Image.open(out).size == (96, 96)
    assert out.read_bytes() == parts_library.render(SPEC, size=96).data


CATEGORY_LIST = "face, ears, eyes, brows, nose, mouth, hair, facial_hair, glasses, headwear"
BAD_INPUT = {  # README: "2 bad input or usage (... bad recipe, colour, unknown name or option)"; one stderr line
    "unknown category": (None, ["parts", "list", "hat"],
                         f"unknown part category 'hat' (categories: {CATEGORY_LIST})"),
    "unknown part": (json.dumps(dict(SPEC, parts=dict(SPEC["parts"], hair="curley_01"))), None,
                     re.compile(r"unknown hair part 'curley_01'; did you mean 'curly_01'\? \(\d+ hair parts: "
                                r"memoji parts list hair\)")),
    "recipe category": (json.dumps(dict(SPEC, parts=dict(SPEC["parts"], hat="x"))), None,
                        f"unknown part category 'hat' (categories: {CATEGORY_LIST})"),
    "bad colour": (json.dumps(dict(SPEC, colors=dict(SPEC["colors"], hair="#12345"))), None,
                   "bad hair colour '#12345': use '#rgb', '#rrggbb' or a palette name such as 'black' or 'hair/black'"),
    "not JSON": ("{not json", None, "cannot read recipe {recipe}: not valid JSON (Expecting property name enclosed in "
                                    "double quotes at line 1 column 2)"),
    "not an object": ("[1, 2]", None, 'cannot read recipe {recipe}: a recipe is a JSON object {{"parts": …, '
                                      '"colors": …}}, got a list'),
    "no such recipe": (None, ["render", "{recipe}", "-o", "{out}"], "cannot read recipe {recipe}: no such file"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_cli_bad_input_is_one_line_and_exit_2(case, tmp_path):
    text, args, expected = BAD_INPUT[case]
    recipe, out = tmp_path / "r.json", tmp_path / "out.png"
    if text is not None:
        recipe.write_text(text)
    args = [a.format(recipe=recipe, out=out) for a in (args or ["render", "{recipe}", "-o", "{out}"])]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    message = lines[0].removeprefix("Error: ")
    if isinstance(expected, re.Pattern):
        assert expected.fullmatch(message), message
    else:
        assert message == expected.format(recipe=recipe), message
    assert not out.exists()


def test_gallery_shows_parts_and_palettes(tmp_path):
    out = parts_library.gallery(tmp_path / "g.png", cell=48, columns=30, categories=("glasses", "headwear"))
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape[1] == 8 + 30 * 56
    assert img.std() > 20  # not blank


def test_render_bytes_do_not_depend_on_the_process(png):
    import hashlib
    import subprocess
    import sys

    code = ("import hashlib, json, sys, parts_library; spec = json.loads(sys.argv[1]); "
            "print(hashlib.sha256(parts_library.render(spec, size=256).data).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(SPEC)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(png.data).hexdigest()


def test_image_matches_the_png_bytes(png):
    decoded = np.asarray(Image.open(io.BytesIO(png.data)).convert("RGBA"))
    np.testing.assert_array_equal(np.asarray(png.image), decoded)
