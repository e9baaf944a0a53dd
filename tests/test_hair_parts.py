"""Hair parts (issue 18, item 3; issue 21, the hair families split by concern): the catalogue covers the styles people
ask for, every part says its length, texture and fringe in the words the search reads, extras are data, and the
layers do what they claim (long hair behind and in front of the shoulders, short cuts close to the skull)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

from parts_library.families import hair
from parts_library.families.common import CRANIUM_CY, CRANIUM_RX, CRANIUM_TOP, CX, SHOULDER_Y
from parts_library.library import load_library
from parts_library.renderer import part_alpha

LIB = load_library()
PARTS = {p.id: p for p in LIB.parts("hair")}
SPECS = {h.key: h for h in hair.HAIR}
LENGTHS = {"bald", "buzz", "short", "medium", "long"}
TEXTURES = {"straight", "wavy", "curly", "coily"}

# the styles issue 18 names, each as the tags (all of them) a part drawing it carries
STYLES = {
    "bald": {"bald"}, "shaved": {"shaved"}, "buzz": {"buzz"}, "receding": {"receding"}, "balding": {"balding"},
    "crew": {"crew"}, "side part": {"side_part", "short"}, "quiff": {"quiff"}, "pompadour": {"pompadour"},
    "slick-back": {"slick_back"}, "undercut": {"undercut"}, "curtains": {"curtain", "short"}, "bowl": {"bowl"},
    "pixie": {"pixie"}, "bob": {"bob"}, "lob": {"lob"}, "shoulder-length": {"shoulder_length"},
    "long straight": {"long", "straight"}, "long wavy": {"long", "wavy"}, "long curly": {"long", "curly"},
    "ponytail": {"ponytail"}, "bun": {"bun"}, "top knot": {"top_knot"}, "braids": {"braids"},
    "box braids": {"box_braids"}, "cornrows": {"cornrows"}, "locs": {"locs"}, "twists": {"twists"},
    "afro": {"afro"}, "afro puffs": {"puffs"}, "high top": {"high_top"},
}


def test_at_least_80_hair_parts_cover_every_style_asked_for():
    assert len(PARTS) >= 80
    assert set(PARTS) == set(SPECS)  # the manifest is the catalogue
    missing = [style for style, tags in STYLES.items() if not any(tags <= set(p.tags) for p in PARTS.values())]
    assert not missing, missing


def test_the_parts_the_recipes_and_golden_tests_name_still_exist():
    for pid in ("bald_01", "buzz_01", "spiky_01", "pixie_01", "side_part_01", "afro_01", "bob_03", "bun_02",
                "curly_02", "long_straight_02", "long_wavy_01", "long_wavy_02", "ponytail_01"):
        assert pid in PARTS, pid


@pytest.mark.parametrize("pid", sorted(SPECS))
def test_every_part_says_its_length_and_texture(pid):
    tags = set(PARTS[pid].tags)
    assert tags & LENGTHS, "no length class"
    if "bald" not in tags:
        assert len(tags & TEXTURES) == 1, "one texture"


def test_the_fringe_tag_is_what_covers_the_forehead():
    """Parts tagged ``fringe`` cover the forehead band (the descriptor's last entry, what the photo's fringe is measured
    as) more than every part without the tag, so the search's fringe constraint keeps or drops the right ones."""
    with_f = {pid: p.descriptor[-1] for pid, p in PARTS.items() if "fringe" in p.tags}
    without = {pid: p.descriptor[-1] for pid, p in PARTS.items() if "fringe" not in p.tags}
    lowest = min(with_f, key=with_f.get)
    highest = max(without, key=without.get)
    assert with_f[lowest] > without[highest], (lowest, with_f[lowest], highest, without[highest])


def test_extras_are_data_and_an_unknown_one_lists_the_known():
    used = {name for h in hair.HAIR for name in h.extra}
    assert used <= set(hair.EXTRAS)
    for name, ex in hair.EXTRAS.items():
        assert ex.back or ex.under or ex.front, name
    with pytest.raises(KeyError, match=r"unknown hair extra 'chignon' \(extras: .*bun.*\)"):
        hair.extra("chignon")


def test_no_hair_module_is_shadowed_by_a_function():
    for info in pkgutil.iter_modules(hair.__path__):
        mod = importlib.import_module(f"{hair.__name__}.{info.name}")
        assert inspect.ismodule(getattr(hair, info.name)), info.name
        assert not hasattr(mod, info.name), info.name


def _rows(alpha: np.ndarray, y0: float, y1: float) -> np.ndarray:
    s = alpha.shape[0] / 1024
    return alpha[int(y0 * s):int(y1 * s)]


@pytest.mark.parametrize("pid", [k for k, h in SPECS.items() if h.locks is not None and h.locks >= 900])
def test_long_hair_falls_behind_and_in_front_of_the_shoulders(pid):
    back = part_alpha(pid, 256, library=LIB, layers=("back",))
    front = part_alpha(pid, 256, library=LIB, layers=("front",))
    assert _rows(back, SHOULDER_Y - 40, SHOULDER_Y).sum() > 20, "nothing hangs behind the shoulders"
    assert _rows(front, SHOULDER_Y - 100, SHOULDER_Y - 20).sum() > 10, "no locks in front of the shoulders"


@pytest.mark.parametrize("pid", [k for k, h in SPECS.items() if {"short", "buzz"} & set(h.tags)
                                 and not {"afro", "high_top", "mohawk", "spiky", "pompadour", "quiff", "twists",
                                          "pixie", "bowl", "curly", "coily"} & set(h.tags) and not h.extra])
def test_short_straight_cuts_stay_close_to_the_skull(pid):
    """Short straight and wavy cuts follow the cranium: no more than a finger's width of hair beside the temples and
    a modest height over the crown (not a helmet or a knit cap)."""
    a = part_alpha(pid, 512, library=LIB, layers=("front",))
    s = 512 / 1024
    row = a[int(CRANIUM_CY * s)]
    xs = np.nonzero(row > 0.1)[0]
    if len(xs):
        assert (xs.max() - xs.min()) / s / 2 <= CRANIUM_RX + 30
    col = a[:, int(CX * s)]
    top = np.nonzero(col > 0.1)[0]
    assert len(top) and top.min() / s >= CRANIUM_TOP - 60


def test_hair_parts_are_deterministic():
    a = [(p.id, p.layers) for p in hair.hair_parts()]
    b = [(p.id, p.layers) for p in hair.hair_parts()]
    assert a == b


_FACE = {"face": "face_oval_02", "ears": "ears_medium_01", "eyes": "eyes_almond_01", "brows": "brows_soft_02",
         "nose": "nose_button_01", "mouth": "mouth_neutral_01"}


@pytest.mark.parametrize("pid", [k for k, h in SPECS.items() if "buzz" in h.tags and h.vol_top <= 10
                                 and not h.extra and h.coverage >= 0.5])
def test_a_buzz_cut_reads_as_hair_not_a_knit_cap(pid):
    """Buzz cuts read as a grey or dark knit cap (issue 18): a coarse high-contrast stubble pattern, a darker rim at
    the hairline and a peak on the crown. The stubble is fine (little high-frequency contrast on the crown), the
    hairline thins into the skin (lighter than the crown just inside it) and the dome has no peak."""
    import cv2

    from parts_library import render

    out = render({"parts": dict(_FACE, hair=pid), "colors": {"hair": "black", "skin": "monk_02"}}, size=1024)
    lum = np.asarray(out.image.convert("L"), np.float32)
    crown = lum[int(CRANIUM_TOP + 30):int(CRANIUM_TOP + 90), int(CX - 60):int(CX + 60)]
    assert (crown - cv2.GaussianBlur(crown, (0, 0), 4)).std() < 6.0  # the knit-cap pattern: 8.6-10.7
    alpha = part_alpha(pid, 1024, library=LIB, layers=("front",))
    top = lambda dx: np.nonzero(alpha[:, int(CX + dx)] > 0.5)[0].min()  # noqa: E731
    assert (top(-30) + top(30)) / 2 - top(0) <= 4.0  # buzz_01 had a 9 px peak
    edge = SPECS[pid].hairline - 6
    assert lum[int(edge) - 4:int(edge), int(CX - 30):int(CX + 30)].mean() > crown.mean()
