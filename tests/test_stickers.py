"""Sticker packs: 12 expressions from a recipe (no analysis), identity parts and colours kept, transparent WebP/PNG,
the CLI from a recipe and from a photo, one-line errors."""
from __future__ import annotations

import io
import itertools
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from assembler.cli import main
from assembler.errors import UnknownNameError
from assembler.recipe import Recipe
from assembler.sticker_pack import (EXPRESSIONS, IDENTITY_CATEGORIES, render_sticker, sticker_recipe, sticker_svg,
                                stickers)

WANTED = ("neutral", "smile", "laugh", "wink", "surprised", "sad", "angry", "love", "thinking", "sleepy", "cool",
          "tongue-out")


@pytest.fixture(scope="module")
def recipe(data_dir) -> Recipe:
    d = json.loads((data_dir / "golden" / "obama.recipe.json").read_text())
    return Recipe(parts=d["parts"], colors=d["colors"], params=d["params"])


@pytest.fixture(scope="module")
def pack(recipe):
    return stickers(recipe, size=128)


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result.exit_code, result.output


def test_the_pack_has_twelve_pairwise_different_stickers(pack):
    assert tuple(pack) == WANTED and set(WANTED) <= set(EXPRESSIONS)
    arrays = {name: np.asarray(img, dtype=np.int16) for name, img in pack.items()}
    for a, b in itertools.combinations(WANTED, 2):
        diff = np.abs(arrays[a] - arrays[b]).max(axis=2) > 24
        assert diff.sum() >= 20, f"{a} and {b} look the same ({diff.sum()} pixels differ)"


def test_every_sticker_keeps_identity_parts_and_colours(recipe):
    for name in WANTED:
        r = sticker_recipe(recipe, name)
        for cat in IDENTITY_CATEGORIES:
            assert r.parts.get(cat) == recipe.parts.get(cat), (name, cat)
            assert r.params.get(cat) == recipe.params.get(cat), (name, cat)
        assert r.colors == recipe.colors, name
        if name == "cool":
            assert r.parts["glasses"] == "glasses_sun_01"
        else:
            assert r.parts.get("glasses") == recipe.parts.get("glasses"), name
        assert r.method.endswith(f"sticker:{name}")
    # eyes and brows are poses of the person's own parts
    assert sticker_recipe(recipe, "wink").parts["eyes"] == f"{recipe.parts['eyes']}_wink"
    assert sticker_recipe(recipe, "angry").parts["brows"] == f"{recipe.parts['brows']}_angry"


def test_stickers_are_512_px_with_transparent_corners_by_default(recipe, pack):
    big = stickers(recipe, ["love"])
    assert list(big) == ["love"] and big["love"].size == (512, 512) and big["love"].mode == "RGBA"
    for img in [big["love"], *pack.values()]:
        a = np.asarray(img)[..., 3]
        assert a[0, 0] == a[0, -1] == a[-1, 0] == a[-1, -1] == 0
        assert (a > 0).mean() > 0.25  # the avatar fills the square


def test_webp_and_svg_stickers(recipe):
    img = Image.open(io.BytesIO(render_sticker(recipe, "cool", size=512, fmt="webp")))
    assert img.format == "WEBP" and img.size == (512, 512) and img.mode == "RGBA"
    assert np.asarray(img)[0, 0, 3] == 0 and np.asarray(img)[256, 256, 3] == 255
    svg = sticker_svg(recipe, "sleepy", size=300)
    assert svg.startswith("<svg") and 'width="300"' in svg and "<script" not in svg


def test_a_sticker_from_an_avatar_a_dict_or_a_path(recipe, data_dir):
    from assembler.avatar import render

    avatar = render(recipe, size=64)
    want = render_sticker(recipe, "wink", size=64)
    assert render_sticker(avatar, "wink", size=64) == want
    assert render_sticker(recipe.to_dict(), "wink", size=64) == want


def test_unknown_expression_is_one_line(recipe):
    with pytest.raises(UnknownNameError, match=r"unknown expression 'smil'; did you mean 'smile'\? \(expressions: "):
        stickers(recipe, ["smil"])
    with pytest.raises(UnknownNameError, match="unknown expression"):
        sticker_recipe(recipe, "grumpy")


def test_cli_from_a_recipe_writes_the_pack_and_a_sheet(tmp_path, data_dir):
    out = tmp_path / "pack"
    code, text = run("stickers", data_dir / "golden" / "obama.recipe.json", "-o", out, "--format", "webp",
                     "--size", "96")
    assert code == 0, text
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([f"obama_{n}.webp" for n in WANTED] + ["obama_sheet.png"])
    img = Image.open(out / "obama_laugh.webp")
    assert img.format == "WEBP" and img.size == (96, 96) and np.asarray(img.convert("RGBA"))[0, 0, 3] == 0
    sheet = Image.open(out / "obama_sheet.png")
    assert sheet.format == "PNG" and sheet.width > 4 * 96 and sheet.height > 3 * 96
    assert "wrote 12 stickers (webp, 96x96" in text

    code, text = run("stickers", data_dir / "golden" / "obama.recipe.json", "-o", out / "svg", "--format", "svg",
                     "-e", "sad,cool", "--no-sheet", "--name", "me")
    assert code == 0, text
    assert sorted(p.name for p in (out / "svg").iterdir()) == ["me_cool.svg", "me_sad.svg"]


def test_cli_errors_are_one_line(tmp_path, data_dir):
    recipe = data_dir / "golden" / "obama.recipe.json"
    code, text = run("stickers", recipe, "-o", tmp_path / "o", "-e", "smile,grumpy")
    assert code == 2 and text.count("\n") == 1 and text.startswith("Error: unknown expression 'grumpy'")
    assert not (tmp_path / "o").exists()  # nothing written before the names are checked
    bad = tmp_path / "bad.recipe.json"
    bad.write_text(json.dumps({"parts": {"face": "face_nope_01"}}))
    code, text = run("stickers", bad, "-o", tmp_path / "o")
    assert code == 2 and text.count("\n") == 1 and "face_nope_01" in text
    code, text = run("stickers", recipe, "-o", tmp_path / "o", "--name", "../escape")
    assert code == 2 and text.count("\n") == 1 and "not a plain file name" in text
    (tmp_path / "file").write_text("x")
    code, text = run("stickers", recipe, "-o", tmp_path / "file")
    assert code == 2 and text.count("\n") == 1 and "is a file" in text  # click's check, as for memoji make
    code, text = run("stickers", tmp_path / "missing.jpg", "-o", tmp_path / "o")
    assert code in (2, 6) and text.count("\n") == 1


def test_cli_from_a_photo_makes_the_avatar_first(tmp_path, obama_path):
    out = tmp_path / "photo"
    code, text = run("stickers", obama_path, "-o", out, "-e", "smile,wink", "--size", "64")
    assert code == 0, text
    names = sorted(p.name for p in out.iterdir())
    assert names == ["obama.recipe.json", "obama_sheet.png", "obama_smile.png", "obama_wink.png"]
    saved = Recipe.from_json(out / "obama.recipe.json")
    assert sticker_recipe(saved, "smile").parts["hair"] == saved.parts["hair"]
