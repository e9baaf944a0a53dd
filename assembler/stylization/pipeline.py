"""The stylizer: loads SDXL (+ ControlNet, refiner, LoRA) once, then turns base renders into stylized pictures.

Flow per call: render → (init image at ``size``, control image at ``size``) → VAE-encode the init image (img2img) →
base SDXL ControlNet pipeline to latents → refiner on latents (low-strength img2img, or the ensemble-of-experts
split) → VAE-decode. The stylizer drives the VAE itself so that float16 never overflows there (bfloat16 or float32
VAE, see :func:`~assembler.stylization.loader.vae_dtype_for`) and latents pass from base to refiner without a
decode/encode round trip.
"""
from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from .config import StylizeConfig, StylizeConfigError
from .control import control_image, init_image

__all__ = ["Stylizer", "stylize"]

log = logging.getLogger(__name__)

#: settings that may change per call (everything else is fixed when the models load)
PER_CALL = frozenset({"seed", "steps", "guidance", "strength", "controlnet_scale", "control_start", "control_end",
                      "canny_low", "canny_high", "prompt", "prompt_extra", "negative_prompt", "style",
                      "refiner_steps", "refiner_strength", "refiner_guidance", "denoising_split", "background",
                      "batch_size", "control", "size"})


class Stylizer:
    """SDXL + ControlNet + refiner, loaded once, serving many calls.

    >>> stylizer = Stylizer.from_config("stylize.toml")          # doctest: +SKIP
    >>> picture = stylizer(avatar)                                # PIL RGB, config.size square
    >>> pictures = stylizer([avatar1, avatar2], seed=3)           # a list in, a list out (batched)
    """

    def __init__(self, config: StylizeConfig | dict | str | os.PathLike | None = None, **overrides: Any):
        from .loader import load_pipelines

        self.config = StylizeConfig.load(config, **overrides)
        t0 = time.perf_counter()
        self.base, self.refiner, self.device, self.dtype, self.vae_dtype = load_pipelines(self.config)
        self.load_seconds = time.perf_counter() - t0
        if self.device.type == "cpu" and self.config.size >= 512:
            log.warning("stylize runs on the CPU at %d px: expect minutes per image (a CUDA GPU takes ~1-2 s)",
                        self.config.size)
        log.info("stylize models loaded in %.1f s (device %s, %s, vae %s)", self.load_seconds, self.device,
                 self.dtype, self.vae_dtype)

    @classmethod
    def from_pipelines(cls, config: StylizeConfig | dict | str | os.PathLike | None, base, refiner=None,
                       **overrides: Any) -> Stylizer:
        """Wrap diffusers pipelines already in memory (an SDXL [ControlNet] pipeline and optionally an SDXL
        img2img refiner) with this stage's settings and speed-ups; the model paths of ``config`` are ignored."""
        from .loader import prepare_pipelines, require_diffusers, resolve_device

        require_diffusers()
        self = cls.__new__(cls)
        self.config = StylizeConfig.load(config, **overrides)
        device = resolve_device(self.config)
        dtype = base.unet.dtype
        t0 = time.perf_counter()
        self.base, self.refiner, self.device, self.dtype, self.vae_dtype = prepare_pipelines(
            self.config, base, refiner, device, dtype)
        self.load_seconds = time.perf_counter() - t0
        return self

    @classmethod
    def from_config(cls, config: StylizeConfig | dict | str | os.PathLike | None = None, **overrides: Any) -> Stylizer:
        """From a ``.toml``/``.json`` path, a dict or a :class:`StylizeConfig`, with keyword overrides."""
        return cls(config, **overrides)

    def __repr__(self) -> str:
        c = self.config
        return (f"Stylizer(base={c.base!r}, controlnet={'yes' if getattr(self.base, 'controlnet', None) is not None else 'no'}, "
                f"refiner={'yes' if self.refiner is not None else 'no'}, loras={len(c.loras)}, mode={c.mode}, "
                f"preset={c.preset}, size={c.size}, device={self.device}, dtype={str(self.dtype).removeprefix('torch.')})")

    @property
    def vae(self):
        return self.base.vae

    # ---------------------------------------------------------------------------------------------- public
    def __call__(self, source: Any, **overrides: Any) -> Image.Image | list[Image.Image]:
        """Stylize one render (PIL image, image path, or avatar with ``.image``/``.svg``) or a list of them.
        ``overrides`` change generation settings for this call only (seed, steps, prompt_extra, strength…)."""
        cfg = self._call_config(overrides)
        items = list(source) if isinstance(source, (list, tuple)) else [source]
        if not items:
            return []
        out: list[Image.Image] = []
        for start in range(0, len(items), cfg.batch_size):
            out.extend(self._run(items[start:start + cfg.batch_size], cfg))
        return out if isinstance(source, (list, tuple)) else out[0]

    def warmup(self, runs: int = 1) -> float:
        """Run the pipeline ``runs`` times on a flat grey image (compiles kernels, fills cuDNN caches); seconds."""
        size = self.config.size
        grey = Image.new("RGB", (size, size), (128, 128, 128))
        t0 = time.perf_counter()
        for _ in range(runs):
            self(grey)
        return time.perf_counter() - t0

    def control_for(self, source: Any, **overrides: Any) -> Image.Image:
        """The control image this stylizer would use for ``source``."""
        cfg = self._call_config(overrides)
        return control_image(source, cfg.size, cfg.control, canny_low=cfg.canny_low, canny_high=cfg.canny_high,
                             background=cfg.background)

    # ---------------------------------------------------------------------------------------------- internals
    def _call_config(self, overrides: dict[str, Any]) -> StylizeConfig:
        if not overrides:
            return self.config
        fixed = sorted(k for k in overrides if k not in PER_CALL)
        if fixed:
            raise StylizeConfigError(f"{', '.join(fixed)} cannot change per call (models are loaded): make a new "
                                     f"Stylizer; per-call settings: {', '.join(sorted(PER_CALL))}")
        return self.config.replace(**overrides)

    def _prompt_kwargs(self, pipe, cfg: StylizeConfig, n: int, guidance: float) -> dict[str, Any]:
        """Prompt embeddings for ``n`` images, encoded once per (pipeline, prompt, negative prompt) and reused: a
        warm stylizer does not run the text encoders again for the same prompt."""
        import torch

        cache = self.__dict__.setdefault("_prompt_cache", {})
        key = (id(pipe), cfg.full_prompt, cfg.full_negative_prompt)
        if key not in cache:
            with torch.inference_mode():
                pe, npe, ppe, nppe = pipe.encode_prompt(
                    prompt=cfg.full_prompt, device=self.device, num_images_per_prompt=1,
                    do_classifier_free_guidance=True, negative_prompt=cfg.full_negative_prompt)
            if len(cache) >= 8:
                cache.pop(next(iter(cache)))
            cache[key] = (pe, npe, ppe, nppe)
        pe, npe, ppe, nppe = cache[key]
        rep = lambda t: t.repeat(n, *([1] * (t.dim() - 1)))  # noqa: E731
        out = dict(prompt_embeds=rep(pe), pooled_prompt_embeds=rep(ppe))
        if guidance > 1.0:
            out.update(negative_prompt_embeds=rep(npe), negative_pooled_prompt_embeds=rep(nppe))
        return out

    def _generators(self, cfg: StylizeConfig, n: int):
        import torch

        seed = cfg.seed if cfg.seed is not None else int(torch.randint(0, 2**31 - 1, (1,)).item())
        # one generator per image, all with the same seed: an image gets the same pixels alone or in a batch
        return [torch.Generator("cpu").manual_seed(int(seed)) for _ in range(n)]

    def _encode(self, images: list[Image.Image], cfg: StylizeConfig):
        import numpy as np
        import torch

        vae = self.vae
        arr = np.stack([np.asarray(im, dtype=np.float32) for im in images]) / 127.5 - 1.0
        x = torch.from_numpy(arr).permute(0, 3, 1, 2).to(self.device, self.vae_dtype)
        with torch.inference_mode():
            latents = vae.encode(x).latent_dist.mode()
        return self._scale_latents(latents.float(), forward=True).to(self.dtype)

    def _scale_latents(self, latents, forward: bool):
        import torch

        c = self.vae.config
        mean = getattr(c, "latents_mean", None)
        std = getattr(c, "latents_std", None)
        if mean is not None and std is not None:
            m = torch.tensor(mean, device=latents.device, dtype=latents.dtype).view(1, -1, 1, 1)
            s = torch.tensor(std, device=latents.device, dtype=latents.dtype).view(1, -1, 1, 1)
            return (latents - m) * c.scaling_factor / s if forward else latents * s / c.scaling_factor + m
        return latents * c.scaling_factor if forward else latents / c.scaling_factor

    def _decode(self, latents) -> list[Image.Image]:
        import numpy as np
        import torch

        vae = self.vae
        z = self._scale_latents(latents.float(), forward=False)
        with torch.inference_mode():
            x = vae.decode(z.to(self.vae_dtype)).sample
            if not torch.isfinite(x).all() and self.vae_dtype != torch.float32:
                log.warning("VAE decode in %s gave NaN/inf: decoding again in float32", self.vae_dtype)
                vae.to(torch.float32)
                x = vae.decode(z).sample
                vae.to(self.vae_dtype)
        x = (x.float() / 2 + 0.5).clamp(0, 1).nan_to_num(0.0)
        arr = (x.permute(0, 2, 3, 1).cpu().numpy() * 255).round().astype(np.uint8)
        return [Image.fromarray(a) for a in arr]

    def _run(self, items: Sequence[Any], cfg: StylizeConfig) -> list[Image.Image]:
        import torch

        n = len(items)
        size = cfg.size
        with_cn = getattr(self.base, "controlnet", None) is not None
        steps = cfg.num_steps
        if cfg.mode == "img2img":  # at least one denoising step survives the strength cut
            steps = max(steps, math.ceil(1.0 / cfg.strength))
        kwargs: dict[str, Any] = dict(**self._prompt_kwargs(self.base, cfg, n, cfg.guidance_scale),
                                      num_inference_steps=steps,
                                      guidance_scale=cfg.guidance_scale, generator=self._generators(cfg, n),
                                      output_type="latent")
        if with_cn:
            controls = [control_image(x, size, cfg.control, canny_low=cfg.canny_low, canny_high=cfg.canny_high,
                                      background=cfg.background) for x in items]
            kwargs.update(controlnet_conditioning_scale=cfg.controlnet_scale, control_guidance_start=cfg.control_start,
                          control_guidance_end=cfg.control_end)
        ensemble = self.refiner is not None and cfg.refiner_handoff == "ensemble"
        if cfg.mode == "img2img":
            inits = [init_image(x, size, cfg.background) for x in items]
            kwargs.update(image=self._encode(inits, cfg), strength=cfg.strength)
            if with_cn:
                kwargs["control_image"] = controls
        else:
            kwargs.update(height=size, width=size)
            if with_cn:
                kwargs["image"] = controls
            if ensemble:
                kwargs["denoising_end"] = cfg.denoising_split
        with torch.inference_mode():
            latents = self.base(**kwargs).images
            if self.refiner is not None:
                rkw: dict[str, Any] = dict(**self._prompt_kwargs(self.refiner, cfg, n, cfg.refiner_guidance_scale),
                                           image=latents,
                                           guidance_scale=cfg.refiner_guidance_scale,
                                           generator=self._generators(cfg, n), output_type="latent")
                if ensemble:
                    rkw.update(num_inference_steps=cfg.num_steps, denoising_start=cfg.denoising_split)
                else:
                    rkw.update(num_inference_steps=max(cfg.num_refiner_steps, math.ceil(1.0 / cfg.refiner_strength)),
                               strength=cfg.refiner_strength)
                latents = self.refiner(**rkw).images
        return self._decode(latents)


# ------------------------------------------------------------------------------------------------ one-shot API
_CACHE: dict[str, Stylizer] = {}
_MODEL_KEYS = ("base", "base_config", "controlnet", "controlnet_config", "refiner", "refiner_config", "vae",
               "vae_config", "loras", "lora_fuse", "dtype", "device", "offload", "compile", "compile_mode",
               "channels_last", "fuse_qkv", "vae_tiling", "mode", "preset", "scheduler", "refiner_handoff")


def stylize(avatar_or_image: Any, config: StylizeConfig | dict | str | os.PathLike | None = None,
            **kwargs: Any) -> Image.Image | list[Image.Image]:
    """Stylize a render (PIL image, PNG path, or avatar with ``.image``/``.svg``; a list → a list).

    ``config`` is a ``.toml``/``.json`` path, a dict or a :class:`StylizeConfig`; ``kwargs`` override it. The
    loaded models are kept for the next call with the same model settings (use :class:`Stylizer` to hold them
    explicitly)."""
    cfg = StylizeConfig.load(config, **kwargs)
    data = cfg.to_dict()
    key = repr([data[k] for k in _MODEL_KEYS])
    stylizer = _CACHE.get(key)
    if stylizer is None:
        _CACHE.clear()  # keep one model set in memory
        stylizer = Stylizer(cfg)
        _CACHE[key] = stylizer
    per_call = {k: data[k] for k in PER_CALL if data[k] != getattr(stylizer.config, k)}
    return stylizer(avatar_or_image, **per_call)


def clear_cache() -> None:
    """Drop the models kept by :func:`stylize`."""
    _CACHE.clear()

