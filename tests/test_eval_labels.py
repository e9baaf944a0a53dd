"""``memoji eval --labels``: the mapping rules, hostile labels files, the relightings, the degradations and one real
run on 2 photos."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from assembler import evaluation as le
from assembler.errors import LabelsFileError, UnknownNameError
from assembler.records import Attributes
from assembler.evaluation.degrading import DEGRADATIONS, degrade
from assembler.evaluation.relighting import RELIGHTINGS, relight, relight_gains, srgb_to_linear

HEADER = "path,skin,hair_colour,hair_length,hair_texture,facial_hair,glasses,headwear,expression,confidence,comment\n"


def _row(path="a/1.jpg", skin="light", hair_colour="black", hair_length="short", texture="straight",
         facial_hair="none", glasses="none", headwear="none", expression="smile", group="dev"):
    return le.LabelRow(line=2, path=path, group=group, labels={
        "skin": skin, "hair_colour": hair_colour, "hair_length": hair_length, "hair_texture": texture,
        "facial_hair": facial_hair, "glasses": glasses, "headwear": headwear, "expression": expression})


# ---- mapping rules -----------------------------------------------------------------------------------------------
def test_skin_band_and_hair_colour_rules():
    assert [le.skin_band(m) for m in (1, 4, 5, 7, 8, 10, None)] == [
        "light", "light", "medium", "medium", "dark", "dark", None]
    assert le.hair_family("dark_brown") == "brown" and le.hair_family("hair/auburn") == "red"
    assert le.hair_family("white") == "gray" and le.hair_family("#17110e") == "black"
    assert le.hair_family("no_such_colour") is None
    assert le.agrees("hair_colour", "dark_brown", "black") is True  # dark brown drawn black is right
    assert le.agrees("hair_colour", "black", "brown") is False
    assert le.agrees("hair_colour", "white", "gray") is True
    assert le.agrees("hair_colour", "none", "black") is None  # a bald head's hair colour is not scored
    assert le.agrees("facial_hair", "goatee", "present") is True
    assert le.agrees("expression", "other", "neutral") is None


def test_recipe_values_follow_the_part_tags():
    recipe = {"parts": {"hair": "long_wavy_01", "glasses": "glasses_oval_01", "facial_hair": None,
                        "mouth": "mouth_grin_01", "headwear": None},
              "colors": {"skin": "monk_08", "hair": "soft_black"}}
    v = le.recipe_values(recipe)
    assert v == {"skin": "dark", "hair_colour": "black", "hair_length": "long", "hair_texture": "wavy",
                 "facial_hair": "none", "facial_hair_kind": "none", "glasses": "present", "headwear": "none",
                 "expression": "open_smile"}
    assert le.agrees("hair_length", "long", v["hair_length"]) is True
    assert le.agrees("hair_length", "medium", v["hair_length"]) is False
    tied = le.recipe_values({"parts": {"hair": "ponytail_01", "mouth": "mouth_smile_01"}, "colors": {}})
    assert tied["hair_length"] == "tied" and tied["expression"] == "smile" and tied["skin"] is None
    bald = le.recipe_values({"parts": {"hair": "bald_01"}, "colors": {"skin": "monk_03", "hair": "black"}})
    assert (bald["hair_length"], bald["hair_colour"], bald["skin"]) == ("bald", "none", "light")
    assert le.recipe_values({"parts": {"hair": "braids_01"}, "colors": {}})["hair_texture"] == "braids"


def test_measured_values_rules():
    a = Attributes(backend="measured", skin_tone=3, hair_color="auburn", hair_length="medium", bald=0.7,
                   hair_curl=0.9, facial_hair={"stubble": 0.55, "beard": 0.1}, glasses=0.4,
                   probs={"Smiling": 0.8, "Mouth_Slightly_Open": 0.1})
    v = le.measured_values(a)
    assert v == {"skin": "light", "hair_colour": "none", "hair_length": "bald", "hair_texture": None,
                 "facial_hair": "present", "facial_hair_kind": "stubble", "glasses": "none", "headwear": None,
                 "expression": "smile"}
    a.bald, a.probs["Mouth_Slightly_Open"] = 0.1, 0.9
    v = le.measured_values(a)
    assert (v["hair_length"], v["hair_colour"], v["hair_texture"], v["expression"]) == (
        "medium", "red", "coily", "open_smile")
    a.hair_curl = 0.1
    assert le.measured_values(a)["hair_texture"] == "straight"


@pytest.mark.parametrize("part, kind", [("full_beard_02", "beard"), ("short_beard_01", "beard"),
                                        ("chinstrap_01", "chinstrap"), ("goatee_01", "goatee"),
                                        ("soul_patch_01", "goatee"), ("moustache_03", "moustache"),
                                        ("stubble_01", "stubble"), (None, "none"), ("no_such_part", None)])
def test_the_facial_hair_kind_drawn_follows_the_part(part, kind):
    """A beard drawn without its moustache is a chinstrap line, not a beard: the kind table keeps them apart."""
    assert le.recipe_values({"parts": {"facial_hair": part}, "colors": {}})["facial_hair_kind"] == kind


@pytest.mark.parametrize("probs, kind", [
    ({"beard": 0.9, "moustache": 0.8, "goatee": 0.6}, "beard"),
    ({"beard": 0.8, "moustache": 0.3}, "chinstrap"),
    ({"beard": 0.4, "moustache": 0.9, "goatee": 0.6}, "goatee"),
    ({"beard": 0.4, "moustache": 0.9, "goatee": 0.3}, "moustache"),
    ({"beard": 0.2, "moustache": 0.3, "stubble": 0.45}, "none"),
])
def test_the_facial_hair_kind_measured_is_the_most_hair_seen(probs, kind):
    a = Attributes(backend="measured", skin_tone=3, facial_hair=probs)
    assert le.measured_values(a)["facial_hair_kind"] == kind


# ---- reading labels.csv ------------------------------------------------------------------------------------------
def test_hostile_rows_are_skipped_with_their_line(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_text(HEADER
                 + "a/1.jpg,light,black,short,straight,none,none,none,smile,high,fine\n"
                 + "a/2.jpg,=1+2,black,short,straight,none,none,none,smile,high,\n"
                 + "../../etc/passwd,light,black,short,straight,none,none,none,smile,high,\n"
                 + "/etc/x.jpg,light,black,short,straight,none,none,none,smile,high,\n"
                 + "a/1.jpg,dark,black,short,straight,none,none,none,smile,high,twice\n"
                 + "a/3.jpg,light,black,short\n"
                 + "a/4.jpg,light,black,short,straight,none,none,none,smile,high,c,extra\n"
                 + '"a/5.jpg",Dark,Dark_Brown,LONG,wavy,beard,glasses,none,open_smile,low,"multi\nline, with comma"\n'
                 + "\n"
                 + "a/6.jpg,light,black,short,straight,none,none,none,smile,maybe,\n")
    lf = le.read_labels(p)
    assert [r.path for r in lf.rows] == ["a/1.jpg", "a/5.jpg"]
    five = lf.rows[1]
    assert five.labels["hair_colour"] == "dark_brown" and five.labels["hair_length"] == "long"
    assert five.comment == "multi\nline, with comma" and five.line == 9 and five.group == "dev"
    assert lf.root == tmp_path
    errors = dict(lf.errors)
    assert errors[3] == "skin '=1+2' is not one of light, medium, dark"
    assert errors[4] == "path '../../etc/passwd' must stay inside the photos folder (relative, no '..')"
    assert "must stay inside" in errors[5]
    assert errors[6] == "path 'a/1.jpg' is labelled twice"
    assert errors[7] == "fewer cells than columns (no hair_texture)"
    assert errors[8] == "more cells (12) than the 11 columns"
    assert errors[12] == "confidence 'maybe' is not high, low or empty"


@pytest.mark.parametrize("content, message", [
    (b"", "cannot read labels file {p}: it is empty"),
    (b"path,skin\na.jpg,light\n", "labels file {p} lacks the column(s) hair_colour, hair_length, hair_texture, "
                                  "facial_hair, glasses, headwear, expression"),
    (HEADER.encode() + b"a.jpg,\xff\xfe,black\n", "cannot read labels file {p}: not UTF-8 text"),
    (HEADER.encode() + b"a.jpg,purple,black,short,straight,none,none,none,smile,,\n",
     "labels file {p} has no usable row: line 2: skin 'purple' is not one of light, medium, dark"),
    (None, "cannot read labels file {p}: no such file"),
])
def test_unusable_labels_file_is_one_error(tmp_path, content, message):
    p = tmp_path / "labels.csv"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(LabelsFileError) as err:
        le.read_labels(p)
    assert str(err.value).startswith(message.format(p=p)), str(err.value)
    assert "\n" not in str(err.value)


def test_cli_bad_labels_file_is_one_line_and_exit_2(tmp_path):
    from assembler.cli import main

    p = tmp_path / "labels.csv"
    p.write_text("path,skin\n")
    res = CliRunner().invoke(main, ["eval", "--labels", str(p), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"Error: labels file {p} lacks the column(s) hair_colour, hair_length, hair_texture, facial_hair, glasses, "
        "headwear, expression (header: 'path,skin')"]
    assert not (tmp_path / "out").exists()  # refused before anything was written
    for flag in ("--relight", "--lineup"):
        res = CliRunner().invoke(main, ["eval", flag, str(tmp_path)])
        assert res.exit_code == 2 and "--relight, --degrade, --lineup, --workers and --resume go with --labels" \
            in res.output


# ---- tables from fixed results (no pipeline) ---------------------------------------------------------------------
def _result(row, measured, recipe, relight="", error=None, monk=None):
    return le.PhotoResult(row=row, relight=relight, error=error, measured=measured, monk=monk,
                          recipes={"search": {"values": recipe, "skin": "monk_03", "hair": "black",
                                              "parts": {"hair": "short_01"}}})


def test_agreement_confusion_and_csv_from_fixed_results(tmp_path):
    good = dict(skin="light", hair_colour="black", hair_length="short", hair_texture="straight",
                facial_hair="none", glasses="none", headwear="none", expression="smile")
    r1 = _row("a/1.jpg", hair_colour="dark_brown")
    r2 = _row("_portraits/2.jpg", skin="dark", group="portraits")
    r3 = _row("a/3.jpg", hair_colour="none", hair_length="bald")
    r1.comment = "=HYPERLINK(\"http://x\")"
    lf = le.LabelsFile(path=tmp_path / "labels.csv", root=tmp_path, rows=[r1, r2, r3])
    res = [
        _result(r1, {**good, "expression": "neutral"}, dict(good), monk=3),  # dark_brown drawn black: right
        _result(r2, dict(good), {**good, "skin": "dark"}, monk=3),  # measured light on a dark label: wrong
        _result(r3, {}, {}, error="no face found in a/3.jpg"),  # refused: a miss on every scored label
    ]
    relit = [_result(r1, {**good, "skin": "medium"}, {**good, "skin": "medium"}, relight="warm", monk=5),
             _result(r1, {}, {}, relight="dim", error="-no face")]
    rep = le.LabelsReport(labels=lf, methods=["search"], results=res, relit=relit, relightings=["warm", "dim"])
    dev_m = rep.agreement("measured", "dev")
    assert dev_m["skin"] == (1, 2) and dev_m["hair_colour"] == (1, 1)  # the bald photo's colour is not scored
    assert dev_m["hair_length"] == (1, 2) and dev_m["expression"] == (0, 2)
    assert dev_m["all"] == (1, 2)  # a wrong expression (not a core attribute) does not spoil "all"
    assert "headwear" in dev_m and dev_m["headwear"] == (0, 0)  # not measured: never scored for "measured"
    assert rep.agreement("search", "dev")["headwear"] == (1, 2)
    assert rep.agreement("measured", "portraits")["skin"] == (0, 1)
    assert rep.agreement("search", "portraits")["skin"] == (1, 1)
    conf = rep.confusion("skin", "measured")
    assert conf == {("light", "light"): 1, ("dark", "light"): 1, ("light", "?"): 1}
    # dark_brown keeps its own row; the bald photo has no hair colour to confuse
    assert rep.confusion("hair_colour", "measured") == {("dark_brown", "black"): 1, ("black", "black"): 1}
    warm, dim = rep.relight_summary()
    assert warm["measured_skin_same"] == (0, 1) and warm["measured_skin_label"] == (0, 1)
    assert warm["measured_hair_colour_same"] == (1, 1) and warm["monk_shift"] == 2.0
    assert dim["refused"] == 1 and dim["recipe_skin_same"] == (0, 1)
    md = rep.to_markdown()
    assert "| dev | measured | 50 % (1/2) | 100 % (1/1) | 50 % (1/2) |" in md
    assert "| portraits | search | 100 % (1/1) |" in md
    assert "| warm | 1 | 0 % (0/1) | 0 % (0/1) |" in md and "| dim | 1 (1 refused) |" in md
    assert "`a/3.jpg` (no face found in a/3.jpg)" in md
    lengths = md.split("### Hair length: label × got (all groups)")[1].split("###")[0]
    assert "| bald |  | 1 |" in lengths and "| short | 2 |  |" in lengths  # the refused photo is a "?"
    # facial hair kind: label × drawn, apart from "all"
    r4 = _row("a/4.jpg", facial_hair="beard")
    strap = _result(r4, {**good, "facial_hair": "present", "facial_hair_kind": "chinstrap"},
                    {**good, "facial_hair": "present", "facial_hair_kind": "chinstrap"})
    kinds = le.LabelsReport(labels=lf, methods=["search"], results=[res[0], strap])
    assert kinds.confusion("facial_hair_kind", "search") == {("none", "?"): 1, ("beard", "chinstrap"): 1}
    assert kinds.agreement("search")["facial_hair"] == (2, 2)  # present is right, whatever the kind
    kmd = kinds.to_markdown()
    assert "search: the labelled kind drawn for 0 % (0/1) of the photos with facial hair" in kmd
    assert "| label \\ got | chinstrap | ? |" in kmd and "| beard | 1 |  |" in kmd
    paths = rep.save(tmp_path / "out")
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text())))
    assert [(r["path"], r["relight"]) for r in rows] == [
        ("a/1.jpg", ""), ("_portraits/2.jpg", ""), ("a/3.jpg", ""), ("a/1.jpg", "warm"), ("a/1.jpg", "dim")]
    assert rows[0]["comment"] == "'=HYPERLINK(\"http://x\")"  # formulas neutralised
    assert rows[4]["error"] == "'-no face" and rows[0]["search_hair_part"] == "short_01"
    assert rows[0]["measured_skin"] == "light" and rows[0]["label_hair_colour"] == "dark_brown"
    assert paths["markdown"].read_text().startswith("# Glance attributes against labels")


def test_degraded_photos_are_scored_against_their_labels_and_against_the_photo_as_taken(tmp_path):
    good = dict(skin="light", hair_colour="black", hair_length="short", hair_texture="straight",
                facial_hair="none", glasses="none", headwear="none", expression="smile")
    r1, r2 = _row("a/1.jpg"), _row("a/2.jpg", glasses="glasses")
    lf = le.LabelsFile(path=tmp_path / "labels.csv", root=tmp_path, rows=[r1, r2])
    res = [_result(r1, dict(good), dict(good)), _result(r2, dict(good), {**good, "glasses": "present"})]
    degraded = [_result(r1, dict(good), {**good, "glasses": "present"}, relight="jpeg30"),  # glasses appear
                _result(r2, dict(good), {**good, "glasses": "present"}, relight="jpeg30"),
                _result(r1, dict(good), dict(good), relight="half"),
                _result(r2, {}, {}, relight="half", error="no face found")]
    rep = le.LabelsReport(labels=lf, methods=["search"], results=res, degraded=degraded,
                          degradations=["jpeg30", "half"])
    taken, jpeg, half = rep.degrade_summary()
    assert taken["degradation"] == "as taken" and taken["right"]["all"] == (2, 2) and taken["same"]["all"] == (0, 0)
    assert jpeg["right"]["glasses"] == (1, 2) and jpeg["right"]["all"] == (1, 2) and jpeg["right"]["skin"] == (2, 2)
    assert jpeg["same"]["glasses"] == (1, 2) and jpeg["same"]["all"] == (1, 2)
    assert half["refused"] == 1 and half["right"]["all"] == (1, 2) and half["same"]["all"] == (1, 2)
    md = rep.to_markdown()
    assert "### Degraded photos (2 photos × 2 degradations" in md
    every = " | ".join(["100 % (2/2)"] * 6)
    assert f"| as taken | {every} | – |" in md
    assert "| jpeg30 | 100 % (2/2) | 100 % (2/2) | 100 % (2/2) | 100 % (2/2) | 50 % (1/2) | 50 % (1/2) | 50 % (1/2) |" \
        in md
    assert "| half (1 refused) |" in md
    rows = list(csv.DictReader(io.StringIO(rep.to_csv())))
    assert [r["relight"] for r in rows] == ["", "", "jpeg30", "jpeg30", "half", "half"]


# ---- the machine-judged lineup -----------------------------------------------------------------------------------
def _unit_rows(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_lineup_picks_only_among_other_people_of_the_same_band():
    from assembler.evaluation.lineup import lineup_scores, person_of

    assert person_of("jack_dorsey/1.jpg") == "jack_dorsey" and person_of("_portraits/A.jpg") == "_portraits/A.jpg"
    e = _unit_rows(7)
    paths = ["a/1.jpg", "a/2.jpg", "_p/3.jpg", "_p/4.jpg", "_p/5.jpg", "_p/6.jpg", "_p/7.jpg"]
    photos = dict(zip(paths, e))
    bands = dict(zip(paths, ["light"] * 5 + ["dark", "dark"]))
    # avatars that are the photo itself: the judge always picks its own
    assert all(v == 1.0 for k, v in lineup_scores(photos, photos, bands).items() if bands[k] == "light")
    # a/2's avatar looks exactly like a/1's photo: the same person is never a foil, so a/1 is still picked
    twin = {**photos, "a/2.jpg": photos["a/1.jpg"]}
    assert lineup_scores(photos, twin, bands)["a/1.jpg"] == 1.0
    # ... but a light photo's avatar that looks like the dark photo is a foil of neither dark photo
    dark = {**photos, "_p/3.jpg": photos["_p/6.jpg"]}
    assert lineup_scores(photos, dark, bands)["_p/6.jpg"] is None  # one foil of its band: no lineup of four
    # identical avatars: the own avatar never beats a foil
    same = {k: e[0] for k in paths}
    assert lineup_scores(photos, same, bands)["_p/3.jpg"] == 0.0
    # exact: 3 of the 4 foils below the own avatar -> C(3,3) / C(4,3) = 1/4
    target = photos["_p/3.jpg"]
    avatars = {"_p/3.jpg": target, "a/1.jpg": -target, "a/2.jpg": -target, "_p/4.jpg": -target, "_p/5.jpg": target}
    assert lineup_scores(photos, avatars, bands)["_p/3.jpg"] == pytest.approx(0.25)


def test_lineup_report_from_fixed_embeddings(tmp_path):
    good = dict(skin="light", hair_colour="black", hair_length="short", hair_texture="straight",
                facial_hair="none", glasses="none", headwear="none", expression="smile")
    rows = [_row(f"_p/{i}.jpg") for i in range(6)]
    e = _unit_rows(6, seed=1)
    res = []
    for i, r in enumerate(rows):
        pr = _result(r, dict(good), dict(good))
        pr.recipes["random"] = {"values": dict(good)}
        # search draws the person (its avatar is the photo); random draws one face for everybody
        pr.lineup = {"photo": list(e[i]), "search": list(e[i]), "random": list(e[0])}
        res.append(pr)
    lf = le.LabelsFile(path=tmp_path / "labels.csv", root=tmp_path, rows=rows)
    rep = le.LabelsReport(labels=lf, methods=["search", "random"], results=res, lineup=True)
    s = rep.lineup_summary()
    assert s["methods"]["search"]["photos"] == 6 and s["methods"]["search"]["mean"] == 1.0
    assert s["methods"]["random"]["mean"] == 0.0
    assert s["paired"]["random"]["better"] == 6 and s["paired"]["random"]["sign_test_p"] < 0.05
    md = rep.to_markdown()
    assert "### Lineup, judged by machine" in md and "| search | 6 | 100 % (100–100) |" in md
    assert "| random | 6 | 6 | 0 | 0 | 0.031 | +100 points |" in md
    csv_rows = list(csv.DictReader(io.StringIO(rep.to_csv())))
    assert [r["search_lineup"] for r in csv_rows] == ["1.0"] * 6 and csv_rows[0]["random_lineup"] == "0.0"
    # too few people of one band: said so, never a figure
    small = le.LabelsReport(labels=lf, methods=["search"], results=res[:3], lineup=True)
    assert "No photo has 3 foils: a lineup needs photos of at least 4 people" in small.to_markdown()


def test_degradations_are_deterministic_and_lose_what_they_say(astronaut):
    img = np.ascontiguousarray(astronaut[::2, ::2])
    err = {n: float(np.abs(degrade(img, n).astype(int) - img).mean()) for n in ("jpeg75", "jpeg50", "jpeg30")}
    assert 0 < err["jpeg75"] < err["jpeg50"] < err["jpeg30"]  # lower quality, more lost
    assert degrade(img, "half").shape == (128, 128, 3) and degrade(img, "third").shape == (85, 85, 3)
    for name in DEGRADATIONS:
        once = degrade(img, name)
        assert once.dtype == np.uint8 and once.tobytes() == degrade(img.copy(), name).tobytes()
    with pytest.raises(UnknownNameError, match="unknown degradation 'jpeg3'; did you mean 'jpeg30'"):
        degrade(img, "jpeg3")
    with pytest.raises(ValueError, match="H×W×3 uint8"):
        degrade(img.astype(np.float32), "half")


# ---- relighting --------------------------------------------------------------------------------------------------
def _rb(img):
    lin = srgb_to_linear(img)
    return lin[..., 0].mean() / lin[..., 2].mean()


def test_relightings_are_deterministic_linear_light_transforms(astronaut):
    img = np.ascontiguousarray(astronaut[::4, ::4])
    assert _rb(relight(img, "warm")) > 1.8 * _rb(img)  # a warm light: red up against blue
    assert _rb(relight(img, "stage")) > 1.8 * _rb(relight(img, "warm"))
    assert _rb(relight(img, "cool")) < 0.7 * _rb(img)
    lin, dim = srgb_to_linear(img), srgb_to_linear(relight(img, "dim"))
    mid = (lin > 0.05) & (lin < 0.9)
    assert np.allclose(dim[mid], 0.5 * lin[mid], rtol=0.03, atol=0.002)  # half the light, not half the values
    bright = relight(img, "bright")
    assert bright.max() == 255 and (bright >= img).all()
    haze = relight(img, "haze")
    assert haze.min() > 100 and haze.astype(float).std() < img.astype(float).std()
    for name in ("green", "magenta", "warm"):  # colour casts keep the luminance of a mid grey
        g = relight_gains(name)
        assert abs(float(g @ [0.2126, 0.7152, 0.0722]) - 1.0) < 1e-9
    g = relight_gains("green")
    assert g[1] > g[0] and g[1] > g[2]
    for name in RELIGHTINGS:
        once, again = relight(img, name), relight(img.copy(), name)
        assert once.dtype == np.uint8 and once.shape == img.shape and once.tobytes() == again.tobytes()
    assert len({relight(img, n).tobytes() for n in RELIGHTINGS}) == len(RELIGHTINGS)
    with pytest.raises(UnknownNameError, match="unknown relighting 'wram'; did you mean 'warm'"):
        relight(img, "wram")


# ---- one real run ------------------------------------------------------------------------------------------------
def test_cli_labels_run_on_two_photos(tmp_path, data_dir):
    from assembler.cli import main

    for folder, name in (("barack_obama", "obama.jpg"), ("joe_biden", "biden2.jpg")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).symlink_to(data_dir / name)
    labels = tmp_path / "labels.csv"
    labels.write_text(HEADER
                      + "barack_obama/obama.jpg,medium,gray,buzz,coily,none,none,none,open_smile,high,\n"
                      + "joe_biden/biden2.jpg,light,white,short,straight,none,none,none,open_smile,high,@SUM(1)\n"
                      + "joe_biden/x.jpg,light,white,short,straight,none,none,none,open_smile,high,=1\n"
                      + "joe_biden/x.jpg,light,white,short,straight,none,none,none,open_smile,high,\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["eval", "--labels", str(labels), "--methods", "search,attributes", "--relight",
                                    "--relight-folders", "barack_obama", "--degrade", "--lineup", "--quiet",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    md = (out / "eval_labels.md").read_text()
    assert "3 photos (dev 3); methods: `search`, `attributes`; 1 label row(s) skipped" in md
    for source in ("measured", "search", "attributes"):
        assert f"| dev | {source} | " in md
    assert "Label rows skipped: line 5: path 'joe_biden/x.jpg' is labelled twice" in md
    assert "Photos the pipeline refused (1, a miss on every attribute): `joe_biden/x.jpg` (cannot read image" in md
    assert "### Relighting (1 photos × 8 relightings" in md
    rows = list(csv.DictReader((out / "eval_labels.csv").open()))
    assert len(rows) == 3 + 8 + 3 * 5 and [r["relight"] for r in rows[3:11]] == list(RELIGHTINGS)
    assert {r["path"] for r in rows[3:11]} == {"barack_obama/obama.jpg"}
    assert [r["relight"] for r in rows[11:]] == [n for n in DEGRADATIONS for _ in range(3)]
    assert "### Degraded photos (3 photos × 5 degradations" in md and "| third (1 refused) |" in md
    assert all(r["search_skin"] in le.SKIN_BANDS for r in rows[11:] if r["path"] != "joe_biden/x.jpg")
    obama, biden = rows[0], rows[1]
    assert biden["comment"] == "'@SUM(1)" and rows[2]["error"].startswith("cannot read image")
    for r in (obama, biden):  # every attribute was measured and drawn
        assert r["monk_measured"].isdigit() and r["search_skin_color"].startswith("monk_")
        assert r["measured_skin"] in le.SKIN_BANDS and r["search_hair_length"] in le.LENGTHS
        assert r["attributes_error"] == "" and r["search_hair_part"]
    assert rows[3]["attributes_skin"] == "" and rows[3]["search_skin"] in le.SKIN_BANDS  # relit: first method only
    # the lineup: the judge embedded both photos and their avatars, but two people make no lineup of four
    assert "### Lineup, judged by machine" in md and "No photo has 3 foils" in md
    assert obama["search_lineup"] == "" and "lineup" in md.split("Median time per photo:")[1]
    progress = [json.loads(line) for line in (out / "eval_labels.progress.jsonl").read_text().splitlines()]
    judged = [p["out"]["lineup"] for p in progress if "lineup" in p["out"]]
    assert len(judged) == 2 and all(len(j) == 3 for j in judged)  # the photo, search's and attributes' avatars
    assert all(abs(np.linalg.norm(v) - 1.0) < 0.01 for j in judged for v in j.values())
    assert "wrote " in res.output


def test_a_refused_photo_is_recorded_but_a_missing_model_stops_the_run(tmp_path, monkeypatch):
    import importlib

    from assembler.errors import ModelFileNotFoundError, NoFaceError

    analyze_module = importlib.import_module("assembler.analysis")

    p = tmp_path / "labels.csv"
    p.write_text(HEADER + "a/1.jpg,light,black,short,straight,none,none,none,smile,high,\n")
    raised: list[Exception] = [NoFaceError("no face found in a/1.jpg")]

    def analyzer(*args, **kwargs):
        raise raised[0]

    monkeypatch.setattr(analyze_module, "get_analyzer", lambda: analyzer)
    rep = le.evaluate_labels(p, ["search"], progress=False)
    assert rep.results[0].error == "no face found in a/1.jpg" and rep.agreement("search")["skin"] == (0, 1)
    raised[0] = ModelFileNotFoundError("model file x is missing")
    with pytest.raises(ModelFileNotFoundError):
        le.evaluate_labels(p, ["search"], progress=False)
    with pytest.raises(UnknownNameError, match="unknown method 'serch'; did you mean 'search'"):
        le.evaluate_labels(p, ["serch"], progress=False)


def test_resume_reuses_the_results_of_an_interrupted_run(tmp_path, monkeypatch):
    import importlib

    from assembler.errors import NoFaceError

    analyze_module = importlib.import_module("assembler.analysis")
    p = tmp_path / "labels.csv"
    p.write_text(HEADER + "a/1.jpg,light,black,short,straight,none,none,none,smile,high,\n"
                 + "a/2.jpg,dark,black,short,straight,none,none,none,smile,high,\n")
    calls: list[str] = []

    def analyzer(image, **kwargs):
        calls.append(str(image))
        raise NoFaceError(f"no face found in {image}")

    monkeypatch.setattr(analyze_module, "get_analyzer", lambda: analyzer)
    log = tmp_path / "progress.jsonl"
    le.evaluate_labels(p, ["search"], progress=False, progress_file=log)
    assert len(calls) == 2 and len(log.read_text().splitlines()) == 2
    lines = log.read_text().splitlines()
    log.write_text(lines[0] + "\n" + lines[1][:20])  # the second result was cut short by a kill
    calls.clear()
    rep = le.evaluate_labels(p, ["search"], progress=False, progress_file=log, resume=True)
    assert calls == [str(tmp_path / "a/2.jpg")] and rep.reused == 1  # only the lost photo is analysed again
    assert [r.error for r in rep.results] == [f"no face found in {tmp_path / 'a/1.jpg'}",
                                              f"no face found in {tmp_path / 'a/2.jpg'}"]
    assert "1 results reused from an interrupted run" in rep.to_markdown()
    calls.clear()
    le.evaluate_labels(p, ["search", "attributes"], progress=False, progress_file=log, resume=True)
    assert len(calls) == 2  # other methods: nothing to reuse
    calls.clear()
    le.evaluate_labels(p, ["search", "attributes"], progress=False, progress_file=log)
    assert len(calls) == 2  # without --resume everything is recomputed
