"""Search: measured attributes are constraints, not votes — an identity scorer that rewards beards, glasses and
long hair cannot put them on a person measured without them; the greedy baseline (no constraints) can."""
from __future__ import annotations

import numpy as np
import pytest

from assembler.records import Attributes
from assembler.search import Evidence, SearchConfig, allowed, choose_recipe
from parts_library import load_library
from parts_library.descriptors import landmark_descriptors
from parts_library.frame import MEAN_SHAPE


def _attrs(**kw) -> Attributes:
    base = dict(backend="test", skin_tone=3, hair_color="blonde", hair_length="short", hair_curl=0.1, fringe=0.0,
                bald=0.0, facial_hair={"stubble": 0.05, "moustache": 0.05, "beard": 0.05, "goatee": 0.05},
                glasses=0.02, confidence=0.9)
    base.update(kw)
    return Attributes(**base)


def _evidence(attrs: Attributes) -> Evidence:
    return Evidence(embedding=np.ones(128, np.float32) / np.sqrt(128), descriptors=landmark_descriptors(MEAN_SHAPE),
                    attributes=attrs, faces=[])


class TemptingIdentity:
    """A fake identity scorer that loves beards, glasses, long hair and dark skin (what an exploited embedder does)."""

    def __init__(self):
        self.lib = load_library()
        self.calls = 0

    def __call__(self, spec, target) -> float:
        self.calls += 1
        p, c = spec["parts"], spec["colors"]
        score = 0.0
        score += 0.3 * (p.get("facial_hair") is not None) + 0.3 * (p.get("glasses") is not None)
        hair = self.lib.get(p["hair"]) if p.get("hair") else None
        score += 0.3 * (hair is not None and "long" in hair.tags)
        score += 0.05 * int(c["skin"].split("_")[1])
        return score


def test_constraints_hold_against_a_tempting_identity_scorer():
    attrs = _attrs()
    scorer = TemptingIdentity()
    recipe = choose_recipe(_evidence(attrs), "search", SearchConfig(max_evals=40, w_id=100.0), identity=scorer)
    lib = load_library()
    assert scorer.calls > 1
    assert recipe.parts["facial_hair"] is None and recipe.parts["glasses"] is None
    assert recipe.parts["headwear"] is None
    assert "long" not in lib.get(recipe.parts["hair"]).tags
    assert recipe.colors["skin"] == "monk_03" and recipe.colors["hair"] == "blonde"
    assert recipe.scores["evaluations"] <= 40


def test_greedy_baseline_is_exploited_by_the_same_scorer():
    scorer = TemptingIdentity()
    recipe = choose_recipe(_evidence(_attrs()), "greedy", identity=scorer)
    assert recipe.parts["facial_hair"] is not None and recipe.parts["glasses"] is not None
    assert recipe.colors["skin"] == "monk_10"


def test_greedy_with_measured_colours_keeps_them():
    """The ablation of the greedy baseline (scripts/eval_greedy_colours.py): the same scorer still buys a beard and
    glasses, but the skin and hair colours stay the measured ones."""
    scorer = TemptingIdentity()
    recipe = choose_recipe(_evidence(_attrs()), "greedy", SearchConfig(greedy_colours="measured"), identity=scorer)
    assert recipe.parts["facial_hair"] is not None and recipe.parts["glasses"] is not None
    assert recipe.colors["skin"] == "monk_03" and recipe.colors["hair"] == "blonde"
    with pytest.raises(ValueError, match="greedy colours must be one of identity, measured"):
        choose_recipe(_evidence(_attrs()), "greedy", SearchConfig(greedy_colours="random"), identity=scorer)


def test_measured_beard_and_glasses_are_drawn():
    attrs = _attrs(facial_hair={"stubble": 0.1, "moustache": 0.8, "beard": 0.9, "goatee": 0.3}, glasses=0.9,
                   hair_length="long")
    recipe = choose_recipe(_evidence(attrs), "search", SearchConfig(max_evals=0))
    lib = load_library()
    fh = lib.get(recipe.parts["facial_hair"])
    assert set(fh.tags) & {"beard", "full_beard", "short_beard"}
    assert recipe.parts["glasses"] is not None and "sunglasses" not in lib.get(recipe.parts["glasses"]).tags
    hair_tags = set(lib.get(recipe.parts["hair"]).tags)
    assert hair_tags & {"long", "medium"}


# measured length -> (every allowed hair part has one of these tags, no allowed hair part has any of these), in the
# parts' own words (their tags), not the search's length table
TIED = {"bun", "man_bun", "ponytail"}
LENGTH_EXPECTED = {
    "bald": ({"bald", "buzz", "shaved"}, {"medium", "long"} | TIED),
    "short": ({"short"}, {"bald", "medium", "long"} | TIED),
    "medium": ({"medium"}, {"bald", "short", "long"} | TIED),
    "long": ({"long"}, {"bob", "medium", "short"} | TIED),  # long hair is drawn long: no bob, no ponytail
    "tied": (TIED, {"bald", "short"}),
}


@pytest.mark.parametrize("length", list(LENGTH_EXPECTED))
def test_hair_length_constraint(length):
    """The measured hair length decides which hair parts the search may draw: only parts of that length (a buzz cut
    for a bald head; a tied-up style only when the hair was seen tied), several of them to choose from."""
    lib = load_library()
    attrs = _attrs(hair_length=length, bald=0.9 if length == "bald" else 0.0)
    ok = [p for p in lib.parts("hair") if allowed("hair", p, attrs)]
    assert len(ok) >= 2, "several hair parts must fit every measured length"
    need, never = LENGTH_EXPECTED[length]
    for p in ok:
        assert set(p.tags) & need and not set(p.tags) & never, (p.id, sorted(p.tags))
    # not refused for its length: a plain straight part of it is drawable (no fringe, nothing else in the way)
    assert {"bald": "bald_02", "short": "crew_01", "medium": "medium_straight_01", "long": "long_straight_01",
            "tied": "ponytail_01"}[length] in {p.id for p in ok}


def test_search_is_deterministic_and_records_alternatives():
    ev = _evidence(_attrs())
    a = choose_recipe(ev, "search", SearchConfig(max_evals=5), identity=TemptingIdentity())
    b = choose_recipe(ev, "search", SearchConfig(max_evals=5), identity=TemptingIdentity())
    assert a.parts == b.parts and a.colors == b.colors
    assert all(1 <= len(v) <= 5 for k, v in a.alternatives.items() if k in ("face", "eyes", "hair"))
    assert a.alternatives["hair"][0]["id"] is not None


def test_default_search_scores_identity_with_the_model_without_rendering(data_dir):
    """The shipped identity model lets the search weigh every allowed part jointly: no render is embedded, and the
    chosen avatars are closer (centred dlib identity, measured on real renders) to their photos than the
    descriptor-only ones — on average over the four public-domain photos (the model is a model: not on every one)."""
    from assembler import analyze, classify
    from assembler.search import IdentityScorer, gather_evidence, identity_model, identity_target

    model = identity_model()
    scorer = IdentityScorer(centre=model.mean)
    gains = []
    for name in ("obama.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg"):
        face = analyze(data_dir / name, max_faces=1)[0]
        classify(face)
        ev = gather_evidence([face])
        with_id = choose_recipe(ev, "search")
        assert with_id.scores["identity_source"] == "model" and with_id.scores["evaluations"] == 0
        assert with_id.scores["model_passes"] >= 1
        no_id = choose_recipe(ev, "search", SearchConfig(w_id=0.0))
        assert no_id.scores["identity"] is None
        target = identity_target(ev.embedding, model.reference)
        gains.append(scorer(with_id.render_spec(), target) - scorer(no_id.render_spec(), target))
        # the placement is the one fitted for the parts finally chosen (the face outline for the chosen face)
        from assembler.search import fit_face

        assert with_id.params["face"] == fit_face(with_id.parts["face"], ev.landmarks)
        # the constraints still hold: neither man is measured with a beard or glasses
        assert with_id.parts["glasses"] is None and with_id.parts["facial_hair"] is None
    assert np.mean(gains) > 0.03, gains


def test_search_falls_back_to_rendered_identity_without_a_model(monkeypatch):
    import assembler.search.joint as joint

    monkeypatch.setattr(joint, "identity_model", lambda: None)
    recipe = choose_recipe(_evidence(_attrs()), "search", identity=TemptingIdentity())
    assert recipe.scores["identity_source"] == "render" and recipe.scores["evaluations"] == 4


def test_no_fringe_on_a_bare_forehead_and_no_coils_on_straight_hair():
    lib = load_library()
    bare = _attrs(hair_length="medium", fringe=0.05, hair_curl=0.05)
    ok = [p for p in lib.parts("hair") if allowed("hair", p, bare)]
    assert ok and not any("fringe" in p.tags for p in ok)
    assert not any(set(p.tags) & {"coily", "afro", "locs"} for p in ok)
    fringed = _attrs(hair_length="medium", fringe=0.8, hair_curl=0.05)
    ok = [p for p in lib.parts("hair") if allowed("hair", p, fringed)]
    assert any("fringe" in p.tags for p in ok)


@pytest.mark.parametrize("curl, seen", [(0.05, "straight"), (0.3, "wavy"), (0.7, "curly"), (0.95, "coily")])
def test_hair_is_drawn_with_the_measured_texture(curl, seen):
    """Straight hair is drawn straight, curls curly: left one class either way, the identity term drew textures that
    agreed with the labels less often than the measurement did (52 against 62 % of the labelled photos)."""
    from parts_library.vocabulary import texture_of_tags

    lib = load_library()
    for length in ("short", "medium", "long"):
        ok = [p for p in lib.parts("hair") if allowed("hair", p, _attrs(hair_length=length, hair_curl=curl))
              and "buzz" not in p.tags]  # short hair may be drawn buzzed: below
        got = {texture_of_tags(p.tags) for p in ok} - {None}
        assert ok and got == {seen}, (curl, length, got)


@pytest.mark.parametrize("curl, drawn", [(0.05, {"straight"}), (0.3, {"straight"}), (0.7, {"straight"}),
                                          (0.95, {"coily"})])
def test_a_buzz_cut_of_any_texture_gets_a_buzz_cut_and_coils_only_on_coils(curl, drawn):
    """A buzz cut's texture hardly shows, and the library draws buzz cuts straight or coily only: wavy and curly buzz
    cuts must still get a buzz cut (not a bald head, not whatever part is nearest), and coils only on coils."""
    from parts_library.vocabulary import texture_of_tags

    lib = load_library()
    ok = [p for p in lib.parts("hair") if allowed("hair", p, _attrs(hair_length="buzz", hair_curl=curl))]
    assert ok and {texture_of_tags(p.tags) for p in ok} - {None} == drawn, curl


def test_facial_hair_parts_draw_only_measured_kinds():
    """A moustache alone must not let in a full beard (whose tags include 'moustache'); a clear beard is a beard."""
    lib = load_library()
    tache = _attrs(facial_hair={"stubble": 0.3, "moustache": 0.62, "beard": 0.38, "goatee": 0.34})
    ok = [p for p in lib.parts("facial_hair") if allowed("facial_hair", p, tache)]
    assert ok and all(set(p.tags) & {"moustache"} and not set(p.tags) & {"beard", "goatee"} for p in ok)
    bearded = _attrs(facial_hair={"stubble": 0.1, "moustache": 0.9, "beard": 0.9, "goatee": 0.35})
    ok = [p for p in lib.parts("facial_hair") if allowed("facial_hair", p, bearded)]
    assert ok and all("beard" in p.tags for p in ok)


def test_a_measured_moustache_is_drawn_with_the_beard():
    """A full beard (beard and moustache both measured) was drawn as a chinstrap line, which leaves the upper lip
    bare: with a clear moustache every allowed part draws one (or stubble over the lip); without one the chinstrap
    stays allowed."""
    lib = load_library()
    full = _attrs(facial_hair={"stubble": 0.1, "moustache": 0.8, "beard": 0.75, "goatee": 0.4})
    ok = [p for p in lib.parts("facial_hair") if allowed("facial_hair", p, full)]
    assert ok and all(set(p.tags) & {"moustache", "stubble"} for p in ok)
    assert not any("chinstrap" in p.tags for p in ok)
    strap = _attrs(facial_hair={"stubble": 0.1, "moustache": 0.25, "beard": 0.8, "goatee": 0.4})
    assert any("chinstrap" in p.tags for p in lib.parts("facial_hair") if allowed("facial_hair", p, strap))


class _Beard:
    """The facial-hair part of :class:`~assembler.measure.Measurements` that ``colors_from_attributes`` reads."""

    def __init__(self, color, confidence=0.9):
        self.facial_hair = type("FacialHair", (), {"color": color, "color_confidence": confidence})()


@pytest.mark.parametrize("hair, length, beard, drawn", [
    ("soft_black", "short", "auburn", "soft_black"),  # a dark beard under warm light reads auburn
    ("dark_brown", "short", "brown", "dark_brown"),  # skin between the hairs lightens a beard
    ("dark_brown", "short", "gray", "gray"),  # a grey beard under darker hair
    ("black", "short", "white", "white"),
    ("gray", "bald", "white", "white"),  # a bald head: the beard's own colour (and the fringe's)
    ("black", "short", None, "black"),  # no colour measured on the beard
])
def test_facial_hair_colour_follows_the_hair_unless_grey(hair, length, beard, drawn):
    from assembler.search.colours import colors_from_attributes

    attrs = _attrs(hair_color=hair, hair_length=length, bald=0.9 if length == "bald" else 0.0)
    colours = colors_from_attributes(attrs, _Beard(beard))
    assert colours["facial_hair"] == drawn
    if length == "bald":
        assert colours["hair"] == drawn


def test_a_measured_smile_is_drawn_smiling():
    """Smiling people were drawn with a downturned or pouting mouth (the identity term's choice, nothing forbade it):
    with a smile measured more likely than not every allowed mouth smiles — open or closed as the lips are — and
    without one the neutral mouths stay allowed."""
    from assembler.search import expression_allowed

    lib = load_library()
    for opening, teeth in [(0.02, False), (0.08, None), (0.14, True)]:
        ok = [p for p in lib.parts("mouth") if expression_allowed(p, opening, smiling=0.8)]
        assert ok and all("smile" in p.tags for p in ok), opening
        if teeth is not None:
            assert all(("teeth" in p.tags) is teeth for p in ok), opening
    neutral = [p.id for p in lib.parts("mouth") if expression_allowed(p, 0.02, smiling=0.2)]
    assert "mouth_down_01" in neutral and "mouth_neutral_01" in neutral
    ev = _evidence(_attrs(probs={"Smiling": 0.9}))
    assert "smile" in lib.get(choose_recipe(ev, "search", SearchConfig(max_evals=0)).parts["mouth"]).tags


@pytest.mark.parametrize("rim, light, bold", [(20.0, False, True), (8.0, True, True), (3.0, True, False),
                                               (None, True, True)])
def test_glasses_frames_are_as_heavy_as_the_measured_rims(rim, light, bold):
    """Strong rims (heavy dark frames) allow only full frames, faint rims only rimless, thin or metal ones; in between
    or unmeasured (a CelebA backend), any."""
    from assembler.search import LIGHT_FRAME_TAGS

    lib = load_library()
    ok = [p for p in lib.parts("glasses") if allowed("glasses", p, _attrs(glasses=0.95, glasses_rim=rim))]
    assert any(set(p.tags) & LIGHT_FRAME_TAGS for p in ok) is light
    assert any(not set(p.tags) & LIGHT_FRAME_TAGS for p in ok) is bold
    assert not any("sunglasses" in p.tags for p in ok)


def test_face_outline_is_fitted_to_the_photo_jaw():
    """A photo with a wider, shorter jaw than the mean face gets a wider, shorter avatar face: the drawn jaw follows
    the photo's within the fit range, and each face part is fitted on its own (the factors differ)."""
    from parts_library import render
    from assembler.search import FIT_FACE, FIT_FACE_LENGTH, fit_face

    target = MEAN_SHAPE.copy()
    cx = target[:, 0].mean()
    target[0:17, 0] = cx + 1.08 * (target[0:17, 0] - cx)
    target[8, 1] -= 15.0
    ev = _evidence(_attrs())
    ev.landmarks = target
    rec = choose_recipe(ev, "search", SearchConfig(w_id=0.0))
    face = rec.params["face"]
    assert FIT_FACE[0] <= face["scale"] <= FIT_FACE[1]
    assert FIT_FACE_LENGTH[0] <= face["scale"] * face["stretch"] <= FIT_FACE_LENGTH[1]
    drawn = render(rec.render_spec(), size=1024).landmarks
    span = lambda lm: np.mean([lm[j, 0] - lm[i, 0] for i, j in [(1, 15), (3, 13), (5, 11)]])  # noqa: E731
    assert span(drawn) == pytest.approx(span(target), rel=0.02)
    assert drawn[8, 1] == pytest.approx(target[8, 1], abs=3.0)
    narrow, wide = fit_face("face_narrow_01", target), fit_face("face_square_01", target)
    assert narrow["scale"] > wide["scale"]


def test_features_are_sized_like_the_photo_but_not_moved_by_head_pitch():
    """A wider mouth in the photo gives a wider drawn mouth. A mouth and nose lower in the photo (the head tilted
    back or forward moves them as much as anatomy does) leave the drawn features where they were."""
    from parts_library import render

    def mouth_width(lm):
        return float(np.ptp(lm[48:60, 0]))

    ev = _evidence(_attrs())
    ev.landmarks = MEAN_SHAPE.copy()
    plain = choose_recipe(ev, "search", SearchConfig(w_id=0.0))
    wide = MEAN_SHAPE.copy()
    mc = wide[48:60, 0].mean()
    wide[48:60, 0] = mc + 1.12 * (wide[48:60, 0] - mc)
    ev.landmarks = wide
    wider = choose_recipe(ev, "search", SearchConfig(w_id=0.0))
    assert wider.parts["mouth"] == plain.parts["mouth"]
    assert mouth_width(render(wider.render_spec(), size=1024).landmarks) > \
        1.08 * mouth_width(render(plain.render_spec(), size=1024).landmarks)
    pitched = MEAN_SHAPE.copy()
    pitched[27:36, 1] += 6.0
    pitched[48:68, 1] += 10.0
    ev.landmarks = pitched
    rec = choose_recipe(ev, "search", SearchConfig(w_id=0.0))
    drawn_plain = render(plain.render_spec(), size=1024).landmarks
    drawn_pitched = render(rec.render_spec(), size=1024).landmarks
    for name, sl in (("brows", slice(17, 27)), ("nose", slice(27, 36)), ("eyes", slice(36, 48)),
                     ("mouth", slice(48, 68))):
        moved = float(drawn_pitched[sl, 1].mean() - drawn_plain[sl, 1].mean())
        assert abs(moved) < 2.0, (name, moved)  # the photo's nose moved 6 px down, its mouth 10 px


def test_uncertain_hair_length_widens_the_allowed_parts():
    from assembler.search import HAIR_LENGTHS, hair_length_class

    lib = load_library()
    sure = _attrs(hair_length="medium", bald=0.0)
    unsure = _attrs(hair_length="medium", bald=0.0)
    unsure.flags = ["hair_length_uncertain"]
    got_sure = {hair_length_class(p) for p in lib.parts("hair") if allowed("hair", p, sure)} - {None}
    got_unsure = {hair_length_class(p) for p in lib.parts("hair") if allowed("hair", p, unsure)} - {None}
    assert got_sure == {HAIR_LENGTHS.index("medium")}
    assert got_unsure == {HAIR_LENGTHS.index(n) for n in ("short", "medium", "long")}


def test_unmeasured_styles_are_never_guessed():
    """A half-up knot (on the crown, out of a frontal photo's sight) is never drawn on long hair, and an uncertain
    short length is never widened into a bun, ponytail or top knot (one landed on a man's grey crop); both stay
    available to a user's override and to hair measured tied."""
    from parts_library.vocabulary import HALF_UP_TAGS, TIED_TAGS

    lib = load_library()
    assert any(set(p.tags) & HALF_UP_TAGS for p in lib.parts("hair"))
    long_hair = _attrs(hair_length="long", bald=0.0)
    assert not any(set(p.tags) & HALF_UP_TAGS for p in lib.parts("hair") if allowed("hair", p, long_hair))
    # nor a mohawk's crest on short hair (a man's hands pushing his short hair up got one)
    short_hair = _attrs(hair_length="short", bald=0.0)
    assert any("mohawk" in p.tags for p in lib.parts("hair"))
    assert not any("mohawk" in p.tags for p in lib.parts("hair") if allowed("hair", p, short_hair))
    for length in ("short", "long"):
        unsure = _attrs(hair_length=length, bald=0.0)
        unsure.flags = ["hair_length_uncertain"]
        ok = [p for p in lib.parts("hair") if allowed("hair", p, unsure)]
        assert ok and not any(set(p.tags) & TIED_TAGS for p in ok), length
    assert any(set(p.tags) & TIED_TAGS for p in lib.parts("hair") if allowed("hair", p, _attrs(hair_length="tied")))


def test_braided_styles_are_never_guessed_from_curl():
    """Coily hair measured short, medium or long gets coily cuts, afros or puffs, never cornrows, box braids, locs or
    twists (the photo's curl cannot tell them apart); the parts stay available to a user's override."""
    from parts_library.vocabulary import BRAIDED_TAGS

    lib = load_library()
    braided = [p for p in lib.parts("hair") if set(p.tags) & BRAIDED_TAGS]
    assert len(braided) >= 8
    for length in ("short", "medium", "long"):
        attrs = _attrs(hair_length=length, hair_curl=0.95, skin_tone=9, hair_color="black")
        ok = [p for p in lib.parts("hair") if allowed("hair", p, attrs)]
        assert ok and not any(set(p.tags) & BRAIDED_TAGS for p in ok), length
        assert any(set(p.tags) & {"coily", "afro"} for p in ok), length
    recipe = choose_recipe(_evidence(_attrs(hair_length="medium", hair_curl=0.95)), "search")
    assert not set(lib.get(recipe.parts["hair"]).tags) & BRAIDED_TAGS


@pytest.mark.parametrize("probs, must, never", [
    # a sure moustache beside a beard measured at KIND_PRESENT: a beard with its moustache, not the moustache alone
    ({"stubble": 0.27, "moustache": 0.63, "beard": 0.47, "goatee": 0.31}, {"beard", "moustache"}, set()),
    # chin hair measured sure: the chin is drawn (a goatee with the moustache), not a handlebar alone
    ({"stubble": 0.08, "moustache": 0.91, "beard": 0.35, "goatee": 0.67}, {"goatee", "moustache"}, {"beard"}),
    # a beard under a half-seen moustache (0.47): drawn with its moustache, never as a chinstrap line
    ({"stubble": 0.34, "moustache": 0.47, "beard": 0.6, "goatee": 0.33}, {"beard", "moustache"}, {"chinstrap"}),
    # a moustache alone (no chin, no jaw): still a moustache alone
    ({"stubble": 0.18, "moustache": 0.68, "beard": 0.22, "goatee": 0.19}, {"moustache"}, {"beard", "goatee"}),
])
def test_every_facial_hair_zone_seen_is_drawn(probs, must, never):
    """Beards measured just under sure were drawn as a moustache alone or a chinstrap line (H001052, N000189, L000603,
    B001314; measured values): every allowed part draws the zones that were seen."""
    lib = load_library()
    ok = [p for p in lib.parts("facial_hair") if allowed("facial_hair", p, _attrs(facial_hair=probs))]
    assert ok, probs
    assert all(must <= set(p.tags) and not never & set(p.tags) for p in ok), [p.id for p in ok]


def test_hair_that_stands_off_the_skull_is_not_buzzed():
    """Short hair may be drawn buzzed, but not hair with volume: the search drew buzz cuts on two women's updos
    (measured short, volume 0.52 and 0.72). Flat short hair (Obama's, 0.18) may still be buzzed, and hair measured
    buzz keeps its buzz cuts whatever the volume reads."""
    hair = load_library().parts("hair")

    def buzz_allowed(**kw):
        return [p.id for p in hair if "buzz" in p.tags and allowed("hair", p, _attrs(**kw))]

    assert buzz_allowed(hair_length="short", hair_volume=0.18)
    assert not buzz_allowed(hair_length="short", hair_volume=0.72)
    assert any(allowed("hair", p, _attrs(hair_length="short", hair_volume=0.72)) for p in hair if "short" in p.tags)
    assert buzz_allowed(hair_length="buzz", hair_volume=0.72)


def test_an_updo_is_not_drawn_as_a_buzz_cut(shared_faces):
    """B001313's braided bun reads as short hair with volume: the avatar is not buzzed."""
    from assembler.avatar import make

    path = next(p for p in shared_faces.rglob("B001313.jpg"))
    part = load_library().get(make(path, seed=0).recipe.parts["hair"])
    assert "buzz" not in part.tags, part.id


def test_thinning_cuts_need_a_thinning_crown():
    """The hairline measure reads 0.2-0.3 on many full heads of hair and an uncertain photo's probabilities are pulled
    towards 0.5: at 0.36 (Robert Downey Jr.'s full hair) a balding cut was allowed and drawn. A thinning crown
    (0.49) and a bald head still allow them."""
    lib = load_library()
    hair = lib.parts("hair")
    full = _attrs(hair_length="short", bald=0.2, probs={"Receding_Hairline": 0.36})
    assert not any(set(p.tags) & {"balding", "receding"} for p in hair if allowed("hair", p, full))
    thinning = _attrs(hair_length="short", bald=0.0, probs={"Receding_Hairline": 0.49})
    assert any(set(p.tags) & {"balding", "receding"} for p in hair if allowed("hair", p, thinning))
