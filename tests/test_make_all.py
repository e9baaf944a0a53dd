"""Every face in a group photo: one analysis, one avatar per face above the size floor, small faces reported, a
group picture with each avatar where its face was; ``memoji make --all-faces``. The group photo is built here from
the public-domain photos (Obama and Biden side by side)."""
from __future__ import annotations

import copy
import importlib
import io
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from assembler import make_all
from assembler.cli import main
from assembler.errors import NoFaceError
from assembler.group import GROUP_BACKGROUND, AvatarGroup

analyze_module = importlib.import_module("assembler.analysis")
OBAMA_H, BIDEN_SIDE, GAP, BIDEN_Y = 560, 380, 40, 150


@pytest.fixture(scope="module")
def pair_photo(tmp_path_factory, obama_path, biden_path):
    obama = Image.open(obama_path).convert("RGB")
    obama = obama.resize((round(obama.width * OBAMA_H / obama.height), OBAMA_H), Image.LANCZOS)
    biden = Image.open(biden_path).convert("RGB").resize((BIDEN_SIDE, BIDEN_SIDE), Image.LANCZOS)
    canvas = Image.new("RGB", (obama.width + GAP + BIDEN_SIDE, OBAMA_H), (200, 200, 200))
    canvas.paste(obama, (0, 0))
    canvas.paste(biden, (obama.width + GAP, BIDEN_Y))
    path = tmp_path_factory.mktemp("group") / "pair.png"
    canvas.save(path)
    return path, obama.width


@pytest.fixture(scope="module")
def analysed(pair_photo):
    """make_all on the pair, counting the analyzer's calls and keeping the faces it found."""
    real = analyze_module.get_analyzer()
    calls, found = [], []

    def counting(image, **kwargs):
        calls.append(kwargs)
        faces = real(image, **kwargs)
        found.extend(copy.deepcopy(faces))
        return faces

    original = analyze_module.get_analyzer
    analyze_module.get_analyzer = lambda *a, **k: counting
    try:
        group = make_all(pair_photo[0], size=128)
    finally:
        analyze_module.get_analyzer = original
    return group, calls, found


@pytest.fixture
def cached_analyzer(analysed, monkeypatch):
    """The analyzer replaced by the faces already found (so the floor and CLI tests need no second analysis)."""
    found = analysed[2]
    monkeypatch.setattr(analyze_module, "get_analyzer", lambda *a, **k: (lambda image, **kw: copy.deepcopy(found)))
    return found


def test_one_analysis_gives_one_avatar_per_face(analysed, pair_photo):
    group, calls, found = analysed
    assert calls == [{"max_faces": None}]  # the photo is analysed once, every face at once
    assert isinstance(group, AvatarGroup) and isinstance(group, list) and len(group) == 2
    assert group.faces_found == len(found) >= 2 and group.photo_size == Image.open(pair_photo[0]).size
    centres = [float((a.face.box[0] + a.face.box[2]) / 2) for a in group]
    split = pair_photo[1] + GAP / 2
    assert sorted(c > split for c in centres) == [False, True]  # one avatar in each half: Obama and Biden
    a, b = (x.recipe for x in group)
    assert (a.parts, a.colors) != (b.parts, b.colors)
    assert all(x.size == 128 and x.png for x in group)


def test_the_group_picture_places_each_avatar_on_its_face(analysed):
    group = analysed[0]
    img = group.group_image()
    assert img.size == group.photo_size and img.mode == "RGBA"
    px = np.asarray(img.convert("RGB"), dtype=np.int16)
    bg = np.array(Image.new("RGB", (1, 1), GROUP_BACKGROUND).getpixel((0, 0)))
    assert np.abs(px[0, 0] - bg).max() <= 1
    alpha = np.asarray(group.group_image(background=None))[..., 3]
    assert alpha[0, 0] == 0 and 0.05 < (alpha > 0).mean() < 0.9
    for avatar in group:
        x0, y0, x1, y1 = (float(v) for v in avatar.face.box)
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 4, (y1 - y0) / 4
        patch = alpha[round(cy - hh):round(cy + hh), round(cx - hw):round(cx + hw)]  # the middle of the face box
        assert (patch == 255).all(), "no avatar where the face was"
    webp = Image.open(io.BytesIO(group.group_bytes("webp")))
    assert webp.format == "WEBP" and webp.size == group.photo_size
    svg = group.group_bytes("svg").decode()
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids)) and any(i.startswith("a0-") for i in ids) and any(i.startswith("a1-") for i in ids)
    small = group.group_image(max_side=300)
    assert max(small.size) == 300


def test_faces_below_the_floor_are_reported_not_drawn(analysed, cached_analyzer, pair_photo):
    group = analysed[0]
    widths = sorted(float(a.face.box[2] - a.face.box[0]) for a in group)
    floor = (widths[0] + widths[1]) / 2
    one = make_all(pair_photo[0], min_face_px=floor, size=64)
    assert len(one) == 1 and float(one[0].face.box[2] - one[0].face.box[0]) == pytest.approx(widths[1])
    assert any(s.width_px == pytest.approx(widths[0]) for s in one.skipped)
    assert "too small to draw" in one.summary() and f"under {floor:g} px wide" in one.summary()
    with pytest.raises(NoFaceError, match=r"no face large enough to draw .*: \d+ found, all under 5000 px wide"):
        make_all(pair_photo[0], min_face_px=5000)
    with pytest.raises(TypeError, match="one group photo"):
        make_all([pair_photo[0], pair_photo[0]])


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    return result.exit_code, result.output


def test_cli_all_faces_writes_every_avatar_and_the_group(tmp_path, cached_analyzer, pair_photo):
    out = tmp_path / "out"
    code, text = run("make", pair_photo[0], "--all-faces", "-o", out, "--size", "64", "--format", "webp")
    assert code == 0, text
    names = sorted(p.name for p in out.iterdir())
    for n in (1, 2):
        assert {f"pair_face{n}.webp", f"pair_face{n}.svg", f"pair_face{n}.recipe.json"} <= set(names)
    assert {"pair_group.webp", "pair_group.svg"} <= set(names)
    assert f"{len(cached_analyzer)} face(s) found, 2 drawn" in text
    recipes = [json.loads((out / f"pair_face{n}.recipe.json").read_text()) for n in (1, 2)]
    assert recipes[0]["parts"] != recipes[1]["parts"] or recipes[0]["colors"] != recipes[1]["colors"]
    code, text = run("make", pair_photo[0], "--all-faces", "-o", out, "--min-face-px", "5000")
    assert code == 3 and text.count("\n") == 1 and "no face large enough to draw" in text


def test_cli_all_faces_usage_errors(tmp_path, pair_photo):
    photo = pair_photo[0]
    for args, message in (((photo, photo, "--all-faces"), "--all-faces takes one group photo"),
                          ((photo, "--all-faces", "--face-index", "1"), "leave out --face-index"),
                          ((photo, "--min-face-px", "40"), "--min-face-px goes with --all-faces")):
        code, text = run("make", *args, "-o", tmp_path / "o")
        assert code == 2 and text.count("\n") == 1 and message in text, text
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_six_face_group_photo(tmp_path, shared_faces):
    photo = shared_faces / "hard" / "group_6faces_multiface.jpg"
    code, text = run("make", photo, "--all-faces", "-o", tmp_path, "--size", "96")
    assert code == 0, text
    assert "6 face(s) found, 6 drawn" in text
    assert len(list(tmp_path.glob("group_6faces_multiface_face*.png"))) == 6
    group = Image.open(tmp_path / "group_6faces_multiface_group.png")
    assert group.size == Image.open(photo).size
