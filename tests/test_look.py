"""The base and what the user chooses around the face (issue 18, items 1 and 4): outfits, the background, headwear
drawn with the hair it covers (hijab, turban, caps), the recipe's schema 2 with its migration from 1, and the CLI's
--outfit / --background. Every bad value is one line with exit 2."""
from __future__ import annotations

import copy
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import parts_library
from assembler.cli import main
from assembler.recipe import SCHEMA_VERSION, Recipe, RecipeError, migrate
from parts_library.library import ASSETS, PartsLibrary
from parts_library.outfits import DEFAULT_OUTFIT, OUTFITS
from parts_library.palettes import hex_to_rgb, parse_color
from parts_library.renderer import SpecError, compose_svg, render, resolve_background, resolve_outfit

SIZE = 128


def _one_line(err: BaseException) -> str:
    text = str(err)
    assert "\n" not in text and text.strip() == text and text
    return text


@pytest.fixture(scope="module")
def lib() -> PartsLibrary:
    """The packaged library with its headwear rows as the generator makes them now (hijab and turban included, with
    their ``hair`` mode and ``hair_line`` anchors), so these tests do not wait for a manifest regeneration."""
    from parts_library.families.accessories import headwear_parts

    manifest = json.loads((ASSETS / "manifest.json").read_text())
    rows = [r for r in manifest["parts"] if r["category"] != "headwear"]
    for p in headwear_parts():
        rows.append({"id": p.id, "category": p.category, "name": p.name, "tags": p.tags, "license": p.license,
                     "file": f"headwear/{p.id}.svg", "layers": list(p.layers), "anchors": p.anchors,
                     "color_slots": p.color_slots, "descriptor": [0.0], "params": p.params})
    return PartsLibrary(dict(manifest, parts=rows), ASSETS, "test")


def spec(lib, **kw) -> dict:
    base = parts_library.default_spec()
    out = {"parts": dict(base["parts"]), "colors": dict(base["colors"])}
    out["parts"].update(kw.pop("parts", {}))
    out["colors"].update(kw.pop("colors", {}))
    out.update(kw)
    return out


def pixels(s, lib, size=SIZE) -> np.ndarray:
    return np.asarray(render(s, size=size, library=lib).image).astype(int)


def _hair(lib, *words) -> str:
    ids = lib.ids("hair")
    return next(h for h in ids if all(w in h for w in words))


# ---- outfits ---------------------------------------------------------------------------------------------------
def test_at_least_eight_outfits_each_drawn_differently_and_deterministically(lib):
    assert len(OUTFITS) >= 8 and DEFAULT_OUTFIT in OUTFITS
    torso = {}
    for name in OUTFITS:
        a = render(spec(lib, outfit=name), size=SIZE, library=lib)
        assert render(spec(lib, outfit=name), size=SIZE, library=lib).data == a.data  # byte-identical
        torso[name] = np.asarray(a.image).astype(int)[int(SIZE * 0.8):, :, :3]
    names = list(torso)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            assert np.abs(torso[x] - torso[y]).mean() > 1.0, (x, y)


def test_the_outfit_takes_the_clothes_colour(lib):
    def shirt(colour):
        px = pixels(spec(lib, outfit="crew_tee", colors={"clothes": colour}), lib)
        return px[int(SIZE * 0.95), int(SIZE * 0.3), :3]

    teal, coral = shirt("teal"), shirt("coral")
    assert teal[2] > teal[0] and coral[0] > coral[2]  # greenish-blue vs orange-red


def test_unknown_outfit_is_one_line_with_did_you_mean(lib):
    with pytest.raises(Exception) as info:
        compose_svg(spec(lib, outfit="hoddie"), library=lib)
    assert _one_line(info.value) == (f"unknown outfit 'hoddie'; did you mean 'hoodie'? (outfits: "
                                     f"{', '.join(OUTFITS)})")
    assert info.value.exit_code == 2
    for hostile in ('"/><script>', "x" * 5000, "../../etc/passwd"):
        with pytest.raises(Exception) as info:
            resolve_outfit(hostile)
        assert len(_one_line(info.value)) < 300 and "<script>" not in str(info.value)[:20]
    with pytest.raises(SpecError, match=r"^'outfit' must be an outfit name, got 5 \(a number\)"):
        resolve_outfit(5)


# ---- background ------------------------------------------------------------------------------------------------
def test_background_none_colour_and_gradient(lib):
    none = pixels(spec(lib, background=None), lib)
    assert none[0, 0, 3] == 0 and none[0, -1, 3] == 0  # transparent corners
    assert np.array_equal(pixels(spec(lib, background="none"), lib), none)
    teal = pixels(spec(lib, background="teal"), lib)
    assert teal[0, 0, 3] == 255 and tuple(teal[0, 0, :3]) == hex_to_rgb(parse_color("teal", "clothes"))
    grad = pixels(spec(lib, background=["#ff0000", "#0000ff"]), lib)
    top, bottom = grad[0, 0], grad[-1, 0]
    assert top[3] == bottom[3] == 255
    assert top[0] > 200 and top[2] < 40 and bottom[2] > 200 and bottom[0] < 40  # two colours, top to bottom
    assert np.array_equal(pixels(spec(lib, background="#ff0000,#0000ff"), lib), grad)
    # the render's background argument replaces the spec's
    assert np.array_equal(np.asarray(render(spec(lib, background="teal"), SIZE, library=lib,
                                            background="none").image).astype(int), none)


@pytest.mark.parametrize("value, message", [
    ("tael", "unknown background colour 'tael'; did you mean 'teal'? (6 clothes colours: navy, teal, coral, gray, "
             "white, black)"),
    ('#fff" onload="x', "bad background colour '#fff\" onload=\"x': use '#rgb', '#rrggbb' or a palette name such as "
                        "'navy' or 'clothes/navy'"),
    (["#fff", "#000", "#111"], "'background' must be none, a colour or two colours for a gradient, got ['#fff', "
                               "'#000', '#111'] (a list) (e.g. null, \"teal\", \"#f0e6d8\", [\"#ffd1dc\", "
                               "\"#a0c4ff\"])"),
    ({"a": 1}, "'background' must be none, a colour or two colours for a gradient, got {'a': 1} (an object) (e.g. "
               "null, \"teal\", \"#f0e6d8\", [\"#ffd1dc\", \"#a0c4ff\"])"),
])
def test_bad_backgrounds_are_one_line(value, message):
    with pytest.raises(Exception) as info:
        resolve_background(value)
    assert _one_line(info.value) == message and info.value.exit_code == 2


def test_only_parsed_colours_reach_the_svg(lib):
    svg, _ = compose_svg(spec(lib, background=["#ABC", "navy"]), library=lib)
    assert '<stop offset="0%" stop-color="#aabbcc"/>' in svg and parse_color("navy", "clothes") in svg


# ---- headwear with the hair it covers ----------------------------------------------------------------------------
def test_a_hijab_shows_no_hair_and_no_ears(lib):
    long_hair = _hair(lib, "long_straight")
    hijab = {"headwear": "hat_hijab_01"}
    with_long = pixels(spec(lib, parts={**hijab, "hair": long_hair}, colors={"hair": "pink"}), lib, 256)
    with_bald = pixels(spec(lib, parts={**hijab, "hair": _hair(lib, "bald")}, colors={"hair": "pink"}), lib, 256)
    assert np.array_equal(with_long, with_bald)  # nothing of the hair is drawn
    other_ears = pixels(spec(lib, parts={**hijab, "ears": "ears_large_01"}), lib, 256)
    assert np.array_equal(other_ears, pixels(spec(lib, parts=hijab), lib, 256))  # the ears are covered
    svg, _ = compose_svg(spec(lib, parts={**hijab, "hair": long_hair}), library=lib)
    assert "%hair" not in svg and parse_color("pink", "hair") not in svg


@pytest.mark.parametrize("face", ["face_round_02", "face_long_01", "face_oval_01"])
def test_the_hijab_opening_ends_at_the_chin_of_any_face(lib, face):
    """No neck shows between the chin and the fabric, on a short face or a long one."""
    s = spec(lib, parts={"headwear": "hat_hijab_01", "face": face}, colors={"headwear": "#00ff00", "skin": "monk_08"})
    res = render(s, size=256, library=lib)
    x, y = res.landmarks[8]
    below = np.asarray(res.image).astype(int)[int(round(y)) + 6, int(round(x))]
    assert below[1] > 120 and below[0] < 90 and below[2] < 90, below  # the (green) hijab, not skin


def test_a_turban_covers_the_crown_and_long_hair_still_falls_below_it(lib):
    turban = {"headwear": "hat_turban_01"}
    long_ = pixels(spec(lib, parts={**turban, "hair": _hair(lib, "long_straight")}), lib, 256)
    bald = pixels(spec(lib, parts={**turban, "hair": _hair(lib, "bald")}), lib, 256)
    afro = pixels(spec(lib, parts={**turban, "hair": _hair(lib, "afro")}), lib, 256)
    top = slice(0, int(256 * 0.28))  # above the turban's lower edge: the turban alone, whatever the hair
    assert np.array_equal(afro[top], bald[top]) and np.array_equal(long_[top], bald[top])
    assert np.abs(long_[int(256 * 0.6):] - bald[int(256 * 0.6):]).sum() > 0  # long hair shows below


def test_caps_hide_the_hair_above_their_edge(lib):
    for hat in ("hat_cap_01", "hat_beanie_01", "hat_bucket_01"):
        afro = pixels(spec(lib, parts={"headwear": hat, "hair": _hair(lib, "afro")}), lib)
        bald = pixels(spec(lib, parts={"headwear": hat, "hair": _hair(lib, "bald")}), lib)
        top = slice(0, int(SIZE * 0.22))
        assert np.array_equal(afro[top], bald[top]), hat


def test_the_search_never_offers_on_request_headwear(lib):
    from assembler.search.constraints import ON_REQUEST, allowed

    tagged = {p.id for p in lib.parts("headwear") if ON_REQUEST in p.tags}
    assert tagged == {"hat_hijab_01", "hat_turban_01"}
    for p in lib.parts("headwear"):
        assert not allowed("headwear", p, attrs=None)  # headwear only by the user's choice


# ---- recipe schema 2 and the migration from 1 ------------------------------------------------------------------
def _v1_recipe() -> dict:
    base = parts_library.default_spec()
    return {"schema_version": 1, "parts": base["parts"], "colors": base["colors"], "params": {}}


def test_a_version_1_recipe_loads_and_renders_in_the_default_outfit(lib):
    v1 = _v1_recipe()
    before = copy.deepcopy(v1)
    rec = Recipe.from_dict(v1)
    assert v1 == before  # the input is not changed
    assert rec.schema_version == SCHEMA_VERSION == 2 and rec.outfit == DEFAULT_OUTFIT and rec.background is None
    d = rec.to_dict()
    assert d["schema_version"] == 2 and d["outfit"] == DEFAULT_OUTFIT and d["background"] is None
    assert Recipe.from_dict(d) == rec
    # drawn as version 1 drew it: the default outfit, a transparent background (stray keys of v1 are not read)
    stray = dict(v1, outfit="hoodie", background="teal")
    assert render(stray, SIZE, library=lib).data == render(dict(v1), SIZE, library=lib).data \
        == render(dict(v1, schema_version=2, outfit=DEFAULT_OUTFIT), SIZE, library=lib).data
    assert migrate(stray)["schema_version"] == 2 and "outfit" not in migrate(stray)


def test_one_default_outfit_and_schema():
    import assembler.recipe
    import parts_library.renderer

    assert assembler.recipe.DEFAULT_OUTFIT == DEFAULT_OUTFIT
    assert assembler.recipe.SCHEMA_VERSIONS == parts_library.renderer.SCHEMA_VERSIONS


def test_newer_and_bad_schema_versions_are_one_line():
    v3 = dict(_v1_recipe(), schema_version=3)
    with pytest.raises(RecipeError) as info:
        Recipe.from_dict(v3)
    assert _one_line(info.value) == ("recipe schema_version 3 is newer than this memoji-assembler reads (1 to 2): "
                                     "upgrade memoji-assembler to draw it")
    with pytest.raises(SpecError) as info:
        parts_library.render(v3, size=32)
    assert _one_line(info.value) == ("recipe schema_version 3 is newer than this memoji-assembler reads (1 to 2): "
                                     "upgrade memoji-assembler to draw it")
    with pytest.raises(RecipeError, match=r"^recipe schema_version 0 is not supported \(this version reads 1 to 2\)$"):
        Recipe.from_dict(dict(_v1_recipe(), schema_version=0))


def test_recipe_outfit_and_background_are_checked_and_overridable():
    rec = Recipe.from_dict(_v1_recipe())
    with pytest.raises(Exception) as info:
        Recipe.from_dict(dict(rec.to_dict(), outfit="hoddie"))
    assert _one_line(info.value).startswith("unknown outfit 'hoddie'; did you mean 'hoodie'?")
    with pytest.raises(Exception) as info:
        Recipe.from_dict(dict(rec.to_dict(), background=["teal", "#12345"]))
    assert _one_line(info.value).startswith("bad background colour '#12345'")
    new = rec.with_overrides(outfit="blazer", background="#ffd1dc,#a0c4ff")
    assert new.outfit == "blazer" and new.background == ["#ffd1dc", "#a0c4ff"]
    assert new.render_spec()["outfit"] == "blazer" and Recipe.from_dict(new.to_dict()) == new
    assert new.with_overrides(background="none").background is None
    with pytest.raises(Exception, match=r"^unknown outfit 'tshirt'"):
        rec.with_overrides(outfit="tshirt")


def test_facial_hair_and_brows_follow_a_new_hair_colour_unless_set():
    rec = Recipe(parts={}, colors={"hair": "black", "brows": "black", "facial_hair": "black"})
    assert rec.with_overrides(hair_color="auburn").colors == {"hair": "auburn", "brows": "auburn",
                                                              "facial_hair": "auburn"}
    grey_beard = Recipe(parts={}, colors={"hair": "black", "brows": "black", "facial_hair": "gray"})
    assert grey_beard.with_overrides(hair_color="auburn").colors["facial_hair"] == "gray"
    assert rec.with_overrides(hair_color="auburn", facial_hair_color="white").colors["facial_hair"] == "white"
    from parts_library.renderer import resolve_colors

    assert resolve_colors({"hair": "auburn"})["facial_hair"] == parse_color("auburn", "hair")  # the renderer's default


# ---- CLI ---------------------------------------------------------------------------------------------------------
def test_cli_render_outfit_and_background(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_v1_recipe()))
    out = tmp_path / "a.png"
    res = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "--size", "64", "--outfit", "hoodie",
                                    "--background", "#ff0000,#0000ff"])
    assert res.exit_code == 0, res.output
    img = np.asarray(Image.open(io.BytesIO(out.read_bytes())).convert("RGBA")).astype(int)
    assert img[0, 0, 0] > 200 and img[-1, 0, 2] > 200
    res = CliRunner().invoke(main, ["render", str(path), "-o", str(out), "--background", "none"])
    assert res.exit_code == 0 and np.asarray(Image.open(out))[0, 0, 3] == 0
    for args, message in ((["--outfit", "hoddie"], "unknown outfit 'hoddie'; did you mean 'hoodie'?"),
                          (["--background", "tael"], "unknown background colour 'tael'; did you mean 'teal'?")):
        res = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "b.png"), *args])
        assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and message in res.output, res.output
        assert not (tmp_path / "b.png").exists()
    v3 = tmp_path / "v3.json"
    v3.write_text(json.dumps(dict(_v1_recipe(), schema_version=3)))
    res = CliRunner().invoke(main, ["render", str(v3), "-o", str(out)])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1 and "newer" in res.output


def test_cli_make_refuses_a_bad_outfit_before_any_work(tmp_path, data_dir):
    res = CliRunner().invoke(main, ["make", str(data_dir / "obama.jpg"), "-o", str(tmp_path / "out"),
                                    "--outfit", "hoddie"])
    assert res.exit_code == 2, res.output
    assert len(res.output.strip().splitlines()) == 1 and "did you mean 'hoodie'?" in res.output
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(main, ["make", str(data_dir / "obama.jpg"), "-o", str(tmp_path / "out"),
                                    "--background", "#12,#34"])
    assert res.exit_code == 2 and "bad background colour '#12'" in res.output


def test_batch_rows_and_make_take_outfit_and_background_as_overrides():
    from assembler.batch import _override_keys
    from assembler.avatar import check_overrides

    assert {"outfit", "background"} <= _override_keys()
    check_overrides({"outfit": "hoodie", "background": "#ffd1dc,#a0c4ff"})
    check_overrides({"background": None})
    with pytest.raises(Exception, match=r"^unknown outfit 'hoddie'; did you mean 'hoodie'\?"):
        check_overrides({"outfit": "hoddie"})


def test_a_group_picture_leaves_each_avatars_background_out(lib):
    from assembler.group import _inner_svg

    with_bg, _ = compose_svg(spec(lib, background=["#ff0000", "#0000ff"]), library=lib)
    without, _ = compose_svg(spec(lib), library=lib)
    assert _inner_svg(with_bg, "a0-") == _inner_svg(without, "a0-")
    assert "memoji-background" in with_bg
