"""The product surface: photo(s) → Avatar, recipes, overrides, determinism, the `memoji make` command."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import assembler
from assembler.cli import main
from assembler.errors import FaceIndexError, UnknownNameError
from assembler.recipe import CATEGORIES, Recipe, RecipeError


@pytest.fixture(scope="module")
def obama_avatar(obama_path):
    return assembler.make(obama_path)


@pytest.fixture(scope="module")
def astronaut_avatar(astronaut):
    return assembler.make(astronaut)


def test_make_returns_a_complete_avatar(obama_avatar):
    av = obama_avatar
    img = av.image
    assert img.mode == "RGBA" and img.size == (512, 512)
    assert av.png.startswith(b"\x89PNG")
    assert "<svg" in av.svg[:400]
    assert av.landmarks.shape == (68, 2)
    assert set(av.recipe.parts) >= {"face", "eyes", "brows", "nose", "mouth", "hair"}
    assert av.face is not None and av.face.attributes is not None
    for cat, alts in av.recipe.alternatives.items():
        assert len(alts) <= 5
    assert av._repr_png_() == av.png


def test_avatar_follows_what_was_measured(obama_avatar, astronaut_avatar):
    # a dark-skinned, clean-shaven man without glasses; a light-skinned woman without glasses
    ob, astro = obama_avatar.recipe, astronaut_avatar.recipe
    assert int(ob.colors["skin"].split("_")[1]) >= 6
    assert int(astro.colors["skin"].split("_")[1]) <= 4
    for r in (ob, astro):
        assert r.parts.get("glasses") is None
        assert r.parts.get("headwear") is None
    assert astro.parts.get("facial_hair") is None


def test_same_photo_same_bytes(obama_path, obama_avatar):
    again = assembler.make(obama_path)
    assert again.png == obama_avatar.png
    assert again.recipe.to_json() == obama_avatar.recipe.to_json()


def test_recipe_round_trip_rerenders_byte_identical(tmp_path, obama_avatar):
    path = tmp_path / "r.json"
    obama_avatar.recipe.to_json(path)
    loaded = Recipe.from_json(path)
    assert loaded == obama_avatar.recipe
    assert assembler.render(loaded).png == obama_avatar.png
    assert assembler.render(json.loads(path.read_text())).png == obama_avatar.png


def test_overrides_change_only_what_was_asked(obama_path, obama_avatar):
    from parts_library import load_library

    lib = load_library()
    other_hair = next(p.id for p in lib.parts("hair") if p.id != obama_avatar.recipe.parts["hair"])
    av = assembler.make(obama_path, hair=other_hair, hair_color="pink", glasses=lib.parts("glasses")[0].id)
    r, base = av.recipe, obama_avatar.recipe
    assert r.parts["hair"] == other_hair and r.colors["hair"] == "pink"
    assert r.parts["glasses"] == lib.parts("glasses")[0].id
    for cat in ("face", "eyes", "brows", "nose", "mouth"):
        assert r.parts[cat] == base.parts[cat]
    assert r.colors["skin"] == base.colors["skin"]
    assert av.png != base and av.png != obama_avatar.png
    # editing a recipe and re-rendering needs no photo
    edited = assembler.render(obama_avatar.recipe, hair_color="blue")
    assert edited.recipe.colors["hair"] == "blue" and edited.png != obama_avatar.png


def test_unknown_part_override_lists_what_exists(obama_avatar):
    from parts_library import load_library

    hair = load_library().parts("hair")
    real = hair[0].id
    typo = real[:2] + real[1] + real[2:]  # a doubled letter
    with pytest.raises(UnknownNameError) as info:
        assembler.render(obama_avatar.recipe, hair=typo)
    assert str(info.value) == (f"unknown hair part '{typo}'; did you mean '{real}'? "
                               f"({len(hair)} hair parts: memoji parts list hair)")
    with pytest.raises(RecipeError, match="unknown override 'hat'"):
        obama_avatar.recipe.with_overrides(hat="x")


def test_several_photos_average_evidence(data_dir):
    av = assembler.make([data_dir / "obama.jpg", data_dir / "obama2.jpg"])
    assert av.recipe.analysis["n_photos"] == 2
    assert len(av.faces) == 2
    assert int(av.recipe.colors["skin"].split("_")[1]) >= 6


def test_face_index_out_of_range(obama_path):
    with pytest.raises(FaceIndexError, match="face_index 3 asked for, but 1 face"):
        assembler.make(obama_path, face_index=3)


def test_baseline_methods_run(obama_path):
    for method in ("attributes", "random"):
        av = assembler.make(obama_path, method=method)
        assert av.recipe.method == method and av.image.size == (512, 512)
    with pytest.raises(UnknownNameError, match="unknown method 'best'"):
        assembler.make(obama_path, method="best")


def test_cli_make_writes_png_svg_recipe(tmp_path, obama_path, obama_avatar):
    res = CliRunner().invoke(main, ["make", str(obama_path), "-o", str(tmp_path / "out"), "--size", "256",
                                    "--override", "hair_color=blue"])
    assert res.exit_code == 0, res.output
    png = tmp_path / "out" / "obama.png"
    assert f"wrote {png}" in res.output
    assert Image.open(png).size == (256, 256)
    rec = Recipe.from_json(tmp_path / "out" / "obama.recipe.json")
    assert rec.colors["hair"] == "blue"
    assert (tmp_path / "out" / "obama.svg").read_text().lstrip().startswith(("<svg", "<?xml"))


def test_cli_make_bad_photo_one_line(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_text("nope")
    res = CliRunner().invoke(main, ["make", str(bad), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"Error: cannot read image {bad}: not an image file (JPEG, PNG, WebP, TIFF, BMP …)"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", ["../../x", "/abs/path", "a/b", "..", ".hidden", ""])
def test_cli_name_can_never_leave_the_output_folder(tmp_path, obama_path, name):
    res = CliRunner().invoke(main, ["make", str(obama_path), "-o", str(tmp_path / "out"), "--name", name])
    assert res.exit_code == 2
    assert res.stderr.startswith("Error: --name ") and "is not a plain file name" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) in ([], ["out"])


def test_everything_that_needs_no_photo_is_checked_before_analysis(tmp_path, obama_path, monkeypatch):
    import importlib
    import sys

    def no_analysis(*a, **k):
        raise AssertionError("analysis started before the request was checked")

    importlib.import_module("assembler.analysis")
    monkeypatch.setattr(sys.modules["assembler.analysis"], "get_analyzer", no_analysis)
    cases = [
        (["--override", "hair=curley_07"], 2, "unknown hair part 'curley_07'"),
        (["--override", "hair_color=##abcdef"], 2, "bad hair colour '##abcdef'"),
        (["--override", "wings=yes"], 2, "unknown override 'wings'"),
        (["--face-index", "-1"], 2, "-1 is not in the range x>=0"),
        (["--classifier", "resnext50-celeba", "--classifier-weights", str(tmp_path / "no_run")], 4, "no_run"),
        (["--classifier-weights", str(tmp_path / "no_head.npz")], 4, "skin-band head not found"),
        (["--method", "best"], 2, "'best' is not one of 'search'"),
    ]
    for extra, code, text in cases:
        res = CliRunner().invoke(main, ["make", str(obama_path), "-o", str(tmp_path / "out"), *extra])
        assert res.exit_code == code, (extra, res.stderr)
        assert text in res.stderr and len(res.stderr.strip().splitlines()) == 1, (extra, res.stderr)
    (tmp_path / "file").write_text("x")
    res = CliRunner().invoke(main, ["make", str(obama_path), "-o", str(tmp_path / "file")])
    assert res.exit_code == 2 and "is a file" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    with pytest.raises(FaceIndexError, match="face_index must be 0"):
        assembler.make(obama_path, face_index=-1)


def test_a_group_photo_says_which_face_was_used(tmp_path, data_dir):
    a, b = Image.open(data_dir / "obama.jpg").convert("RGB"), Image.open(data_dir / "biden2.jpg").convert("RGB")
    b = b.resize((round(b.width * a.height * 0.7 / b.height), round(a.height * 0.7)))
    group = Image.new("RGB", (a.width + b.width, a.height), (255, 255, 255))
    group.paste(a, (0, 0))
    group.paste(b, (a.width, a.height - b.height))
    group.save(tmp_path / "group.jpg", quality=95)
    res = CliRunner().invoke(main, ["make", str(tmp_path / "group.jpg"), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert f"{tmp_path / 'group.jpg'}: used face 1 of 2 found (the largest; --face-index picks another)" in res.stdout
