"""Stylize stage: a base render → a glossy 3D-cartoon picture with SDXL + ControlNet (canny) + refiner (diffusers),
from local checkpoints and LoRA.

``assembler.stylize(avatar_or_image, config=None, **kwargs) -> PIL.Image`` (this package's :func:`stylize`) for one call; :class:`Stylizer` to load
once and serve many. Settings: :class:`StylizeConfig` (TOML / JSON / dict / keyword arguments). diffusers is
imported only when models load; without it the error names the extra to install.
"""
from __future__ import annotations

from .config import (DEFAULT_NEGATIVE_PROMPT, PROMPT_PRESETS, SPEED_PRESETS, LoraSpec, StylizeConfig,
                     StylizeConfigError, load_config)
from .control import canny_image, control_image, init_image, landmark_image
from .pipeline import Stylizer, clear_cache, stylize

__all__ = ["stylize", "Stylizer", "StylizeConfig", "StylizeConfigError", "LoraSpec", "load_config",
           "control_image", "canny_image", "landmark_image", "init_image", "clear_cache", "PROMPT_PRESETS",
           "SPEED_PRESETS", "DEFAULT_NEGATIVE_PROMPT"]
