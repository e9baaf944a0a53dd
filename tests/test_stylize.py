"""Stylize stage on tiny random-config SDXL checkpoints (CPU, 64 px, 2 steps): loading through the user-facing
loader, determinism, LoRA, refiner, single files, control images, errors and the CLI."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import types

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytest.importorskip("diffusers")
pytest.importorskip("peft")

from assembler.errors import MissingDependencyError, ModelFileNotFoundError, UnknownNameError  # noqa: E402
from assembler.stylization import Stylizer, StylizeConfig, StylizeConfigError, canny_image, control_image  # noqa: E402

SIZE = 64


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny models gain nothing from intra-op threads; on a shared 2-core CI box (pytest -n 2) they only spin."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    import diffusers
    import transformers

    from assembler.stylization.testing import save_tiny_checkpoints

    transformers.logging.set_verbosity_error()
    diffusers.logging.set_verbosity_error()  # the byte-level tiny tokenizer truncates the long prompt
    return save_tiny_checkpoints(tmp_path_factory.mktemp("tiny-sdxl"))


def _avatar_image(size: int = 200, skin=(230, 180, 140)) -> Image.Image:
    """A little RGBA 'render': a face disc with eyes and a mouth on a transparent background."""
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    s = size / 200
    d.ellipse((40 * s, 30 * s, 160 * s, 180 * s), fill=(*skin, 255))
    d.ellipse((70 * s, 80 * s, 90 * s, 100 * s), fill=(30, 30, 30, 255))
    d.ellipse((110 * s, 80 * s, 130 * s, 100 * s), fill=(30, 30, 30, 255))
    d.arc((75 * s, 110 * s, 125 * s, 150 * s), 20, 160, fill=(150, 40, 40, 255), width=max(1, int(4 * s)))
    return im


@pytest.fixture(scope="module")
def avatar():
    return _avatar_image()


def _cfg(ckpt, **kw):
    base = dict(base=str(ckpt.base), controlnet=str(ckpt.controlnet), size=SIZE, steps=2, device="cpu")
    base.update(kw)
    return base


@pytest.fixture(scope="module")
def stylizer(ckpt):
    return Stylizer.from_config(_cfg(ckpt))


@pytest.fixture(scope="module")
def plain(stylizer, avatar):
    return np.asarray(stylizer(avatar))


def _diff(a, b) -> float:
    return float(np.abs(np.asarray(a, dtype=np.float32) - np.asarray(b, dtype=np.float32)).mean())


# --------------------------------------------------------------------------------------------------- pipeline
def test_output_is_rgb_at_config_size(stylizer, avatar, plain):
    out = stylizer(avatar)
    assert out.size == (SIZE, SIZE) and out.mode == "RGB"
    assert plain.shape == (SIZE, SIZE, 3) and plain.std() > 0  # not a blank image


def test_same_seed_same_pixels_other_seed_other_pixels(stylizer, avatar, plain):
    assert np.array_equal(np.asarray(stylizer(avatar, seed=0)), plain)
    assert _diff(stylizer(avatar, seed=1), plain) > 0.5


def test_prompt_is_encoded_once_and_prompt_extra_changes_output(stylizer, avatar, plain):
    calls = []
    hook = stylizer.base.text_encoder_2.register_forward_hook(lambda *a: calls.append(1))
    try:
        assert np.array_equal(np.asarray(stylizer(avatar)), plain) and calls == []  # warm: cached embeddings
        out = stylizer(avatar, prompt_extra="red hair, glasses")
        assert calls  # a new prompt is encoded
        n = len(calls)
        stylizer(avatar, prompt_extra="red hair, glasses")
        assert len(calls) == n
    finally:
        hook.remove()
    assert _diff(out, plain) > 0.1


def test_input_kinds_path_and_avatar_object(stylizer, avatar, plain, tmp_path):
    path = tmp_path / "render.png"
    avatar.save(path)
    assert np.array_equal(np.asarray(stylizer(path)), plain)
    obj = types.SimpleNamespace(image=avatar)
    assert np.array_equal(np.asarray(stylizer(obj)), plain)


def test_list_in_list_out_batch_matches_single(stylizer, avatar, plain):
    other = _avatar_image(skin=(120, 80, 50))
    outs = stylizer([avatar, other, avatar], batch_size=2)
    assert isinstance(outs, list) and len(outs) == 3
    assert all(o.size == (SIZE, SIZE) for o in outs)
    # same seed: the same picture alone or in a batch (up to float noise, which random tiny nets amplify);
    # a different render gives a clearly different picture
    other_gap = _diff(outs[1], plain)
    assert other_gap > 0.5
    assert _diff(outs[0], plain) < 0.3 * other_gap and _diff(outs[2], plain) < 0.3 * other_gap


def test_txt2img_mode_sees_edges_not_colours(ckpt, stylizer, avatar, plain):
    t2i = Stylizer.from_config(_cfg(ckpt, mode="txt2img"))
    out = t2i(avatar)
    assert out.size == (SIZE, SIZE) and _diff(out, plain) > 0.5
    recoloured = _avatar_image(skin=(90, 60, 200))  # same edges, other skin colour
    # pure ControlNet text-to-image sees only the edges; img2img starts from the render's colours
    assert _diff(t2i(recoloured), out) < 0.5 * _diff(stylizer(recoloured), plain)


def test_lora_changes_output_and_scale_zero_does_not(ckpt, avatar, plain):
    with_lora = Stylizer.from_config(_cfg(ckpt, loras=[{"path": str(ckpt.lora), "scale": 1.0}]))(avatar)
    assert _diff(with_lora, plain) > 0.5
    zero = Stylizer.from_config(_cfg(ckpt, lora=str(ckpt.lora), lora_scale=0.0))(avatar)
    assert _diff(zero, plain) < 0.05


def test_unfused_lora_changes_output_too(ckpt, avatar, plain):
    unfused = Stylizer.from_config(_cfg(ckpt, lora=str(ckpt.lora), lora_fuse=False))
    assert unfused.base.get_active_adapters() == ["lora0"]  # kept as a switchable adapter
    assert _diff(unfused(avatar), plain) > 0.5


@pytest.mark.parametrize("handoff,mode,steps", [("img2img", "img2img", 2), ("ensemble", "txt2img", 4)])
def test_refiner_paths(ckpt, avatar, plain, handoff, mode, steps):
    base_only = plain if mode == "img2img" else Stylizer.from_config(_cfg(ckpt, mode=mode, steps=steps))(avatar)
    s = Stylizer.from_config(_cfg(ckpt, mode=mode, steps=steps, refiner=str(ckpt.refiner), refiner_handoff=handoff,
                                  refiner_steps=2, refiner_strength=0.5, denoising_split=0.5))
    assert s.refiner is not None and s.refiner.text_encoder_2 is s.base.text_encoder_2  # shared, loaded once
    out = s(avatar)
    assert out.size == (SIZE, SIZE)
    assert _diff(out, base_only) > 0.5
    assert np.array_equal(np.asarray(s(avatar)), np.asarray(out))


def test_ensemble_needs_txt2img(ckpt):
    with pytest.raises(StylizeConfigError, match="refiner_handoff = 'ensemble' needs mode = 'txt2img'"):
        StylizeConfig(refiner=str(ckpt.refiner), refiner_handoff="ensemble", mode="img2img")


def test_single_file_controlnet_and_vae_match_folders(ckpt, avatar, plain):
    s = Stylizer.from_config(_cfg(ckpt, controlnet=str(ckpt.controlnet_file), controlnet_config=str(ckpt.controlnet),
                                  vae=str(ckpt.vae_file), vae_config=str(ckpt.vae)))
    assert np.array_equal(np.asarray(s(avatar)), plain)


def test_single_file_base_uses_local_config_and_no_download(ckpt, avatar, tmp_path, monkeypatch):
    import torch
    from diffusers import StableDiffusionXLControlNetImg2ImgPipeline as Pipe
    from safetensors.torch import save_file

    single = tmp_path / "sdxl-cartoon.safetensors"
    save_file({"x": torch.zeros(1)}, str(single))
    with pytest.raises(StylizeConfigError) as err:
        Stylizer.from_config(_cfg(ckpt, base=str(single)))
    assert str(err.value) == ("stylize base is a single file: set base_config to a local diffusers folder of the same "
                              "architecture (with model_index.json, configs and tokenizers); nothing is downloaded")
    # a tiny LDM-format SDXL file cannot be written here: check what reaches from_single_file, load the folder
    seen = {}
    from_folder = Pipe.from_pretrained

    def fake_single_file(cls, path, **kw):
        seen.update(path=path, config=kw.get("config"), local=kw.get("local_files_only"), cn=kw.get("controlnet"))
        return from_folder(kw["config"], controlnet=kw["controlnet"], torch_dtype=kw["torch_dtype"],
                           local_files_only=True)

    monkeypatch.setattr(Pipe, "from_single_file", classmethod(fake_single_file))
    s = Stylizer.from_config(_cfg(ckpt, base=str(single), base_config=str(ckpt.base)))
    assert seen["path"] == str(single) and seen["config"] == str(ckpt.base) and seen["local"] is True
    assert seen["cn"] is s.base.controlnet
    assert s(avatar).size == (SIZE, SIZE)


def test_speedups_do_not_change_the_picture_much(ckpt, stylizer, avatar, plain):
    s = Stylizer.from_config(_cfg(ckpt, fuse_qkv=False, channels_last=False))
    assert _diff(s(avatar), plain) < 0.3 * _diff(stylizer(avatar, seed=1), plain)


def test_one_shot_stylize_reuses_loaded_models(ckpt, avatar, plain):
    import assembler
    from assembler.stylization import pipeline, stylize

    pipeline.clear_cache()
    out = assembler.stylize(avatar, _cfg(ckpt))  # the package attribute is callable too
    assert np.array_equal(np.asarray(out), plain)
    held = next(iter(pipeline._CACHE.values()))
    out2 = stylize(avatar, _cfg(ckpt), seed=1)
    assert next(iter(pipeline._CACHE.values())) is held and _diff(out2, plain) > 0.5
    # a setting that is not a model setting applies to the next call with the same models: a new size is drawn at
    # that size (it used to return the first call's size silently)
    bigger = stylize(avatar, _cfg(ckpt), size=SIZE + 16)
    assert next(iter(pipeline._CACHE.values())) is held and bigger.size == (SIZE + 16, SIZE + 16)
    pipeline.clear_cache()


def test_every_setting_is_either_per_call_or_a_model_setting():
    """The one-shot stylize() keys its model cache on the model settings and passes the per-call ones on: a setting
    in neither set would be silently taken from the cached stylizer."""
    import dataclasses

    from assembler.stylization import pipeline

    fields = {f.name for f in dataclasses.fields(StylizeConfig)}
    assert fields == pipeline.PER_CALL | set(pipeline._MODEL_KEYS)
    assert not pipeline.PER_CALL & set(pipeline._MODEL_KEYS)


def test_per_call_model_change_is_refused(stylizer, avatar):
    with pytest.raises(StylizeConfigError, match="^base cannot change per call"):
        stylizer(avatar, base="/elsewhere")


# --------------------------------------------------------------------------------------------------- errors
def test_missing_base_is_one_line(ckpt, tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ModelFileNotFoundError) as err:
        Stylizer.from_config(_cfg(ckpt, base=str(missing)))
    assert str(err.value) == (f"stylize base model not found: {missing} does not exist "
                              "(give a diffusers folder with model_index.json or a .safetensors file)")


def test_wrong_files_are_one_line(ckpt, tmp_path):
    """Each kind of wrong model file is its own one-line ModelFileNotFoundError that names the file."""
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "controlnet.safetensors"
    bad.write_text("this is not a checkpoint")
    lora = tmp_path / "memoji.safetensors"
    cases = [  # (config, the file the message must name, the exact message or a regex for it)
        (dict(base=str(empty)), empty,
         f"stylize base model {empty} is not a diffusers folder: no model_index.json in it "
         "(give the folder that holds it, or a .safetensors file)"),
        (dict(controlnet=str(bad)), bad,
         f"stylize controlnet {bad} is not a valid .safetensors file (truncated or another format)"),
        (dict(loras=[str(lora)]), lora, f"stylize LoRA not found: {lora} does not exist"),
        # a real checkpoint of the wrong model
        (dict(controlnet=str(ckpt.vae_file), controlnet_config=str(ckpt.controlnet)), ckpt.vae_file,
         re.compile(r"^stylize controlnet .*vae\.safetensors could not be loaded: ")),
    ]
    for overrides, path, expected in cases:
        with pytest.raises(ModelFileNotFoundError) as err:
            Stylizer.from_config(_cfg(ckpt, **overrides))
        message = str(err.value)
        assert "\n" not in message and str(path) in message, message
        assert expected.match(message) if isinstance(expected, re.Pattern) else message == expected


def test_no_base_configured(monkeypatch):
    monkeypatch.delenv("MEMOJI_STYLIZE_BASE", raising=False)
    with pytest.raises(StylizeConfigError, match="^stylize needs a base model: set base = "):
        Stylizer.from_config({"device": "cpu"})


def test_without_diffusers_one_line_hint(monkeypatch, ckpt):
    monkeypatch.setitem(sys.modules, "diffusers", None)  # import diffusers → ImportError
    with pytest.raises(MissingDependencyError) as err:
        Stylizer.from_config(_cfg(ckpt))
    assert str(err.value) == ("stylize needs diffusers: pip install -e '.[stylize]' in the memoji-assembler "
                              "checkout")


def test_import_assembler_does_not_import_diffusers():
    code = ("import sys, assembler, assembler.stylization; "
            "bad = [m for m in ('diffusers', 'torch', 'transformers') if m in sys.modules]; "
            "import assembler.cli; "
            "bad += [m for m in ('diffusers',) if m in sys.modules]; "
            "assert not bad, bad; print('ok')")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


# --------------------------------------------------------------------------------------------------- config
def test_config_from_toml_relative_paths_presets_and_overrides(tmp_path):
    f = tmp_path / "stylize.toml"
    f.write_text('base = "models/sdxl"\ncontrolnet = "/abs/cn.safetensors"\npreset = "quality"\nseed = 7\n'
                 'loras = [{ path = "loras/memoji.safetensors", scale = 0.5 }]\n')
    cfg = StylizeConfig.load(f, steps=12)
    assert cfg.base == str(tmp_path / "models/sdxl") and cfg.controlnet == "/abs/cn.safetensors"
    assert cfg.loras[0].path == str(tmp_path / "loras/memoji.safetensors") and cfg.loras[0].scale == 0.5
    assert cfg.num_steps == 12 and cfg.guidance_scale == 7.0 and cfg.seed == 7 and cfg.size == 1024
    assert StylizeConfig().num_steps == 20 and StylizeConfig().scheduler_name == "dpmpp_2m_karras"
    assert StylizeConfig(preset="lightning").guidance_scale == 0.0
    j = tmp_path / "stylize.json"
    j.write_text('{"stylize": {"dtype": "fp16", "mode": "t2i"}}')
    cfg = StylizeConfig.load(j)
    assert cfg.dtype == "float16" and cfg.mode == "txt2img"


def test_config_errors_name_what_exists(tmp_path):
    with pytest.raises(UnknownNameError, match="^unknown stylize setting 'stepz'; did you mean 'steps'\\?"):
        StylizeConfig.load({"stepz": 4})
    with pytest.raises(UnknownNameError, match="^unknown speed preset 'fastest'; did you mean 'fast'\\? "
                                              "\\(presets: fast, quality, lightning\\)$"):
        StylizeConfig(preset="fastest")
    with pytest.raises(StylizeConfigError, match="^strength must be in \\(0, 1\\], got 1.5$"):
        StylizeConfig(strength=1.5)
    with pytest.raises(ModelFileNotFoundError, match="^stylize config not found: "):
        StylizeConfig.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("base = \n")
    with pytest.raises(StylizeConfigError, match=f"^cannot read stylize config {bad}: "):
        StylizeConfig.load(bad)


def test_packaged_presets_load():
    from assembler.stylization.loader import PACKAGED_CONFIGS

    for name, steps in (("fast", 20), ("quality", 30), ("lightning", 4)):
        cfg = StylizeConfig.load(PACKAGED_CONFIGS / f"stylize-{name}.toml")
        assert cfg.num_steps == steps and cfg.size == 1024 and cfg.loras


# --------------------------------------------------------------------------------------------------- control
def test_canny_edges_follow_the_render(avatar):
    edges = np.asarray(canny_image(avatar, 128))
    assert edges.shape == (128, 128, 3) and set(np.unique(edges)) <= {0, 255}
    grey = edges[..., 0]
    # the face outline (disc from x=25.6..102.4 at 128 px) is an edge; the middle of the cheek and the corner are not
    row = grey[64]
    assert row[24:29].max() == 255 and row[100:105].max() == 255
    assert grey[0:10, 0:10].max() == 0 and grey[70:74, 40:44].max() == 0


def test_svg_is_rasterised_at_target_size(avatar):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
           '<circle cx="50" cy="50" r="30" fill="#e0b090"/></svg>')
    obj = types.SimpleNamespace(image=Image.new("RGBA", (16, 16)), svg=svg)  # tiny raster: the SVG must win
    edges = np.asarray(control_image(obj, 256))[..., 0]
    ys, xs = np.nonzero(edges)
    assert edges.shape == (256, 256)
    assert abs(xs.min() - 51) <= 3 and abs(xs.max() - 204) <= 3  # circle r=30/100 of 256 px, sharp


def test_rgba_is_flattened_on_background(stylizer):
    from assembler.stylization import init_image

    img = init_image(Image.new("RGBA", (32, 32), (255, 0, 0, 0)), 64, "#102030")
    assert img.mode == "RGB" and img.getpixel((5, 5)) == (16, 32, 48)


def test_landmark_control():
    from parts_library.frame import MEAN_SHAPE

    obj = types.SimpleNamespace(image=Image.new("RGBA", (1024, 1024)), landmarks=np.asarray(MEAN_SHAPE))
    lm = np.asarray(control_image(obj, 128, "landmarks"))[..., 0]
    assert lm.shape == (128, 128) and 50 < (lm > 0).sum() < 3000
    with pytest.raises(ValueError, match="needs an avatar with .landmarks"):
        control_image(Image.new("RGB", (64, 64)), 64, "landmarks")


# --------------------------------------------------------------------------------------------------- CLI
def _toml(ckpt, tmp_path, **extra):
    f = tmp_path / "stylize.toml"
    lines = [f'base = "{ckpt.base}"', f'controlnet = "{ckpt.controlnet}"', f"size = {SIZE}", "steps = 2",
             'device = "cpu"'] + [f"{k} = {v!r}".replace("'", '"') for k, v in extra.items()]
    f.write_text("\n".join(lines) + "\n")
    return f


def test_cli_stylize_png(ckpt, avatar, plain, tmp_path):
    from click.testing import CliRunner

    from assembler.cli import main

    src = tmp_path / "avatar.png"
    avatar.save(src)
    out = tmp_path / "out" / "styl.png"
    res = CliRunner().invoke(main, ["stylize", str(src), "--config", str(_toml(ckpt, tmp_path)), "-o", str(out),
                                    "--control-out", str(tmp_path / "edges.png")])
    assert res.exit_code == 0, res.output
    assert f"wrote {out} ({SIZE}x{SIZE}, 2 steps, cpu, float32)" in res.output
    assert np.array_equal(np.asarray(Image.open(out)), plain)
    assert Image.open(tmp_path / "edges.png").size == (SIZE, SIZE)


def test_cli_stylize_recipe_through_renderer(ckpt, tmp_path, data_dir):
    """A recipe is read and checked like `memoji render` reads it, drawn by the parts renderer, and stylized: the
    control edges are the edges of the renderer's own picture of the recipe. A recipe that names a part the library
    does not have stops with exit 2 before any model loads."""
    from click.testing import CliRunner

    import parts_library
    from assembler.cli import main
    from assembler.recipe import read_recipe_file

    recipe = tmp_path / "me.json"
    recipe.write_text((data_dir / "golden" / "obama.recipe.json").read_text())
    edges = tmp_path / "edges.png"
    res = CliRunner().invoke(main, ["stylize", str(recipe), "-c", str(_toml(ckpt, tmp_path)), "--control-out",
                                    str(edges)])
    assert res.exit_code == 0, res.output
    assert Image.open(tmp_path / "me_stylized.png").size == (SIZE, SIZE)
    # the renderer's SVG of the recipe, rasterised as the stylizer rasterises it (its PNG differs from cairosvg's
    # raster of the SVG by a grey level here and there, enough to move a Canny edge pixel)
    svg = parts_library.render(read_recipe_file(recipe), size=SIZE, fmt="svg").data
    drawn = types.SimpleNamespace(image=None, svg=svg)
    expected = np.asarray(canny_image(drawn, SIZE))
    assert expected.any() and np.array_equal(np.asarray(Image.open(edges).convert("RGB")), expected)

    bad = tmp_path / "bad.json"
    broken = json.loads(recipe.read_text())
    broken["parts"]["hair"] = "spikey_01"  # a misspelt part, whatever the golden recipe's hair is
    bad.write_text(json.dumps(broken))
    res = CliRunner().invoke(main, ["stylize", str(bad), "--base", str(tmp_path / "no-model-here")])
    assert res.exit_code == 2, res.output
    assert re.fullmatch(r"Error: unknown hair part 'spikey_01'; did you mean 'spiky_01'\? "
                        r"\(\d+ hair parts: memoji parts list hair\)\n", res.stderr), res.stderr


def test_cli_missing_base_model_is_one_line_exit_4(ckpt, tmp_path):
    from click.testing import CliRunner

    from assembler.cli import main

    src = tmp_path / "a.png"
    Image.new("RGB", (32, 32)).save(src)
    res = CliRunner().invoke(main, ["stylize", str(src), "-c", str(_toml(ckpt, tmp_path)), "--base",
                                    str(tmp_path / "gone")])
    assert res.exit_code == 4
    assert res.output.strip() == (f"Error: stylize base model not found: {tmp_path / 'gone'} does not exist "
                                  "(give a diffusers folder with model_index.json or a .safetensors file)")


def test_cli_without_diffusers(ckpt, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from assembler.cli import main

    monkeypatch.setitem(sys.modules, "diffusers", None)
    src = tmp_path / "a.png"
    Image.new("RGB", (32, 32)).save(src)
    res = CliRunner().invoke(main, ["stylize", str(src), "-c", str(_toml(ckpt, tmp_path))])
    assert res.exit_code == 5
    assert res.output.strip() == ("Error: stylize needs diffusers: pip install -e '.[stylize]' in the "
                                  "memoji-assembler checkout")


# --------------------------------------------------------------------------------------------------- GPU
def _assert_finite_throughout(stylizer, avatar) -> np.ndarray:
    """Run ``stylizer`` on ``avatar`` and check that the latents the UNets hand over and the decoded picture (before
    it is clamped, NaN-zeroed and cast to uint8, where a NaN would only show as black) are finite."""
    import torch

    seen: dict[str, bool] = {}
    decode, vae = stylizer._decode, stylizer.vae
    vae_decode = vae.decode

    def spy_decode(latents):
        seen["latents"] = bool(torch.isfinite(latents).all())
        return decode(latents)

    def spy_vae_decode(*args, **kwargs):
        out = vae_decode(*args, **kwargs)
        seen["picture"] = bool(torch.isfinite(out.sample).all())  # the last decode is the one kept
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stylizer, "_decode", spy_decode)
        mp.setattr(vae, "decode", spy_vae_decode)
        arr = np.asarray(stylizer(avatar))
    assert seen == {"latents": True, "picture": True}
    assert arr.std() > 0
    return arr


def test_latents_and_picture_are_finite_on_cpu(stylizer, avatar, plain):
    assert np.array_equal(_assert_finite_throughout(stylizer, avatar), plain)


def test_finite_check_sees_a_nan(stylizer, avatar, monkeypatch):
    """The check above is able to fail: NaN latents (what an fp16 overflow gives) are caught."""
    decode = stylizer._decode
    monkeypatch.setattr(stylizer, "_decode", lambda latents: decode(latents * float("nan")))
    with pytest.raises(AssertionError):
        _assert_finite_throughout(stylizer, avatar)


@pytest.mark.gpu
def test_fp16_on_gpu_has_no_nan(ckpt, avatar):
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    s = Stylizer.from_config(_cfg(ckpt, device="cuda", dtype="float16", refiner=str(ckpt.refiner)))
    _assert_finite_throughout(s, avatar)
