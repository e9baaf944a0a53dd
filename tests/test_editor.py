"""The Jupyter editor (``avatar.edit()``), driven through the widgets' Python API: no browser, no photo analysis.

The recipe is the checked-in golden one (tests/data/golden/obama.recipe.json) with alternatives added, rendered small.
"""
from __future__ import annotations

import json
import sys

import pytest

pytest.importorskip("ipywidgets")

import assembler  # noqa: E402
from assembler.editor import DEFAULT, NONE, AvatarEditor, part_options  # noqa: E402
from assembler.errors import MissingDependencyError  # noqa: E402
from assembler.outputs import OutputPathError  # noqa: E402
from assembler.recipe import CATEGORIES, COLOR_SLOTS, Recipe  # noqa: E402
from assembler.search import FIT_FACE, FIT_SCALE  # noqa: E402

SIZE = 128
HAIR_ALTERNATIVES = ["buzz_01", "afro_02", "ponytail_01"]


@pytest.fixture(scope="module")
def recipe(data_dir) -> Recipe:
    d = json.loads((data_dir / "golden" / "obama.recipe.json").read_text())
    d["schema_version"] = 1
    d["parts"]["hair"] = "spiky_01"  # fixed here, whatever the golden recipe's hair is
    d["alternatives"] = {"hair": [{"id": pid, "descriptor": 0.5} for pid in HAIR_ALTERNATIVES],
                         "glasses": [{"id": None, "descriptor": 1.0}, {"id": "glasses_round_01", "descriptor": 0.4}],
                         "nose": [{"id": "not_a_part", "descriptor": 0.9}]}
    return Recipe.from_dict(d)


@pytest.fixture()
def editor(recipe) -> AvatarEditor:
    return AvatarEditor(recipe, size=SIZE)


def test_hair_dropdown_changes_recipe_and_image(editor, recipe):
    before = editor.png
    assert editor.image.value == before
    editor.parts["hair"].value = "buzz_01"
    assert editor.recipe.parts["hair"] == "buzz_01"
    assert editor.png != before and editor.image.value == editor.png
    assert editor.png == assembler.render(editor.recipe, size=SIZE).png  # what is shown is the recipe's render
    assert recipe.parts["hair"] == "spiky_01"  # the recipe given is not touched
    assert editor.recipe.method == "search+edited"
    editor.parts["glasses"].value = "glasses_round_01"
    editor.parts["glasses"].value = NONE
    assert editor.recipe.parts["glasses"] is None and editor.recipe.method == "search+edited"


def test_colour_dropdown_changes_recipe_and_image(editor):
    before = editor.png
    editor.colors["hair"].value = "pink"
    assert editor.recipe.colors["hair"] == "pink"
    assert editor.png != before
    assert editor.pickers["hair"].value == "#e25b9b"
    editor.colors["clothes"].value = DEFAULT
    assert "clothes" not in editor.recipe.colors


def test_colour_picker_takes_hex_only(editor):
    editor.pickers["clothes"].value = "#123456"
    assert editor.recipe.colors["clothes"] == "#123456"
    assert editor.colors["clothes"].value == "#123456"  # shown as a custom colour in the dropdown
    editor.pickers["clothes"].value = "#E0735A"  # a palette colour: chosen by name
    assert editor.recipe.colors["clothes"] == "coral"
    png = editor.png
    editor.pickers["clothes"].value = "red"  # a CSS name the picker allows, not a recipe colour
    assert editor.status.value == "bad clothes colour 'red': pick a '#rrggbb' colour or choose a name from the list"
    assert editor.pickers["clothes"].value == "#e0735a" and editor.recipe.colors["clothes"] == "coral"
    assert editor.png == png


def test_outfit_and_background_widgets(editor):
    before = editor.png
    editor.outfit.value = "hoodie"
    assert editor.recipe.outfit == "hoodie" and editor.png != before
    editor.background.value = "#ffd1dc, teal"
    assert editor.recipe.background == ["#ffd1dc", "teal"]
    png = editor.png
    editor.background.value = "tael"  # refused: the box goes back, the reason is shown
    assert editor.status.value.startswith("unknown background colour 'tael'; did you mean 'teal'?")
    assert editor.background.value == "#ffd1dc, teal" and editor.recipe.background == ["#ffd1dc", "teal"]
    assert editor.png == png
    editor.background.value = "none"
    assert editor.recipe.background is None


def test_widgets_refuse_values_that_are_not_offered(editor):
    from traitlets import TraitError

    recipe = editor.recipe
    for widget, value in ((editor.parts["hair"], "../../etc/passwd"), (editor.parts["face"], NONE),
                          (editor.colors["skin"], "#zzzzzz"), (editor.colors["hair"], "<script>"),
                          (editor.outfit, "hoddie")):
        with pytest.raises(TraitError):
            widget.value = value
    assert editor.recipe is recipe


def test_alternatives_are_listed_first(editor, recipe):
    values = [v for _, v in editor.parts["hair"].options]
    assert values[: 1 + len(HAIR_ALTERNATIVES)] == ["spiky_01", *HAIR_ALTERNATIVES]
    from parts_library import load_library

    lib = load_library()
    assert sorted(values) == sorted(lib.ids("hair"))  # then every hair part, once
    glasses = [v for _, v in part_options(recipe, "glasses")]
    assert glasses[:2] == [NONE, "glasses_round_01"] and sorted(glasses[1:]) == sorted(lib.ids("glasses"))
    nose = [v for _, v in part_options(recipe, "nose")]  # an alternative that is no nose part is left out
    current = recipe.parts["nose"]  # the recipe's own nose first, then the rest
    assert nose == [current, *[p for p in lib.ids("nose") if p != current]]
    assert NONE not in [v for _, v in editor.parts["face"].options]  # required categories have no "none"
    assert set(editor.parts) == set(CATEGORIES) and set(editor.colors) == set(COLOR_SLOTS)


def test_slider_moves_a_param(editor):
    slider = editor.sliders[("mouth", "scale")]
    assert (slider.min, slider.max) == FIT_SCALE
    assert (editor.sliders[("face", "scale")].min, editor.sliders[("face", "scale")].max) == FIT_FACE
    assert ("face", "stretch") in editor.sliders and ("hair", "scale") not in editor.sliders
    before = editor.png
    slider.value = 0.9
    assert editor.recipe.params["mouth"]["scale"] == 0.9
    assert editor.recipe.params["mouth"]["dx"] == 0.0  # the rest of the part's params kept
    assert editor.png != before


def test_slider_range_holds_a_caricature_value(recipe):
    d = recipe.to_dict()
    d["params"]["nose"]["scale"] = 1.5
    ed = AvatarEditor(d, size=SIZE)
    assert ed.sliders[("nose", "scale")].value == 1.5 and ed.sliders[("nose", "scale")].max == 1.5


def test_save_writes_a_loadable_recipe(editor, tmp_path):
    editor.parts["hair"].value = "buzz_01"
    editor.colors["eyes"].value = "blue"
    path = editor.save(tmp_path / "edited.recipe.json")
    loaded = Recipe.from_json(path)
    assert loaded == editor.recipe
    assert assembler.render(loaded, size=SIZE).png == editor.png
    editor.path.value = str(tmp_path / "button.recipe.json")
    editor.save_button.click()
    assert editor.status.value == f"saved {tmp_path / 'button.recipe.json'}"
    assert Recipe.from_json(tmp_path / "button.recipe.json") == editor.recipe


def test_save_refuses_other_paths(editor, tmp_path):
    with pytest.raises(OutputPathError, match=r"^a recipe file name ends in \.json, got '.*avatar\.png'$"):
        editor.save(tmp_path / "avatar.png")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        editor.save(tmp_path / "folder.json")
    editor.path.value = str(tmp_path)
    editor.save_button.click()
    assert editor.status.value.startswith("a recipe file name ends in .json")
    assert list(tmp_path.iterdir()) == [tmp_path / "folder.json"]


def test_avatar_edit_and_display(recipe):
    avatar = assembler.render(recipe, size=SIZE)
    ed = avatar.edit()
    assert isinstance(ed, AvatarEditor) and ed.size == SIZE and ed.png == avatar.png
    bundle = ed._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("AvatarEditor(face=face_diamond_01")


def test_missing_ipywidgets_is_one_line(recipe, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets → ImportError
    avatar = assembler.render(recipe, size=SIZE)
    with pytest.raises(MissingDependencyError) as err:
        avatar.edit()
    assert str(err.value) == ("the avatar editor needs ipywidgets: pip install -e '.[editor]' in the "
                              "memoji-assembler checkout")
    assert err.value.exit_code == 5


def test_importing_the_editor_does_not_import_ipywidgets():
    import subprocess

    code = ("import sys, assembler; assembler.AvatarEditor; import assembler.avatar; "
            "sys.exit(1 if 'ipywidgets' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
