"""The caricature knob: exaggerate=0 is the avatar as made; 1 pushes every measured deviation from the mean face
further out, monotonically in between; it works from a recipe (analysis.geometry), and bad amounts are one line."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from assembler.caricature import FEATURES, CaricatureError, drawn_geometry, exaggerate, geometry_ratios
from assembler.cli import main
from assembler.recipe import Recipe

# a face wider and shorter than average, big-eyed, with a wide short nose, a narrow mouth and low brows
GEOMETRY = {"face_width": 1.08, "face_length": 0.94, "eye_width": 1.06, "nose_width": 1.15, "nose_length": 0.92,
            "mouth_width": 0.9, "brow_height": 0.85}


@pytest.fixture(scope="module")
def recipe(data_dir) -> Recipe:
    d = json.loads((data_dir / "golden" / "obama.recipe.json").read_text())
    return Recipe(parts=d["parts"], colors=d["colors"], params=d["params"], analysis={"geometry": GEOMETRY})


def test_the_mean_face_measures_one():
    from parts_library import frame

    assert geometry_ratios(frame.MEAN_SHAPE) == {k: 1.0 for k in FEATURES}


def test_zero_is_the_avatar_as_made(recipe):
    again = exaggerate(recipe, 0)
    assert again.params == recipe.params and again.parts == recipe.parts and again.colors == recipe.colors
    assert "caricature" not in again.analysis


def test_every_feature_moves_out_monotonically(recipe):
    amounts = (0.0, 0.25, 0.5, 0.75, 1.0)
    drawn = [drawn_geometry(exaggerate(recipe, a)) for a in amounts]
    for key in FEATURES:
        direction = np.sign(GEOMETRY[key] - 1.0)
        values = np.array([d[key] for d in drawn])
        steps = np.diff(values) * direction
        assert (steps >= -1e-4).all(), (key, values)  # never back towards the mean
        assert (values[-1] - values[0]) * direction > 0.01, (key, values)  # and clearly further out at 1
    # only proportions change: parts and colours are the person's
    one = exaggerate(recipe, 1)
    assert one.parts == recipe.parts and one.colors == recipe.colors
    assert one.analysis["caricature"]["amount"] == 1.0


def test_exaggerating_again_starts_from_the_avatar_as_made(recipe):
    half = exaggerate(recipe, 0.5)
    assert exaggerate(exaggerate(recipe, 1.0), 0.5).params == half.params
    assert exaggerate(half, 0).params == recipe.params
    restored = Recipe.from_dict(half.to_dict())  # through JSON and back
    assert exaggerate(restored, 1.0).params == exaggerate(recipe, 1.0).params


def test_bad_amounts_and_recipes_without_geometry_are_one_line(recipe):
    for bad in (-0.1, 1.5, float("nan"), True, "0.5", None):
        with pytest.raises(CaricatureError, match=r"exaggerate must be a number 0\.\.1"):
            exaggerate(recipe, bad)
    with pytest.raises(CaricatureError, match="no measured geometry"):
        exaggerate(Recipe(parts=recipe.parts, colors=recipe.colors), 0.5)


def test_make_stores_the_geometry_and_exaggerates(obama_path):
    import assembler

    avatar = assembler.make(obama_path, size=64, exaggerate=0.5)
    geo = avatar.recipe.analysis["geometry"]
    assert set(geo) == set(FEATURES) and all(0.5 < v < 2 for v in geo.values())
    base = exaggerate(avatar.recipe, 0)
    assert base.params != avatar.recipe.params
    assert exaggerate(base, 0.5).params == avatar.recipe.params
    with pytest.raises(CaricatureError):
        assembler.make(obama_path, exaggerate=2)


def test_cli_refuses_a_bad_amount_before_analysis(tmp_path, obama_path):
    result = CliRunner().invoke(main, ["make", str(obama_path), "-o", str(tmp_path / "o"), "--exaggerate", "1.5"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "--exaggerate" in result.output
    assert not (tmp_path / "o").exists()
