"""The trained CelebA attribute classifier: synthetic CelebA-format data → training → evaluation → a real photo.

One small run (tiny timm backbone, 64 px, CPU) is trained once per module and shared by the tests.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from assembler.errors import MemojiError, ModelFileNotFoundError, UnknownNameError
from classifiers.celeba import CELEBA_ATTRS, CheckpointError, DatasetError
from classifiers.celeba.synthetic import make_synthetic_celeba

torch = pytest.importorskip("torch")

ARCH = "test_efficientnet"  # timm's ~100k-parameter test model
SIGNAL = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair", "Eyeglasses", "No_Beard", "Bangs")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    # CI runs two pytest workers on two cores: one torch thread each avoids OpenMP spin contention
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _shared_dir(tmp_path_factory, name: str):
    """A folder shared by the xdist workers of one session (pytest's base temp), built once under a file lock."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if base.name.startswith("popen-gw"):  # xdist worker: its parent is shared by all workers
        base = base.parent
    return base / name, FileLock(str(base / f"{name}.lock"))


@pytest.fixture(scope="module")
def celeba(tmp_path_factory):
    root, lock = _shared_dir(tmp_path_factory, "synthetic-celeba")
    with lock:
        if not (root / "skin.csv").is_file():
            make_synthetic_celeba(root, n_train=240, n_val=80, n_test=80, seed=0)
    return root


@pytest.fixture(scope="module")
def run_dir(celeba, tmp_path_factory):
    """Trained once per session, shared by both xdist workers (training is the expensive part of this file)."""
    from classifiers.celeba.train import train

    out, lock = _shared_dir(tmp_path_factory, "celeba-run")
    with lock:
        if not (out / "done").is_file():
            shutil.rmtree(out, ignore_errors=True)
            res = train(celeba, out, arch=ARCH, epochs=20, batch_size=32, lr=1e-2, input_size=64,
                        skin_csv=celeba / "skin.csv", workers=0, device="cpu", progress=False, seed=0)
            assert res.epochs_run == 20
            (out / "done").write_text("ok")
    return out


@pytest.fixture(scope="module")
def evaluation(run_dir, celeba, tmp_path_factory):
    from classifiers.celeba.evaluate import evaluate

    return evaluate(run_dir, celeba, split="test", skin_csv=celeba / "skin.csv",
                    out=tmp_path_factory.mktemp("eval"), device="cpu", progress=False)


# --- training and evaluation -------------------------------------------------------------------------------------

def test_trained_model_beats_majority_baseline_where_pixels_carry_the_attribute(evaluation):
    rows = {r["attribute"]: r for r in evaluation.attributes}
    assert evaluation.count == 80
    for name in SIGNAL:
        r = rows[name]
        assert r["accuracy"] >= r["majority_accuracy"] + 0.05, (name, r)
        assert r["balanced_accuracy"] >= 0.7, (name, r)
    # hair colour fills are the easiest signal
    assert min(rows[a]["accuracy"] for a in ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair")) >= 0.9
    # attributes that are coin flips stay near chance: no label leaks through the pipeline
    noise = [r["balanced_accuracy"] for n, r in rows.items() if n not in SIGNAL and n != "Smiling"]
    assert np.mean(noise) < 0.6
    # the ordinal skin head beats always predicting the most common tone
    s = evaluation.skin
    assert s["count"] == 80
    assert s["within_1"] > s["majority_within_1"] + 0.2
    assert s["mae"] < s["majority_mae"]


def test_eval_report_has_every_column_means_skin_table_and_chart(evaluation):
    from classifiers.celeba.evaluate import COLUMNS

    text = evaluation.report_path.read_text()
    header = next(line for line in text.splitlines() if line.startswith("| attribute"))
    assert [c.strip() for c in header.strip("|").split("|")] == list(COLUMNS)
    for name in CELEBA_ATTRS:
        assert f"| {name} |" in text
    assert "| **mean** |" in text
    assert "within ±1" in text and "majority (always Monk" in text
    confusion_rows = [line for line in text.splitlines() if line.startswith("| **") and "mean" not in line]
    assert len(confusion_rows) == 10
    png = Image.open(evaluation.chart_path)
    assert png.format == "PNG" and png.size[0] >= 600 and png.size[1] >= 400
    metrics = json.loads(evaluation.metrics_path.read_text())
    assert set(metrics["attributes"][0]) >= {"accuracy", "majority_accuracy", "balanced_accuracy", "f1", "threshold"}
    assert np.array(metrics["skin"]["confusion"]).sum() == 80


def test_run_directory_holds_safetensors_and_config_with_preprocessing(run_dir):
    from safetensors.torch import load_file

    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["arch"] == ARCH and cfg["attributes"] == list(CELEBA_ATTRS)
    assert len(cfg["thresholds"]) == 40 and all(0 < t < 1 for t in cfg["thresholds"])
    assert cfg["preprocess"]["input_size"] == 64
    assert cfg["preprocess"]["celeba_frame"]["eye_mid"] == [88.4, 111.2]
    assert cfg["skin_head_trained"] and cfg["skin_label_count"] == 240
    assert len(cfg["history"]) == 20
    assert "skin_head.bias" in load_file(str(run_dir / "model.safetensors"))


def test_reloaded_checkpoint_gives_identical_outputs(run_dir, tmp_path):
    from classifiers.celeba.model import load_run, save_run

    model, cfg = load_run(run_dir)
    x = torch.randn(4, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        a1, s1 = model(x)
    save_run(tmp_path / "copy", model, dict(cfg))
    model2, cfg2 = load_run(tmp_path / "copy")
    with torch.no_grad():
        a2, s2 = model2(x)
    assert torch.equal(a1, a2) and torch.equal(s1, s2)
    assert cfg2.thresholds.tolist() == cfg.thresholds.tolist()


def test_resume_continues_exactly_where_an_uninterrupted_run_would_be(celeba, tmp_path):
    from safetensors.torch import load_file

    from classifiers.celeba.train import train

    kw = dict(arch=ARCH, epochs=2, batch_size=16, lr=5e-3, input_size=32, limit=48, workers=0, device="cpu",
              progress=False, seed=3)
    train(celeba, tmp_path / "straight", **kw)
    first = train(celeba, tmp_path / "split", stop_after=1, **kw)
    assert first.epochs_run == 1
    with pytest.raises(MemojiError, match="already holds a training run: pass --resume"):
        train(celeba, tmp_path / "split", **kw)
    second = train(celeba, tmp_path / "split", resume=True, **kw)
    assert second.epochs_run == 1 and len(second.history) == 2
    a = load_file(str(tmp_path / "straight" / "model.safetensors"))
    b = load_file(str(tmp_path / "split" / "model.safetensors"))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


# --- use in the pipeline -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def obama_face(obama_path):
    from assembler import analyze

    return analyze(obama_path)[0]


def test_real_photo_through_classify_fills_attributes(obama_face, run_dir):
    from assembler import classify
    from parts_library.palettes import MONK

    attrs = classify(obama_face, backend="resnext50-celeba", weights=run_dir)
    assert obama_face.attributes is attrs
    assert attrs.backend == "resnext50-celeba"
    assert list(attrs.probs) == list(CELEBA_ATTRS)
    assert all(0.0 <= p <= 1.0 for p in attrs.probs.values())
    assert 1 <= attrs.skin_tone <= 10 and attrs.skin_hex == MONK[attrs.skin_tone - 1]
    assert 0 < attrs.skin_confidence <= 1
    assert set(attrs.facial_hair) == {"beard", "moustache", "goatee", "stubble"}
    assert attrs.facial_hair["beard"] == pytest.approx(1 - attrs.probs["No_Beard"])
    assert attrs.glasses == attrs.probs["Eyeglasses"] and attrs.fringe == attrs.probs["Bangs"]
    assert attrs.hair_color in (None, "black", "blonde", "brown", "gray")
    assert 0 <= attrs.confidence <= 1
    assert "resnext50-celeba" in attrs.summary()


def test_combined_takes_trained_attributes_and_measured_elsewhere(obama_face, run_dir):
    from assembler.records import Attributes
    from classifiers import AttributeClassifier, create_classifier

    class FakeMeasured(AttributeClassifier):
        name = "fake-measured"

        def predict(self, face):
            return Attributes(backend="measured", skin_tone=3, skin_hex="#abcdef", skin_ita=41.0, hair_color="pink",
                              hair_hex="#e25b9b", hair_color_confidence=0.9, hair_length="long", hair_volume=0.7,
                              glasses=0.99, facial_hair={"beard": 0.9, "sideburns": 0.4},
                              probs={"Eyeglasses": 0.99, "hair_long": 0.8}, confidence=0.6, flags=["measured_flag"])

    trained = create_classifier("resnext50-celeba", weights=run_dir).predict(obama_face)
    combined = create_classifier("combined", weights=run_dir, measured=FakeMeasured()).predict(obama_face)
    assert combined.backend == "combined"
    assert combined.probs["Eyeglasses"] == trained.probs["Eyeglasses"]  # trained wins on CelebA names
    assert combined.probs["hair_long"] == 0.8  # measured-only keys stay
    assert combined.glasses == trained.glasses
    assert combined.facial_hair["beard"] == trained.facial_hair["beard"] and combined.facial_hair["sideburns"] == 0.4
    assert combined.skin_tone == trained.skin_tone  # the run's skin head was trained on labels
    assert combined.skin_ita == 41.0 and combined.hair_volume == 0.7
    assert combined.hair_length == ("bald" if trained.hair_length == "bald" else "long")
    assert combined.hair_color == "pink"  # vivid colours are outside CelebA's four hair families
    assert "measured_flag" in combined.flags


def test_combined_merge_rules_for_hair_and_skin():
    from assembler.records import Attributes
    from classifiers.combined import merge_attributes
    from parts_library.palettes import MONK

    def trained(**kw):
        return Attributes(backend="resnext50-celeba", **kw)

    measured = Attributes(backend="measured", skin_tone=4, skin_hex="#d0b090", hair_color="light_brown",
                          hair_hex="#8a6141", hair_color_confidence=0.6, hair_length="short")
    # same family: the measured shade is finer
    out = merge_attributes(trained(hair_color="brown", hair_hex="#5b3d29", hair_color_confidence=0.8, skin_tone=4),
                           measured)
    assert (out.hair_color, out.hair_color_confidence) == ("light_brown", 0.8)
    assert out.skin_hex == "#d0b090"  # both agree on the tone: keep the measured colour
    # different family: the trained model decides; the skin swatch follows the trained tone
    out = merge_attributes(trained(hair_color="blonde", hair_hex="#d3b078", hair_color_confidence=0.7, skin_tone=7),
                           measured)
    assert (out.hair_color, out.hair_hex) == ("blonde", "#d3b078")
    assert (out.skin_tone, out.skin_hex) == (7, MONK[6])
    # an untrained skin head (skin_tone None) leaves skin to the measurements; bald wins over measured length
    out = merge_attributes(trained(hair_length="bald", bald=0.9), measured)
    assert (out.skin_tone, out.skin_hex, out.hair_length, out.bald) == (4, "#d0b090", "bald", 0.9)
    assert out.hair_color == "light_brown"  # the model named no colour


def test_combined_builds_the_measured_backend_by_name_lazily(run_dir):
    from classifiers import create_classifier

    clf = create_classifier("combined", weights=run_dir, measured="no-such-backend")
    with pytest.raises(UnknownNameError, match="unknown classifier 'no-such-backend'"):
        clf.measured


# --- preprocessing geometry ----------------------------------------------------------------------------------------

def test_chip_to_celeba_frame_puts_canonical_eyes_where_celeba_has_them():
    import cv2

    from classifiers.celeba.preprocess import CELEBA_FRAME, chip_to_celeba_frame
    from parts_library import frame

    chip = np.full((512, 512, 3), 200, np.uint8)
    for x in (frame.CENTER_X - frame.IOD / 2, frame.CENTER_X + frame.IOD / 2):
        cv2.circle(chip, (round(x * 0.5), round(frame.EYE_Y * 0.5)), 12, (0, 0, 0), -1)
    out = chip_to_celeba_frame(chip, 0.5)
    assert out.shape == (218, 178, 3)
    dark = out[..., 0] < 120
    ys, xs = np.nonzero(dark)
    left, right = xs < 89, xs >= 89
    ex, ey = CELEBA_FRAME["eye_mid"]
    half = CELEBA_FRAME["px_per_canonical"] * frame.IOD / 2
    assert xs[left].mean() == pytest.approx(ex - half, abs=1.0)
    assert xs[right].mean() == pytest.approx(ex + half, abs=1.0)
    assert ys.mean() == pytest.approx(ey, abs=1.0)


# --- errors ----------------------------------------------------------------------------------------------------------

def test_missing_weights_give_one_clear_line(tmp_path):
    from classifiers import create_classifier

    with pytest.raises(ModelFileNotFoundError, match=r"needs weights=RUN_DIR; train one with `memoji train-class"):
        create_classifier("resnext50-celeba")
    with pytest.raises(ModelFileNotFoundError, match=r"weights not found: .*nowhere does not exist"):
        create_classifier("resnext50-celeba", weights=tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text("{}")
    with pytest.raises(ModelFileNotFoundError, match=r"model.safetensors is missing"):
        create_classifier("resnext50-celeba", weights=tmp_path / "half")


def test_wrong_file_and_wrong_attribute_names_give_checkpoint_errors(run_dir, tmp_path):
    from classifiers import create_classifier

    bad = tmp_path / "bad"
    shutil.copytree(run_dir, bad)
    (bad / "model.safetensors").write_bytes(b"this is not a safetensors file")
    with pytest.raises(CheckpointError, match=r"model.safetensors is not a readable safetensors file") as err:
        create_classifier("resnext50-celeba", weights=bad)
    assert "\n" not in str(err.value)

    renamed = tmp_path / "renamed"
    shutil.copytree(run_dir, renamed)
    cfg = json.loads((renamed / "config.json").read_text())
    cfg["attributes"] = ["Wearing_Monocle" if a == "Wearing_Hat" else a for a in cfg["attributes"]]
    (renamed / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match=r"predicts 40 attributes that are not the 40 expected "
                                              r"\(unexpected Wearing_Monocle; missing Wearing_Hat\)"):
        create_classifier("resnext50-celeba", weights=renamed)

    (tmp_path / "notcfg").mkdir()
    (tmp_path / "notcfg" / "config.json").write_text(json.dumps({"hello": 1}))
    (tmp_path / "notcfg" / "model.safetensors").write_bytes(b"")
    with pytest.raises(CheckpointError, match="is not a memoji attribute-classifier config"):
        create_classifier("resnext50-celeba", weights=tmp_path / "notcfg")

    other = tmp_path / "other"
    shutil.copytree(run_dir, other)
    cfg = json.loads((other / "config.json").read_text())
    cfg["arch"] = "test_convnext"
    (other / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match=r"does not fit a test_convnext with 40 attributes"):
        create_classifier("resnext50-celeba", weights=other)


def test_eval_on_a_folder_with_other_attribute_names_is_refused(run_dir, celeba, tmp_path):
    from classifiers.celeba.evaluate import evaluate

    other = tmp_path / "celeba"
    shutil.copytree(celeba / "celeba", other / "celeba")
    attr_file = other / "celeba" / "list_attr_celeba.txt"
    attr_file.write_text(attr_file.read_text().replace("Eyeglasses", "Sunglasses", 1))
    with pytest.raises(CheckpointError, match=r"do not match the checkpoint .*folder lacks Eyeglasses, folder has "
                                              r"extra Sunglasses"):
        evaluate(run_dir, other, device="cpu", progress=False)


def test_dataset_errors_name_the_file(tmp_path):
    from classifiers.celeba.data import read_celeba, read_skin_csv

    with pytest.raises(DatasetError, match="no list_attr_celeba.txt in"):
        read_celeba(tmp_path)
    (tmp_path / "skin.csv").write_text("image,monk\n000001.jpg,12\n")
    with pytest.raises(DatasetError, match=r"skin.csv:2: monk must be 1..10, got 12"):
        read_skin_csv(tmp_path / "skin.csv")
    (tmp_path / "skin2.csv").write_text("file,tone\n")
    with pytest.raises(DatasetError, match=r"expected a header with columns 'image,monk'"):
        read_skin_csv(tmp_path / "skin2.csv")


def test_unknown_arch_and_missing_pretrained_file(celeba, tmp_path):
    from classifiers.celeba.model import AttributeNet
    from classifiers.celeba.train import train

    with pytest.raises(UnknownNameError, match=r"^unknown timm architecture 'resnext50_32x4'; did you mean "
                                               r"'resnext50_32x4d'\? \(see timm.list_models\(\)\)$"):
        train(celeba, tmp_path / "r", arch="resnext50_32x4", progress=False)
    with pytest.raises(ModelFileNotFoundError, match=r"ImageNet weights for test_efficientnet not found"):
        AttributeNet(ARCH, 40, pretrained_file=tmp_path / "imagenet.safetensors")


def test_pretrained_backbone_weights_come_from_the_users_file(tmp_path):
    import timm
    from safetensors.torch import save_file

    from classifiers.celeba.model import AttributeNet

    torch.manual_seed(5)
    ref = timm.create_model(ARCH, num_classes=1000)
    save_file({k: v.contiguous() for k, v in ref.state_dict().items()}, str(tmp_path / "imagenet.safetensors"))
    torch.manual_seed(6)
    net = AttributeNet(ARCH, 40, pretrained_file=tmp_path / "imagenet.safetensors")
    got = net.backbone.state_dict()
    want = ref.state_dict()
    assert "classifier.weight" not in got  # the ImageNet classifier is dropped
    assert all(torch.equal(got[k], want[k]) for k in got)


# --- command line ------------------------------------------------------------------------------------------------------

def test_cli_train_then_eval(celeba, tmp_path):
    from assembler.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["train-classifier", "--celeba-root", str(celeba), "--out", str(tmp_path / "run"),
                               "--arch", ARCH, "--epochs", "1", "--input-size", "32", "--limit", "32",
                               "--batch-size", "16", "--workers", "0", "--device", "cpu"])
    assert res.exit_code == 0, res.output
    assert "validation mean accuracy" in res.output and "majority baseline" in res.output
    assert f"wrote {tmp_path / 'run' / 'model.safetensors'}" in res.output
    res = runner.invoke(main, ["eval-classifier", str(tmp_path / "run"), "--celeba-root", str(celeba),
                               "--split", "valid", "--limit", "16", "--device", "cpu", "--workers", "0",
                               "--out", str(tmp_path / "ev")])
    assert res.exit_code == 0, res.output
    assert "16 valid images: mean accuracy" in res.output
    assert (tmp_path / "ev" / "report.md").is_file() and (tmp_path / "ev" / "attributes.png").is_file()


def test_cli_errors_are_one_line_with_exit_codes(tmp_path):
    from assembler.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["eval-classifier", str(tmp_path / "none"), "--celeba-root", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [f"Error: not a CelebA folder: no list_attr_celeba.txt in {tmp_path} "
                                               f"or {tmp_path / 'celeba'} (expected img_align_celeba/, "
                                               "list_attr_celeba.txt, list_eval_partition.txt)"]


@pytest.fixture(scope="module")
def real_celeba(tmp_path_factory, data_dir, astronaut):
    """A CelebA-format folder of real faces, cropped with the same geometry as inference."""
    from assembler import analyze
    from classifiers.celeba.data import write_celeba_folder
    from classifiers.celeba.preprocess import chip_to_celeba_frame

    images = {}
    for i, src in enumerate([data_dir / "obama.jpg", data_dir / "biden.jpg", astronaut]):
        face = analyze(src)[0]
        images[f"{i + 1:06d}.jpg"] = chip_to_celeba_frame(face.chip, face.chip_scale)
    root = tmp_path_factory.mktemp("realceleba")
    write_celeba_folder(root, images, {}, {k: 0 for k in images}, CELEBA_ATTRS)
    return root


@pytest.mark.parametrize("backend", ["resnext50-celeba", "measured"])
def test_cli_pseudo_label_skin_writes_monk_labels(real_celeba, run_dir, tmp_path, backend):
    from assembler.cli import main
    from classifiers import CLASSIFIERS, _load_backends
    from classifiers.celeba.data import read_skin_csv

    _load_backends()
    if backend not in CLASSIFIERS:
        pytest.skip(f"the {backend} backend is not in this checkout yet")
    args = ["pseudo-label-skin", "--celeba-root", str(real_celeba), "--out", str(tmp_path / "skin.csv"),
            "--backend", backend]
    if backend == "resnext50-celeba":
        args += ["--classifier-weights", str(run_dir)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "labelled 3 of 3 images" in res.output
    labels = read_skin_csv(tmp_path / "skin.csv")
    assert sorted(labels) == ["000001.jpg", "000002.jpg", "000003.jpg"]
    assert all(1 <= v <= 10 for v in labels.values())
    if backend == "measured":  # a measured skin tone: the astronaut is lighter than Obama
        assert labels["000003.jpg"] < labels["000001.jpg"]


def test_training_benchmark_step_runs_both_modes_on_cpu():
    """The GPU benchmark's training step (smoke run on CPU with a tiny model), so the script works on first use."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_train", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_train.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.bench_gpu(ARCH, batch=4, steps=2, warmup=1, size=32, device="cpu")
    assert [r["mode"] for r in res["results"]] == ["fp32", "bf16+channels_last"]
    assert all(r["images_per_s"] > 0 for r in res["results"])
    md = bench.render({"gpu": res})
    assert "| fp32 | 4 |" in md and "bf16+channels_last" in md and "2,500 images/s target" in md


@pytest.mark.gpu
def test_gpu_training_uses_bf16_channels_last_and_reloads_on_cpu(celeba, tmp_path):
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    from classifiers.celeba.model import load_run
    from classifiers.celeba.train import train

    train(celeba, tmp_path / "run", arch="resnext50_32x4d", epochs=1, batch_size=32, limit=64, workers=2,
          device="cuda", progress=False)
    cfg = json.loads((tmp_path / "run" / "config.json").read_text())
    assert cfg["training"]["amp"] and cfg["training"]["channels_last"]
    assert cfg["preprocess"]["input_size"] == 224
    x = torch.randn(2, 3, 224, 224)
    gpu_model, _ = load_run(tmp_path / "run", device="cuda")
    cpu_model, _ = load_run(tmp_path / "run", device="cpu")
    with torch.no_grad():
        a_gpu, _ = gpu_model(x.cuda())
        a_cpu, _ = cpu_model(x)
    # same probabilities up to TF32/cuDNN rounding
    assert torch.allclose(torch.sigmoid(a_gpu.cpu()), torch.sigmoid(a_cpu), atol=0.02)
