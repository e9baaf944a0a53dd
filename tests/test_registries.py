"""A contract over every factory registry (STYLE.md: one factory per stage, backends by name): every registered
backend builds by name, an unknown name is an error listing the registered ones, and a garbage file passed as
weights is one line of the project's error type naming the file.

The registries are read at collection time, so a backend added later is covered here without editing this file
(unless it needs a user-supplied file: then it belongs in USER_FILE, with the error that says so)."""
from __future__ import annotations

import re

import pytest

from assembler.detect import DETECTORS, create_detector
from assembler.embed import EMBEDDERS, create_embedder
from assembler.errors import MemojiError, UnknownNameError
from assembler.landmarks import LANDMARKERS, create_landmarker
from assembler.segment import SEGMENTERS, create_segmenter
from classifiers import CLASSIFIERS, create_classifier
from classifiers import _load_backends as _load_classifiers

_load_classifiers()  # classifier backends register themselves when their modules are imported

REGISTRIES = {"detector": (DETECTORS, create_detector), "landmarker": (LANDMARKERS, create_landmarker),
              "embedder": (EMBEDDERS, create_embedder), "segmenter": (SEGMENTERS, create_segmenter),
              "classifier": (CLASSIFIERS, create_classifier)}
BACKENDS = [(kind, name) for kind, (registry, _) in REGISTRIES.items() for name in registry.names()]

# backends whose weights nothing ships (the user trains or downloads them): what the missing-file error must say
USER_FILE = {
    ("embedder", "facenet-vggface2"): r"weights=PATH to a state-dict file \(\.pt\)",
    ("classifier", "resnext50-celeba"): r"needs weights=RUN_DIR; train one with `memoji train-classifier",
    ("classifier", "combined"): r"needs weights=RUN_DIR; train one with `memoji train-classifier",
}
# backends that take no weights at all (their file ships inside a dependency, or they have none)
NO_WEIGHTS = {("detector", "mtcnn"), ("segmenter", "color-heuristic"), ("classifier", "measured")}
TINY_ARCH = "test_efficientnet"  # timm's ~100k-parameter test model


def _id(kind_name) -> str:
    return "-".join(kind_name)


def _one_line_naming(err: BaseException, *names) -> str:
    message = str(err)
    assert isinstance(err, MemojiError), (type(err), message)
    assert message and "\n" not in message, message
    for name in names:
        assert str(name) in message, (name, message)
    return message


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A run directory of the CelebA classifier with timm's tiny test architecture (what `memoji train-classifier`
    writes, untrained): the trained backends' user-supplied file, made here."""
    from classifiers.celeba import CELEBA_ATTRS
    from classifiers.celeba.model import NUM_TONES, AttributeNet, save_run
    from classifiers.celeba.preprocess import Preprocess

    run = tmp_path_factory.mktemp("tiny-run")
    n = len(CELEBA_ATTRS)
    save_run(run, AttributeNet(TINY_ARCH, n, NUM_TONES),
             {"arch": TINY_ARCH, "attributes": list(CELEBA_ATTRS), "num_tones": NUM_TONES,
              "preprocess": Preprocess(input_size=32).to_dict(), "thresholds": [0.5] * n, "logit_offsets": [0.0] * n})
    return run


def test_every_registry_has_backends_and_the_user_file_table_is_current():
    assert all(registry.names() for registry, _ in REGISTRIES.values())
    assert set(USER_FILE) | NO_WEIGHTS <= set(BACKENDS)


@pytest.mark.parametrize("kind_name", BACKENDS, ids=_id)
def test_backend_builds_by_name(kind_name, tiny_run):
    kind, name = kind_name
    registry, create = REGISTRIES[kind]
    kwargs = {"weights": str(tiny_run)} if kind_name in USER_FILE and kind == "classifier" else {}
    if kind_name in USER_FILE and not kwargs:
        pytest.skip(f"{kind} {name} needs a user-supplied weight file that is not shipped "
                    "(its missing-file error is checked in test_backend_without_its_user_file_says_what_it_needs)")
    backend = create(name, **kwargs)
    assert backend is not None and not isinstance(backend, type)
    if getattr(backend, "name", None):  # the backends that carry their registry name carry the right one
        assert backend.name == name


@pytest.mark.parametrize("kind_name", sorted(USER_FILE), ids=_id)
def test_backend_without_its_user_file_says_what_it_needs(kind_name, monkeypatch):
    kind, name = kind_name
    monkeypatch.delenv("MEMOJI_FACENET_WEIGHTS", raising=False)
    with pytest.raises(MemojiError) as err:
        REGISTRIES[kind][1](name)
    assert re.search(USER_FILE[kind_name], _one_line_naming(err.value)), str(err.value)


@pytest.mark.parametrize("kind", list(REGISTRIES))
def test_unknown_name_lists_the_registered_ones(kind):
    registry, create = REGISTRIES[kind]
    first = registry.names()[0]
    typo = first[:-1] + ("x" if first[-1] != "x" else "y")
    with pytest.raises(UnknownNameError) as err:
        create(typo)
    message = _one_line_naming(err.value, typo, *registry.names())
    assert message.startswith(f"unknown {kind} '{typo}'; did you mean '{first}'? (registered: ")
    assert err.value.exit_code == 2


@pytest.mark.parametrize("kind_name", [b for b in BACKENDS if b not in NO_WEIGHTS], ids=_id)
def test_garbage_weights_are_one_line(kind_name, tmp_path, tiny_run):
    kind, name = kind_name
    garbage = tmp_path / "weights.bin"
    weights = garbage
    if kind == "classifier":  # a run directory whose config is fine and whose weights are garbage
        import shutil

        from classifiers.celeba.model import CONFIG_NAME, WEIGHTS_NAME

        weights = tmp_path / "run"
        weights.mkdir()
        shutil.copy(tiny_run / CONFIG_NAME, weights / CONFIG_NAME)
        garbage = weights / WEIGHTS_NAME
    garbage.write_bytes(b"this is not a model file\n" * 64)
    with pytest.raises(MemojiError) as err:
        REGISTRIES[kind][1](name, weights=str(weights))
    _one_line_naming(err.value, garbage)
    assert err.value.exit_code == 4, (err.value.exit_code, str(err.value))


# the stylize stage picks its prompt style, speed preset and scheduler by name from tables (no model is needed to
# check a name); its model files are covered by tests/test_stylize.py (test_wrong_files_are_one_line)
def _stylize_tables():
    from assembler.stylization.config import PROMPT_PRESETS, SCHEDULERS, SPEED_PRESETS

    return {"style": list(PROMPT_PRESETS), "preset": list(SPEED_PRESETS),
            "scheduler": [s for s in SCHEDULERS if s != "default"]}


@pytest.mark.parametrize("setting", ["style", "preset", "scheduler"])
def test_stylize_names_build_and_unknown_ones_are_listed(setting):
    from assembler.stylization import StylizeConfig

    names = _stylize_tables()[setting]
    for name in names:
        assert getattr(StylizeConfig(base="unused", **{setting: name}), setting) == name
    typo = names[0] + "x"
    with pytest.raises(UnknownNameError) as err:
        StylizeConfig(base="unused", **{setting: typo})
    _one_line_naming(err.value, typo, *names)


def test_search_methods_by_name():
    import numpy as np

    from assembler.records import Attributes
    from assembler.search import METHODS, Evidence, choose_recipe
    from parts_library.descriptors import landmark_descriptors
    from parts_library.frame import MEAN_SHAPE

    ev = Evidence(embedding=np.ones(128, np.float32) / np.sqrt(128), descriptors=landmark_descriptors(MEAN_SHAPE),
                  attributes=Attributes(backend="test", skin_tone=3, hair_color="black", hair_length="short"),
                  faces=[])
    with pytest.raises(UnknownNameError) as err:
        choose_recipe(ev, "serch")
    _one_line_naming(err.value, "serch", *METHODS)
