"""The identity evaluation (assembler.evaluation, `memoji eval`) on the public-domain photos with an injected make."""
from __future__ import annotations

import importlib
import json
import shutil
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from assembler.errors import ImageReadError, NoFaceError
from assembler.records import Attributes

ev = importlib.import_module("assembler.evaluation")

PHOTOS = {"obama": ("obama.jpg", "obama2.jpg"), "biden": ("biden.jpg", "biden2.jpg")}


@pytest.fixture(scope="module")
def faces_dir(tmp_path_factory, data_dir):
    """DIR/<person>/<photos> + a non-face photo, an excluded hard/ and _singles/ folder, and a manifest.csv."""
    root = tmp_path_factory.mktemp("faces")
    for person, names in PHOTOS.items():
        (root / person).mkdir()
        for n in names:
            shutil.copy(data_dir / n, root / person / n)
    Image.new("RGB", (200, 200), (120, 130, 140)).save(root / "biden" / "blank.png")
    for skipped in ("hard", "_singles"):
        (root / skipped).mkdir()
        shutil.copy(data_dir / "obama.jpg", root / skipped / "x.jpg")
    (root / "manifest.csv").write_text(
        "path,identity,notes\n" + "".join(f"{p}/{n},{p},male; no beard; dark hair; light skin\n"
                                           for p, ns in PHOTOS.items() for n in ns))
    return root


@pytest.fixture(scope="module")
def analyzed(faces_dir):
    """Real analysis of every photo, once (the fake make and the harness share it)."""
    from assembler.analysis import analyze

    cache = {}

    def analyze_fn(path):
        key = str(path)
        if key not in cache:
            try:
                cache[key] = analyze(path, max_faces=1)[0]
            except NoFaceError as err:
                cache[key] = err
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    return analyze_fn


class FakeRecipe(dict):
    def to_dict(self):
        return dict(self)


SEARCH_S = {"obama.jpg": 0.001, "obama2.jpg": 0.002, "biden.jpg": 0.004, "biden2.jpg": 0.010}  # median: 3 ms


def fake_make_factory(analyze_fn):
    """``search``: the avatar *is* the photo (the judge must rank like the photo ceiling; recipe agrees with the
    attributes). ``random``: one flat grey face for everybody, dark skin, beard and glasses (disagrees).
    ``attributes``: always fails."""
    seeds: dict[str, set] = {}
    attrs = Attributes(backend="fake", skin_tone=3, hair_color="dark_brown", facial_hair={"beard": 0.1},
                       glasses=0.1)

    def make_fn(path, *, method, seed):
        assert seed == 0 if method != "random" else 0 < seed < 100_000  # random: one draw per photo
        seeds.setdefault(method, set()).add(seed)
        face = analyze_fn(path)
        face.attributes = attrs
        if method == "attributes":
            raise NoFaceError(f"pretend failure for {path.name}")
        if method == "search":
            img = Image.open(path).convert("RGBA")
            recipe = FakeRecipe(parts={"face": "f1", "facial_hair": None, "glasses": None},
                                colors={"skin": "monk_04", "hair": "#3a2a20"})
            lm = face.landmarks
        else:
            img = Image.new("RGBA", (256, 256), (200, 200, 200, 255))
            from parts_library import frame

            lm = frame.MEAN_SHAPE * 0.25
            recipe = FakeRecipe(parts={"face": "f2", "facial_hair": "full_beard_01", "glasses": "round_01"},
                                colors={"skin": "monk_10", "hair": "platinum"})
        # the make times its own stages (no "total": the harness times the whole call); search time varies by photo
        return SimpleNamespace(image=img, landmarks=lm, recipe=recipe, face=face,
                               timings={"analyze": 0.01, "search": SEARCH_S[path.name], "render": 0.003})

    make_fn.seeds = seeds
    return make_fn


@pytest.fixture(scope="module")
def report(faces_dir, analyzed):
    make_fn = fake_make_factory(analyzed)
    rep = ev.evaluate(faces_dir, ["search", "attributes", "random"], make_fn=make_fn, analyze_fn=analyzed,
                      progress=False, thumb=64)
    rep.seeds = make_fn.seeds
    return rep


def test_collect_photos_skips_hard_and_underscore_folders(faces_dir, tmp_path):
    people = ev.collect_photos(faces_dir)  # faces_dir also holds hard/x.jpg and _singles/x.jpg
    assert list(people) == ["biden", "obama"]
    assert [p.name for p in people["biden"]] == ["biden.jpg", "biden2.jpg", "blank.png"]
    assert list(ev.collect_photos(faces_dir, exclude=("biden",))) == ["hard", "obama"]  # the exclude list is a choice
    with pytest.raises(ImageReadError, match=r"^cannot evaluate .*nope: not a folder \(expected DIR/<person>/"):
        ev.collect_photos(faces_dir / "nope")
    for skipped in ("hard", "_singles", ".hidden"):  # only skipped folders: nothing to evaluate is an error
        (tmp_path / skipped).mkdir()
        shutil.copy(faces_dir / "hard" / "x.jpg", tmp_path / skipped / "x.jpg")
    with pytest.raises(ImageReadError, match=r"^no photos in "):
        ev.collect_photos(tmp_path)


def test_photos_without_a_face_are_reported_and_skipped(report):
    failed = [p for p in report.photos if not p.ok]
    assert [p.path.name for p in failed] == ["blank.png"] and failed[0].error
    assert len(report.gallery) == 4
    assert "Skipped 1 photo(s) where analysis failed: biden/blank.png" in report.to_markdown()


def test_retrieval_ranks_an_identical_avatar_like_the_photo(report):
    photo = {a.photo: a for a in report.rows("photo")}
    for a in report.rows("search"):
        assert a.ok and a.cos_own == pytest.approx(1.0, abs=1e-4)
        assert a.rank == photo[a.photo].rank and a.n_candidates == 3 and a.n_positives == 1
    s = {r["method"]: r for r in report.summary()}
    assert s["search"]["top1"] == s["photo"]["top1"] == 1.0  # the judge separates Obama from Biden
    assert s["search"]["mean_rank"] == 1.0 and s["search"]["cos_same"] > s["search"]["cos_other"] + 0.2
    # the same grey face for everyone: cosine to the own photo is low, ranks are no better than the real one
    assert s["random"]["cos_own"] < 0.5 and s["random"]["mean_rank"] >= s["search"]["mean_rank"]
    assert s["search"]["chance_top1"] == pytest.approx(1 / 3) and s["search"]["chance_rank"] == pytest.approx(2.0)


def test_paired_comparison_counts_photos_where_the_full_method_ranks_better(report):
    paired = {r["versus"]: r for r in report.paired()}
    search = {a.photo: a.rank for a in report.rows("search")}
    rnd = {a.photo: a.rank for a in report.rows("random") if a.ok}
    r = paired["random"]
    assert r["photos"] == len(rnd) == 4
    assert r["better"] == sum(search[p] < rnd[p] for p in rnd) and r["worse"] == sum(search[p] > rnd[p] for p in rnd)
    assert r["better"] + r["tied"] + r["worse"] == 4 and 0.0 < r["sign_test_p"] <= 1.0
    d = [search[p] - rnd[p] for p in rnd]
    assert r["rank_diff"] == pytest.approx(np.mean(d))
    lo, hi = r["rank_diff_ci95"]
    assert min(d) <= lo <= r["rank_diff"] <= hi <= max(d)  # a bootstrap interval of the mean lies within the data
    assert paired["attributes"]["photos"] == 0  # every attributes avatar failed: nothing to pair
    assert "| versus | photos | better | tied | worse | sign-test p | mean rank difference (95 % CI) |" \
        in report.to_markdown()


def test_wilson_interval():
    lo, hi = ev.stats.wilson(5, 27)
    assert lo == pytest.approx(0.082, abs=1e-3) and hi == pytest.approx(0.367, abs=1e-3)
    assert ev.stats.wilson(0, 10)[0] == 0.0 and ev.stats.wilson(10, 10)[1] == 1.0


def test_random_baseline_draws_one_avatar_per_photo(report):
    assert report.seeds["search"] == {0} and len(report.seeds["random"]) == 4


def test_failures_of_a_method_are_counted_not_fatal(report):
    s = {r["method"]: r for r in report.summary()}
    assert s["attributes"]["avatars"] == 0 and s["attributes"]["failed"] == 4
    md = report.to_markdown()
    assert "| attributes | 0 (4 failed) |" in md and "pretend failure for obama.jpg" in md


def test_attribute_agreement(report):
    s = {r["method"]: r for r in report.summary()}
    for key in ("skin", "hair", "beard", "glasses", "skin_notes", "hair_notes", "beard_notes", "glasses_notes"):
        assert s["search"]["agreement"][key] == (1.0, 4), key
        assert s["random"]["agreement"][key] == (0.0, 4), key
    a = Attributes(backend="x", skin_tone=7, hair_color="auburn", facial_hair={"stubble": 0.9, "beard": 0.2},
                   glasses=0.8)
    got = ev.attribute_agreement({"parts": {"glasses": "aviator_02", "facial_hair": "stubble_01"},
                                  "colors": {"skin": "skin/monk_08", "hair": "#b24a22"}}, a)
    assert got == {"skin": True, "hair": True, "beard": True, "glasses": True}  # stubble is not a beard
    got = ev.attribute_agreement({"parts": {}, "colors": {"skin": "monk_05", "hair": "blonde"}}, a,
                                 {"beard": True, "glasses": True, "skin": (1, 5), "hair": {"gray", "white"}})
    assert got == {"skin": False, "hair": False, "beard": True, "glasses": False, "beard_notes": False,
                   "glasses_notes": False, "skin_notes": True, "hair_notes": False}


def test_judge_detector_and_timings_are_reported(report):
    s = {r["method"]: r for r in report.summary()}
    # the judge's own face detector finds the face in an avatar that is the photo, none in a flat grey square
    assert s["search"]["detected"] == 1.0 and s["random"]["detected"] == 0.0
    # the make's stage times: the median over the photos, in ms (search took 1, 2, 4 and 10 ms)
    t = s["search"]["timings_ms"]
    assert t["search"] == pytest.approx(3.0) and t["analyze"] == pytest.approx(10.0)
    # what the make does not time, the harness does: the whole make call, and the judge on every avatar and photo
    assert set(t) == {"analyze", "search", "render", "total", "judge"}
    for a in report.rows("search") + report.rows("photo"):
        assert a.timings["judge"] > 0, a.photo
    assert all(a.timings["total"] > 0 for a in report.rows("search"))
    assert s["photo"]["timings_ms"].keys() == {"judge"}
    # and the report shows them: | method | analyze | classify | search | render | total | judge |
    row = next(line for line in report.to_markdown().splitlines() if line.startswith("| search | 10 |"))
    assert row.split(" | ")[2:4] == ["–", "3"]


def test_report_files_and_contact_sheet(report, tmp_path):
    paths = report.save(tmp_path)
    md = paths["markdown"].read_text()
    assert md.splitlines()[2].startswith("| method | avatars | top-1 (95 % CI) | top-3 | mean rank |")
    assert "| **search** | 4 | 100 % (51–100) | 100 % | 1.0 |" in md
    data = json.loads(paths["json"].read_text())
    assert len(data["avatars"]) == 4 + 3 * 4 and data["judge"] == "facenet-casia-opencv"
    sheet = Image.open(paths["contact_sheet"])
    # photo | 3 methods | judge's top 3; 4 gallery rows of 64 px thumbs
    assert sheet.size == (6 + 7 * (64 + 6), 18 + 6 + 4 * (64 + 18 + 6))
    px = np.asarray(sheet.convert("RGB"))
    assert px.std() > 20  # photos and avatars were drawn, not a blank sheet


def test_cli_eval(faces_dir, analyzed, monkeypatch, tmp_path):
    from assembler.cli import main

    monkeypatch.setattr(ev.run, "_default_make", fake_make_factory(analyzed))
    monkeypatch.setattr(ev.run, "_default_analyze", analyzed)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["eval", str(faces_dir), "-o", str(out), "--methods", "search,random",
                                    "--quiet", "--no-detect"])
    assert res.exit_code == 0, res.output
    assert "| **search** | 4 | 100 % (51–100) |" in res.output
    assert (out / "eval.md").is_file() and (out / "contact_sheet.png").is_file()
    assert sorted(p.name for p in (out / "avatars" / "obama").iterdir())[:2] == [
        "obama2__random.png", "obama2__random.recipe.json"]
    res = CliRunner().invoke(main, ["eval", str(faces_dir), "--methods", "serch"])
    assert res.exit_code == 2
    assert "Error: unknown method 'serch'; did you mean 'search'? (methods: search, attributes, greedy, random)" \
        in res.output


def test_real_make_on_the_public_domain_photos(faces_dir, analyzed):
    """The harness with the real make (no injection): every avatar is made, timed stage by stage, judged, and its
    recipe agrees with the notes (all four: clean-shaven, no glasses)."""
    from parts_library import load_library

    sub = faces_dir.parent / "real_make"
    if not sub.exists():
        for person, names in PHOTOS.items():
            (sub / person).mkdir(parents=True)
            for n in names:
                (sub / person / n).symlink_to(faces_dir / person / n)
    shutil.copy(faces_dir / "manifest.csv", sub / "manifest.csv")
    rep = ev.evaluate(sub, ["search"], analyze_fn=analyzed, progress=False, detect=False, thumb=64)
    s = {r["method"]: r for r in rep.summary()}
    assert s["search"]["avatars"] == 4 and s["search"]["failed"] == 0, rep.to_markdown()
    assert set(s["search"]["timings_ms"]) >= {"analyze", "search", "render", "total", "judge"}
    lib = load_library()
    for a in rep.rows("search"):
        assert a.rank is not None and a.n_candidates == 3 and a.n_positives == 1
        for cat, pid in a.recipe["parts"].items():
            assert pid is None or lib.get(pid, cat).id == pid, (cat, pid)
        assert a.recipe["parts"]["facial_hair"] is None and a.recipe["parts"]["glasses"] is None, a.photo
    agreement = s["search"]["agreement"]
    assert agreement["beard_notes"] == (1.0, 4) and agreement["glasses_notes"] == (1.0, 4)


def test_human_notes_are_parsed_into_truth(tmp_path):
    (tmp_path / "manifest.csv").write_text(
        "path,identity,notes\n"
        'a/1.jpg,a,"male; Black; dark-brown skin; short graying hair"\n'
        "b/1.jpg,b,female; RED hair; fair skin\n"
        "c/1.jpg,c,male; glasses; gray stubble/beard; light skin\n"
        "d/1.jpg,d,male; curly black hair; beard; light-olive skin\n")
    t = ev.photos.notes_truth(tmp_path)
    assert t["a/1.jpg"] == {"beard": False, "glasses": False, "skin": (6, 10), "hair": {"gray", "white"}}
    assert t["b/1.jpg"] == {"beard": False, "glasses": False, "skin": (1, 5), "hair": {"red"}}
    assert t["c/1.jpg"] == {"beard": True, "glasses": True, "skin": (1, 5)}
    assert t["d/1.jpg"] == {"beard": True, "glasses": False, "hair": {"black", "brown"}}
