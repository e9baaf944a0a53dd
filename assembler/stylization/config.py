"""Stylize settings: one dataclass read from TOML, JSON, a dict or keyword arguments.

No torch or diffusers here: a config can be read, checked and printed without the ``stylize`` extra. Fields left
as ``None`` are filled from the speed preset (``fast`` by default), then from the defaults below, so a file only
names what it changes::

    base = "~/models/sdxl-cartoon.safetensors"
    base_config = "~/models/sdxl-base-config"       # local diffusers folder; nothing is downloaded
    controlnet = "~/models/diffusers_xl_canny_full.safetensors"
    refiner = "~/models/sdxl-refiner-1.0"
    loras = [{ path = "~/models/memoji.safetensors", scale = 0.8 }]
    preset = "fast"
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import MemojiError, ModelFileNotFoundError, UnknownNameError, did_you_mean

__all__ = [
    "StylizeConfig",
    "LoraSpec",
    "StylizeConfigError",
    "load_config",
    "PROMPT_PRESETS",
    "SPEED_PRESETS",
    "DEFAULT_NEGATIVE_PROMPT",
]


class StylizeConfigError(MemojiError, ValueError):
    """A stylize setting has a value it cannot take."""

    exit_code = 2


#: Prompt presets (``style = "..."``); ``prompt`` replaces one, ``prompt_extra`` goes in front of it.
PROMPT_PRESETS: dict[str, str] = {
    "memoji": (
        "a 3D memoji avatar of a person, glossy cartoon render, smooth soft shading, big expressive eyes, "
        "rounded features, soft studio lighting, clean plain background, high quality, 3d render"
    ),
    "clay": (
        "a claymation 3D avatar of a person, plasticine texture, soft rounded shapes, warm studio lighting, "
        "plain background, high quality"
    ),
    "toon": (
        "a cel-shaded cartoon avatar of a person, clean bold outlines, flat vivid colours, plain background, "
        "high quality illustration"
    ),
    "plush": (
        "a plush toy avatar of a person, soft felt fabric, stitched details, cute rounded proportions, "
        "studio lighting, plain background"
    ),
}

DEFAULT_NEGATIVE_PROMPT = (
    "photo, photorealistic, realistic skin texture, text, watermark, signature, blurry, lowres, jpeg artifacts, "
    "deformed, disfigured, extra limbs, extra eyes, noisy, grainy, dark, oversaturated"
)

#: Speed presets (``preset = "..."``): values for the fields a config leaves unset.
#: ``fast`` (default): DPM++ 2M Karras at 20 steps — in img2img mode at strength 0.6 that is 12 UNet steps — and a
#: short refiner pass; ``quality``: the 30-step settings of the published web-UI workflow; ``lightning``: for a
#: distilled few-step LoRA the user supplies (SDXL-Lightning, Hyper-SD, DMD2…): 4 steps, no classifier-free
#: guidance, trailing timesteps.
SPEED_PRESETS: dict[str, dict[str, Any]] = {
    "fast": {"steps": 20, "guidance": 6.0, "scheduler": "dpmpp_2m_karras", "refiner_steps": 10},
    "quality": {"steps": 30, "guidance": 7.0, "scheduler": "default", "refiner_steps": 30},
    "lightning": {"steps": 4, "guidance": 0.0, "scheduler": "euler_trailing", "refiner_steps": 4},
}

SCHEDULERS = ("default", "euler", "euler_a", "euler_trailing", "dpmpp_2m", "dpmpp_2m_karras", "ddim", "lcm")
DTYPES = ("auto", "float16", "bfloat16", "float32")
OFFLOADS = ("none", "model", "sequential")
MODES = ("img2img", "txt2img")
HANDOFFS = ("img2img", "ensemble")
CONTROLS = ("canny", "landmarks")
_ALIASES = {"fp16": "float16", "half": "float16", "bf16": "bfloat16", "fp32": "float32", "float": "float32",
            "t2i": "txt2img", "text2img": "txt2img", "i2i": "img2img"}


@dataclass
class LoraSpec:
    """One LoRA: a ``.safetensors`` file or a folder holding ``pytorch_lora_weights.safetensors``."""

    path: str
    scale: float = 1.0
    weight_name: str | None = None  # file name inside a folder, when not the diffusers default

    @classmethod
    def parse(cls, value: Any) -> LoraSpec:
        if isinstance(value, LoraSpec):
            return value
        if isinstance(value, (str, os.PathLike)):
            return cls(path=str(value))
        if isinstance(value, dict):
            unknown = set(value) - {"path", "scale", "weight_name"}
            if unknown or "path" not in value:
                raise StylizeConfigError(
                    f"lora entry {value!r} needs 'path' and may have 'scale', 'weight_name' (got {sorted(value)})")
            return cls(path=str(value["path"]), scale=float(value.get("scale", 1.0)),
                       weight_name=value.get("weight_name"))
        raise StylizeConfigError(f"lora entry {value!r} is neither a path nor a table with 'path'")


@dataclass
class StylizeConfig:
    """Every setting of the stylize stage. ``None`` means "from the preset, else the default"."""

    # --- models (local paths only; nothing is downloaded) ---
    base: str | None = None  # diffusers SDXL folder, or one .safetensors checkpoint (then base_config)
    base_config: str | None = None  # local diffusers folder (model_index.json, configs, tokenizers) for a single file
    controlnet: str | None = None  # canny ControlNet: diffusers folder or single file (then controlnet_config)
    controlnet_config: str | None = None  # local folder with the ControlNet's config.json (default: packaged SDXL)
    refiner: str | None = None  # optional SDXL refiner: folder or single file (then refiner_config)
    refiner_config: str | None = None
    vae: str | None = None  # optional VAE (e.g. an fp16-safe one): folder or single file
    vae_config: str | None = None
    loras: list[LoraSpec] = field(default_factory=list)
    lora_fuse: bool = True  # fuse LoRA weights into the UNet after loading (no per-step LoRA cost)
    # --- runtime ---
    dtype: str = "auto"  # auto: float16 on CUDA, float32 on CPU
    device: str = "auto"  # auto: cuda if available, else cpu
    offload: str = "none"  # none | model | sequential (CPU offload for small GPUs)
    compile: bool = False  # torch.compile the UNet and ControlNet (slow first call, faster after)
    compile_mode: str = "default"  # torch.compile mode: default | reduce-overhead | max-autotune-no-cudagraphs …
    channels_last: bool = True
    fuse_qkv: bool = True
    vae_tiling: bool = False
    # --- generation ---
    preset: str = "fast"  # speed preset: fast | quality | lightning
    steps: int | None = None
    guidance: float | None = None
    scheduler: str | None = None
    mode: str = "img2img"  # img2img: the render is the init image; txt2img: pure ControlNet text-to-image
    strength: float = 0.6  # img2img: how much of the render is repainted (1.0 = all)
    control: str = "canny"  # canny | landmarks
    controlnet_scale: float = 0.8
    control_start: float = 0.0
    control_end: float = 1.0
    canny_low: int = 100
    canny_high: int = 200
    refiner_handoff: str = "img2img"  # img2img: low-strength refiner pass; ensemble: denoising_end/start split
    refiner_steps: int | None = None
    refiner_strength: float = 0.3  # img2img handoff
    denoising_split: float = 0.8  # ensemble handoff: base denoises to here, the refiner from here
    refiner_guidance: float | None = None  # default: same as guidance
    seed: int | None = 0  # None: a fresh random seed per call
    size: int = 1024
    style: str = "memoji"  # prompt preset
    prompt: str | None = None  # replaces the preset prompt
    prompt_extra: str = ""  # put before the prompt (e.g. "red hair, glasses")
    negative_prompt: str | None = None  # default: DEFAULT_NEGATIVE_PROMPT
    background: str = "#d8d8d8"  # transparent pixels of an RGBA render are flattened onto this colour
    batch_size: int = 4  # most images per pipeline call when a list is given

    def __post_init__(self) -> None:
        self.validate()

    # ----------------------------------------------------------------------------------------------- building
    @classmethod
    def from_dict(cls, data: dict[str, Any], **overrides: Any) -> StylizeConfig:
        merged = dict(data)
        merged.update({k: v for k, v in overrides.items() if v is not None})
        names = [f.name for f in fields(cls)]
        # shorthands: lora = "path" / lora_scale = 0.8
        if "lora" in merged:
            lora = merged.pop("lora")
            scale = merged.pop("lora_scale", None)
            items = lora if isinstance(lora, list) else [lora]
            specs = [LoraSpec.parse(x) for x in items if x]
            if scale is not None:
                for s in specs:
                    s.scale = float(scale)
            merged["loras"] = list(merged.get("loras") or []) + specs
        for key in merged:
            if key not in names:
                raise UnknownNameError(
                    f"unknown stylize setting '{key}'{did_you_mean(key, names)} (settings: {', '.join(names)})")
        if "loras" in merged:
            value = merged["loras"]
            merged["loras"] = [LoraSpec.parse(x) for x in (value if isinstance(value, list) else [value])]
        return cls(**merged)

    @classmethod
    def load(cls, source: str | os.PathLike | dict | StylizeConfig | None = None, **overrides: Any) -> StylizeConfig:
        """From a ``.toml``/``.json`` file, a dict, another config (copied) or nothing, then keyword overrides.
        Relative model paths in a file are taken relative to that file's folder."""
        if source is None:
            return cls.from_dict({}, **overrides)
        if isinstance(source, StylizeConfig):
            return cls.from_dict(source.to_dict(), **overrides)
        if isinstance(source, dict):
            return cls.from_dict(source, **overrides)
        path = Path(source).expanduser()
        if not path.exists():
            raise ModelFileNotFoundError(f"stylize config not found: {path} does not exist")
        from ..io import read_regular_file

        raw = read_regular_file(path, what="stylize config", max_bytes=1 << 20, error=StylizeConfigError)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise StylizeConfigError(f"cannot read stylize config {path}: not UTF-8 text (byte {err.start})") from None
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(text)
            elif path.suffix.lower() == ".toml":
                try:
                    import tomllib
                except ModuleNotFoundError:  # Python 3.10
                    import tomli as tomllib  # type: ignore[no-redef]
                data = tomllib.loads(text)
            else:
                raise StylizeConfigError(f"stylize config {path} must be a .toml or .json file")
        except (ValueError, TypeError) as err:
            if isinstance(err, MemojiError):
                raise
            msg = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise StylizeConfigError(f"cannot read stylize config {path}: {msg}") from None
        if not isinstance(data, dict):
            raise StylizeConfigError(f"stylize config {path} must hold a table/object of settings")
        if "stylize" in data and isinstance(data["stylize"], dict):  # allow a [stylize] table
            data = data["stylize"]
        return cls.from_dict(_relative_to(data, path.parent), **overrides)

    def replace(self, **changes: Any) -> StylizeConfig:
        return self.from_dict(self.to_dict(), **changes)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["loras"] = [dataclasses.asdict(s) for s in self.loras]
        return out

    # --------------------------------------------------------------------------------------------- checking
    def validate(self) -> None:
        from parts_library.palettes import parse_color

        self.background = parse_color(self.background, "background")  # the one colour parser: #rgb, #rrggbb, names
        for name, allowed in (("dtype", DTYPES), ("offload", OFFLOADS), ("mode", MODES),
                              ("refiner_handoff", HANDOFFS), ("control", CONTROLS)):
            value = getattr(self, name)
            value = _ALIASES.get(str(value).lower(), str(value).lower()) if value is not None else value
            if value not in allowed:
                raise UnknownNameError(f"unknown {name} '{getattr(self, name)}'{did_you_mean(str(value), allowed)} "
                                       f"(choose from: {', '.join(allowed)})")
            setattr(self, name, value)
        if self.preset not in SPEED_PRESETS:
            raise UnknownNameError(f"unknown speed preset '{self.preset}'{did_you_mean(self.preset, SPEED_PRESETS)} "
                                   f"(presets: {', '.join(SPEED_PRESETS)})")
        if self.prompt is None and self.style not in PROMPT_PRESETS:
            raise UnknownNameError(f"unknown style '{self.style}'{did_you_mean(self.style, PROMPT_PRESETS)} "
                                   f"(styles: {', '.join(PROMPT_PRESETS)}; or set prompt)")
        if self.scheduler is not None and self.scheduler not in SCHEDULERS:
            raise UnknownNameError(f"unknown scheduler '{self.scheduler}'{did_you_mean(self.scheduler, SCHEDULERS)} "
                                   f"(choose from: {', '.join(SCHEDULERS)})")
        for name in ("strength", "refiner_strength", "denoising_split"):
            value = getattr(self, name)
            if not 0.0 < float(value) <= 1.0:
                raise StylizeConfigError(f"{name} must be in (0, 1], got {value}")
        if not 0.0 <= self.control_start < self.control_end <= 1.0:
            raise StylizeConfigError(
                f"need 0 <= control_start < control_end <= 1, got {self.control_start} and {self.control_end}")
        if self.size < 64 or self.size % 8:
            raise StylizeConfigError(f"size must be a multiple of 8 and at least 64, got {self.size}")
        for name in ("steps", "refiner_steps", "batch_size"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                raise StylizeConfigError(f"{name} must be at least 1, got {value}")
        if self.refiner_handoff == "ensemble" and self.mode != "txt2img" and self.refiner:
            raise StylizeConfigError("refiner_handoff = 'ensemble' needs mode = 'txt2img' (the ControlNet img2img "
                                     "pipeline has no denoising_end); use refiner_handoff = 'img2img'")

    # ------------------------------------------------------------------------------------------ resolved values
    def _preset(self, name: str) -> Any:
        value = getattr(self, name)
        return SPEED_PRESETS[self.preset][name] if value is None else value

    @property
    def num_steps(self) -> int:
        return int(self._preset("steps"))

    @property
    def guidance_scale(self) -> float:
        return float(self._preset("guidance"))

    @property
    def scheduler_name(self) -> str:
        return str(self._preset("scheduler"))

    @property
    def num_refiner_steps(self) -> int:
        return int(self._preset("refiner_steps"))

    @property
    def refiner_guidance_scale(self) -> float:
        return self.guidance_scale if self.refiner_guidance is None else float(self.refiner_guidance)

    @property
    def full_prompt(self) -> str:
        prompt = self.prompt if self.prompt is not None else PROMPT_PRESETS[self.style]
        # the person's details go first: CLIP reads 77 tokens and cuts the rest
        return f"{self.prompt_extra}, {prompt}" if self.prompt_extra else prompt

    @property
    def full_negative_prompt(self) -> str:
        return DEFAULT_NEGATIVE_PROMPT if self.negative_prompt is None else self.negative_prompt


_PATH_KEYS = ("base", "base_config", "controlnet", "controlnet_config", "refiner", "refiner_config", "vae",
              "vae_config")


def _relative_to(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    def fix(p: Any) -> Any:
        if not isinstance(p, str) or not p:
            return p
        q = Path(p).expanduser()
        return str(q if q.is_absolute() else folder / q)

    out = dict(data)
    for key in _PATH_KEYS:
        if key in out:
            out[key] = fix(out[key])
    for key in ("loras", "lora"):
        if key in out:
            items = out[key] if isinstance(out[key], list) else [out[key]]
            fixed = []
            for item in items:
                if isinstance(item, dict) and "path" in item:
                    item = {**item, "path": fix(item["path"])}
                elif isinstance(item, str):
                    item = fix(item)
                fixed.append(item)
            out[key] = fixed
    return out


def load_config(source: str | os.PathLike | dict | StylizeConfig | None = None, **overrides: Any) -> StylizeConfig:
    """:meth:`StylizeConfig.load`."""
    return StylizeConfig.load(source, **overrides)
