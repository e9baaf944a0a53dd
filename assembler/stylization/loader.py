"""Loading SDXL base + ControlNet + refiner + VAE + LoRA from local files, and the speed settings.

Every model comes from a path the user gives (or ``$MEMOJI_STYLIZE_BASE`` / ``_CONTROLNET`` / ``_REFINER`` /
``_VAE``): a diffusers folder, or one ``.safetensors`` checkpoint read with ``from_single_file`` against a local
config folder (packaged SDXL configs under ``assembler/configs/`` serve the ControlNet, VAE and refiner UNet; a
single-file base needs a local folder with tokenizers). Nothing is downloaded (``local_files_only=True``).
"""
from __future__ import annotations

import json
import logging
import os
import struct
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, ModelFileNotFoundError
from .config import StylizeConfig, StylizeConfigError

__all__ = ["require_diffusers", "check_model_path", "resolve_dtype", "resolve_device", "load_pipelines",
           "prepare_pipelines",
           "PACKAGED_CONFIGS"]

log = logging.getLogger(__name__)

PACKAGED_CONFIGS = Path(__file__).resolve().parent.parent / "configs"
_SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin")
_ENV = {"base": "MEMOJI_STYLIZE_BASE", "controlnet": "MEMOJI_STYLIZE_CONTROLNET",
        "refiner": "MEMOJI_STYLIZE_REFINER", "vae": "MEMOJI_STYLIZE_VAE"}


def require_diffusers():
    """Import diffusers (and torch, transformers) or raise the one-line extra hint."""
    try:
        import diffusers  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise MissingDependencyError("stylize needs diffusers: pip install -e '.[stylize]' in the memoji-assembler "
                                     "checkout") from None
    return diffusers


# ------------------------------------------------------------------------------------------------ file checks
def _safetensors_ok(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return False
            (n,) = struct.unpack("<Q", head)
            if n <= 1 or n > 100_000_000 or n + 8 > path.stat().st_size:
                return False
            meta = json.loads(f.read(n))
        return isinstance(meta, dict)
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def check_model_path(what: str, path: str | os.PathLike, marker: str) -> tuple[str, Path]:
    """``("folder", p)`` for a diffusers folder holding ``marker``, ``("file", p)`` for a checkpoint file; otherwise
    :class:`ModelFileNotFoundError` with one line naming the path and what was expected there."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileNotFoundError(f"stylize {what} not found: {p} does not exist "
                                     f"(give a diffusers folder with {marker} or a .safetensors file)")
    if p.is_dir():
        if not (p / marker).is_file():
            raise ModelFileNotFoundError(f"stylize {what} {p} is not a diffusers folder: no {marker} in it "
                                         "(give the folder that holds it, or a .safetensors file)")
        return "folder", p
    if p.suffix.lower() not in _SINGLE_FILE_SUFFIXES:
        raise ModelFileNotFoundError(f"stylize {what} {p} is not a model file: expected a diffusers folder "
                                     f"or a {'/'.join(_SINGLE_FILE_SUFFIXES)} checkpoint")
    if p.suffix.lower() == ".safetensors" and not _safetensors_ok(p):
        raise ModelFileNotFoundError(f"stylize {what} {p} is not a valid .safetensors file (truncated or another "
                                     "format)")
    return "file", p


def check_files(cfg: StylizeConfig) -> None:
    """Check every model path the config (or its environment variables) names, without loading anything: a batch
    or ``make --stylize`` reports a missing or broken file before the first photo is analysed."""
    require_diffusers()
    if not _path_of(cfg, "base"):
        raise StylizeConfigError("stylize needs a base model: set base = '/path/to/sdxl' (a diffusers folder or a "
                                 f".safetensors checkpoint) in the config, or ${_ENV['base']}")
    for what, marker in (("base", "model_index.json"), ("refiner", "model_index.json"),
                         ("controlnet", "config.json"), ("vae", "config.json")):
        path = _path_of(cfg, what)
        if path:
            check_model_path("base model" if what == "base" else what, path, marker)


def _config_folder(what: str, user: str | None, packaged: str | None, marker: str) -> str:
    if user:
        kind, p = check_model_path(f"{what} config", user, marker)
        if kind != "folder":
            raise ModelFileNotFoundError(f"stylize {what} config {p} must be a folder holding {marker}")
        return str(p)
    if packaged and (PACKAGED_CONFIGS / packaged / marker).is_file():
        return str(PACKAGED_CONFIGS / packaged)
    raise StylizeConfigError(f"stylize {what} is a single file: set {what}_config to a local diffusers folder of "
                             f"the same architecture (with {marker}, configs and tokenizers); nothing is downloaded")


def _path_of(cfg: StylizeConfig, name: str) -> str | None:
    value = getattr(cfg, name)
    if value:
        return value
    env = os.environ.get(_ENV[name])
    return env or None


# ------------------------------------------------------------------------------------------------ device/dtype
def resolve_device(cfg: StylizeConfig):
    import torch

    if cfg.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise StylizeConfigError(f"device = '{cfg.device}' but no CUDA GPU is available (use device = 'cpu')")
    return device


def resolve_dtype(cfg: StylizeConfig, device):
    import torch

    if cfg.dtype == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    return {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[cfg.dtype]


def vae_dtype_for(vae, dtype, device):
    """The VAE runs in ``dtype`` unless that is float16 and the VAE overflows there (``force_upcast``): then
    bfloat16 on a GPU that has it (same range as float32, no NaN/black images), else float32."""
    import torch

    if dtype != torch.float16 or not getattr(vae.config, "force_upcast", True):
        return dtype
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def _variant(folder: Path, sub: str = "unet") -> str | None:
    """``"fp16"`` when a diffusers folder holds only ``*.fp16.safetensors`` weights."""
    d = folder / sub if (folder / sub).is_dir() else folder
    names = [p.name for p in d.glob("*.safetensors")] + [p.name for p in d.glob("*.bin")]
    if names and all(".fp16." in n for n in names):
        return "fp16"
    return None


# ------------------------------------------------------------------------------------------------ loading
def _wrap_load(what: str, path: Path, fn, *args, **kwargs):
    """Call a diffusers loader; turn a broken/mismatched file into one line naming it."""
    import warnings

    try:
        with warnings.catch_warnings():  # torch_dtype is the spelling every diffusers >= 0.30 understands
            warnings.filterwarnings("ignore", message=".*torch_dtype. is deprecated", category=FutureWarning)
            return fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - any loader failure: one line naming the file, cause chained
        if isinstance(err, (ModelFileNotFoundError, StylizeConfigError, MissingDependencyError)):
            raise
        first = next((ln.strip() for ln in str(err).splitlines() if ln.strip()), type(err).__name__)
        raise ModelFileNotFoundError(f"stylize {what} {path} could not be loaded: {first[:300]}") from err


def _load_component(cfg: StylizeConfig, what: str, class_name: str, user_config, bundled_config: str, dtype):
    """A diffusers model (``what`` = "controlnet" / "vae") from a folder or a single file (with a local config),
    or None when the config names none."""
    path = _path_of(cfg, what)
    if not path:
        return None
    import diffusers

    cls = getattr(diffusers, class_name)
    kind, p = check_model_path(what, path, "config.json")
    if kind == "folder":
        return _wrap_load(what, p, cls.from_pretrained, str(p), torch_dtype=dtype, local_files_only=True,
                          variant=_variant(p, "."))
    config = _config_folder(what, user_config, bundled_config, "config.json")
    return _wrap_load(what, p, cls.from_single_file, str(p), config=config, torch_dtype=dtype,
                      local_files_only=True)


def load_controlnet(cfg: StylizeConfig, dtype):
    return _load_component(cfg, "controlnet", "ControlNetModel", cfg.controlnet_config, "controlnet-canny-sdxl", dtype)


def load_vae(cfg: StylizeConfig, dtype):
    return _load_component(cfg, "vae", "AutoencoderKL", cfg.vae_config, "sdxl-vae", dtype)


def base_pipeline_class(cfg: StylizeConfig, with_controlnet: bool):
    import diffusers

    if with_controlnet:
        return (diffusers.StableDiffusionXLControlNetImg2ImgPipeline if cfg.mode == "img2img"
                else diffusers.StableDiffusionXLControlNetPipeline)
    return diffusers.StableDiffusionXLImg2ImgPipeline if cfg.mode == "img2img" else diffusers.StableDiffusionXLPipeline


def load_base(cfg: StylizeConfig, dtype, controlnet, vae):
    path = _path_of(cfg, "base")
    if not path:
        raise StylizeConfigError("stylize needs a base model: set base = '/path/to/sdxl' (a diffusers folder or a "
                                 f".safetensors checkpoint) in the config, or ${_ENV['base']}")
    cls = base_pipeline_class(cfg, controlnet is not None)
    extra: dict[str, Any] = {}
    if controlnet is not None:
        extra["controlnet"] = controlnet
    if vae is not None:
        extra["vae"] = vae
    kind, p = check_model_path("base model", path, "model_index.json")
    if kind == "folder":
        return _wrap_load("base model", p, cls.from_pretrained, str(p), torch_dtype=dtype, local_files_only=True,
                          variant=_variant(p), add_watermarker=False, **extra)
    config = _config_folder("base", cfg.base_config, None, "model_index.json")
    return _wrap_load("base model", p, cls.from_single_file, str(p), config=config, torch_dtype=dtype,
                      local_files_only=True, **extra)


def load_refiner(cfg: StylizeConfig, dtype, base):
    path = _path_of(cfg, "refiner")
    if not path:
        return None
    from diffusers import StableDiffusionXLImg2ImgPipeline

    # the refiner shares the base's second text encoder and VAE (identical in SDXL 1.0): loaded once
    shared = {"text_encoder_2": base.text_encoder_2, "tokenizer_2": base.tokenizer_2, "vae": base.vae,
              "text_encoder": None, "tokenizer": None}
    kind, p = check_model_path("refiner", path, "model_index.json")
    if kind == "folder":
        return _wrap_load("refiner", p, StableDiffusionXLImg2ImgPipeline.from_pretrained, str(p), torch_dtype=dtype,
                          local_files_only=True, variant=_variant(p), add_watermarker=False, **shared)
    config = _config_folder("refiner", cfg.refiner_config, None, "model_index.json")
    return _wrap_load("refiner", p, StableDiffusionXLImg2ImgPipeline.from_single_file, str(p), config=config,
                      torch_dtype=dtype, local_files_only=True, **shared)


def load_loras(cfg: StylizeConfig, pipe) -> list[str]:
    """Load every LoRA as a named adapter at its scale; fuse them into the weights when ``lora_fuse``."""
    if not cfg.loras:
        return []
    names, scales = [], []
    for i, spec in enumerate(cfg.loras):
        p = Path(spec.path).expanduser()
        if not p.exists():
            raise ModelFileNotFoundError(f"stylize LoRA not found: {p} does not exist")
        if p.is_dir():
            folder, weight_name = p, spec.weight_name
            if weight_name is None and not (p / "pytorch_lora_weights.safetensors").is_file():
                found = sorted(x.name for x in p.glob("*.safetensors"))
                if len(found) != 1:
                    raise ModelFileNotFoundError(
                        f"stylize LoRA folder {p} holds {len(found)} .safetensors files and no "
                        "pytorch_lora_weights.safetensors: name one with weight_name")
                weight_name = found[0]
        else:
            if p.suffix.lower() == ".safetensors" and not _safetensors_ok(p):
                raise ModelFileNotFoundError(f"stylize LoRA {p} is not a valid .safetensors file")
            folder, weight_name = p.parent, p.name
        name = f"lora{i}"
        _wrap_load("LoRA", p, pipe.load_lora_weights, str(folder), weight_name=weight_name, adapter_name=name,
                   local_files_only=True)
        names.append(name)
        scales.append(float(spec.scale))
    pipe.set_adapters(names, adapter_weights=scales)
    if cfg.lora_fuse:
        pipe.fuse_lora(adapter_names=names, lora_scale=1.0)
        pipe.unload_lora_weights()
    return names


def make_scheduler(name: str, current):
    import diffusers

    if name == "default":
        return current
    cfg = dict(current.config)
    table = {
        "euler": (diffusers.EulerDiscreteScheduler, {}),
        "euler_a": (diffusers.EulerAncestralDiscreteScheduler, {}),
        "euler_trailing": (diffusers.EulerDiscreteScheduler, {"timestep_spacing": "trailing"}),
        "dpmpp_2m": (diffusers.DPMSolverMultistepScheduler, {}),
        "dpmpp_2m_karras": (diffusers.DPMSolverMultistepScheduler, {"use_karras_sigmas": True}),
        "ddim": (diffusers.DDIMScheduler, {}),
        "lcm": (diffusers.LCMScheduler, {}),
    }
    cls, extra = table[name]
    return cls.from_config(cfg, **extra)


def fuse_qkv(model) -> bool:
    """Fused QKV projections (one matmul for q, k, v) in a UNet or ControlNet; False where not applicable."""
    from diffusers.models.attention_processor import Attention, FusedAttnProcessor2_0

    if any("Added" in type(p).__name__ for p in model.attn_processors.values()):
        return False
    if hasattr(model, "fuse_qkv_projections"):
        model.fuse_qkv_projections()
        return True
    for module in model.modules():
        if isinstance(module, Attention):
            module.fuse_projections(fuse=True)
    model.set_attn_processor(FusedAttnProcessor2_0())
    return True


def load_pipelines(cfg: StylizeConfig):
    """``(base_pipe, refiner_pipe | None, device, dtype, vae_dtype)`` loaded, optimised and placed."""
    require_diffusers()
    device = resolve_device(cfg)
    dtype = resolve_dtype(cfg, device)
    controlnet = load_controlnet(cfg, dtype)
    vae = load_vae(cfg, dtype)
    base = load_base(cfg, dtype, controlnet, vae)
    refiner = load_refiner(cfg, dtype, base)
    load_loras(cfg, base)
    return prepare_pipelines(cfg, base, refiner, device, dtype)


def prepare_pipelines(cfg: StylizeConfig, base, refiner, device, dtype):
    """Schedulers, VAE precision, speed settings and placement for already-built pipelines (same return as
    :func:`load_pipelines`). A base pipeline of another class than ``cfg.mode`` needs is converted with
    ``from_pipe`` (components shared)."""
    want = base_pipeline_class(cfg, getattr(base, "controlnet", None) is not None)
    if type(base) is not want:
        base = want.from_pipe(base)
    base.set_progress_bar_config(disable=True)
    if refiner is not None:
        refiner.set_progress_bar_config(disable=True)
    base.scheduler = make_scheduler(cfg.scheduler_name, base.scheduler)
    if refiner is not None:
        refiner.scheduler = make_scheduler(cfg.scheduler_name, refiner.scheduler)
    vae_dtype = vae_dtype_for(base.vae, dtype, device)
    if base.vae.dtype != vae_dtype:
        base.vae.to(dtype=vae_dtype)
    if cfg.vae_tiling:
        base.vae.enable_tiling()
    apply_speedups(cfg, base, refiner, device)
    place(cfg, base, refiner, device)
    return base, refiner, device, dtype, vae_dtype


def apply_speedups(cfg: StylizeConfig, base, refiner, device) -> dict[str, bool]:
    """Fused QKV, channels_last, cuDNN autotuning and (optionally) torch.compile. SDPA attention is diffusers'
    default with torch 2."""
    import torch

    done = {"fuse_qkv": False, "channels_last": False, "compile": False}
    nets = [("unet", base.unet)]
    if getattr(base, "controlnet", None) is not None:
        nets.append(("controlnet", base.controlnet))
    if refiner is not None:
        nets.append(("refiner", refiner.unet))
    lora_active = bool(cfg.loras) and not cfg.lora_fuse
    if cfg.fuse_qkv and not lora_active:
        done["fuse_qkv"] = True
        for _, net in nets:
            if not getattr(net, "_memoji_qkv_fused", False):
                done["fuse_qkv"] &= fuse_qkv(net)
                net._memoji_qkv_fused = True
    if cfg.channels_last and device.type == "cuda":  # a GPU layout: on CPU it slows small convolutions
        for _, net in nets:
            net.to(memory_format=torch.channels_last)
        base.vae.to(memory_format=torch.channels_last)
        done["channels_last"] = True
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if cfg.compile:
        def comp(module):
            if isinstance(module, torch._dynamo.eval_frame.OptimizedModule):
                return module
            return torch.compile(module, mode=cfg.compile_mode, fullgraph=False)

        base.unet = comp(base.unet)
        if getattr(base, "controlnet", None) is not None:
            base.controlnet = comp(base.controlnet)
        if refiner is not None:
            refiner.unet = comp(refiner.unet)
        done["compile"] = True
    return done


def place(cfg: StylizeConfig, base, refiner, device) -> None:
    """Move to the device, or set up CPU offload (the VAE stays on the GPU: the stylizer drives it itself)."""
    if cfg.offload == "none" or device.type != "cuda":
        base.to(device)
        if refiner is not None:
            refiner.to(device)
        return
    for pipe in (base, refiner):
        if pipe is None:
            continue
        # keep the VAE out of the offload chain and on the GPU: the stylizer calls vae.encode/decode itself, which
        # the offload hooks (on forward) would not see
        pipe._exclude_from_cpu_offload = list(pipe._exclude_from_cpu_offload) + ["vae"]
        pipe.model_cpu_offload_seq = "->".join(m for m in pipe.model_cpu_offload_seq.split("->") if m != "vae")
        if cfg.offload == "model":
            pipe.enable_model_cpu_offload(device=device)
        else:
            pipe.enable_sequential_cpu_offload(device=device)
