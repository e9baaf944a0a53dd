"""The network and its checkpoints.

``AttributeNet``: a timm backbone (``resnext50_32x4d`` by default; any timm model name) with global pooling, a
multi-label head (one logit per CelebA attribute) and an ordinal skin-tone head on the same features: CORAL
(Cao, Mirjalili & Raschka 2020) — one shared weight vector and K−1 = 9 ordered biases give cumulative logits
``P(tone > k)``, so predicting 5 for a 6 costs one threshold, predicting 1 for a 6 costs five.

A run directory holds ``model.safetensors`` (weights) and ``config.json`` (arch, attribute names, thresholds, logit
offsets, preprocessing, training settings); ``train_state.pt`` (optimizer, scheduler, epoch) is only for resuming.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from assembler.errors import ModelFileNotFoundError

from . import NUM_TONES, CheckpointError
from .preprocess import Preprocess

__all__ = ["AttributeNet", "coral_loss", "coral_probs", "coral_tone", "RunConfig", "save_run", "load_run",
           "CONFIG_NAME", "WEIGHTS_NAME", "CONFIG_FORMAT"]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CONFIG_FORMAT = "memoji-attribute-classifier"
CONFIG_VERSION = 1


class CoralHead(nn.Module):
    """Cumulative logits ``w·f + b_k`` for k = 1..K−1 (shared ``w``, ordered thresholds ``b``)."""

    def __init__(self, in_features: int, num_classes: int):
        super().__init__()
        self.fc = nn.Linear(in_features, 1, bias=False)
        # initial thresholds spread like a uniform prior over the classes: P(y > k) = (K - k) / K
        k = torch.arange(1, num_classes, dtype=torch.float32)
        p = (num_classes - k) / num_classes
        self.bias = nn.Parameter(torch.log(p / (1 - p)))

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        return self.fc(feats) + self.bias


class AttributeNet(nn.Module):
    def __init__(self, arch: str, num_attrs: int, num_tones: int = NUM_TONES, *,
                 pretrained_file: str | Path | None = None, drop_rate: float = 0.0):
        super().__init__()
        import timm

        kwargs: dict[str, Any] = {}
        if pretrained_file is not None:
            p = Path(pretrained_file).expanduser()
            if not p.is_file():
                raise ModelFileNotFoundError(
                    f"ImageNet weights for {arch} not found: {p} does not exist; pass a timm state-dict file "
                    "(.safetensors/.pth/.bin) or leave --pretrained out for random init")
            # timm loads the file itself (classifier weights dropped since num_classes=0); never a download
            kwargs = dict(pretrained=True, pretrained_cfg_overlay=dict(file=str(p), hf_hub_id=None, url=None,
                                                                       source="file"))
        try:
            self.backbone = timm.create_model(arch, num_classes=0, drop_rate=drop_rate, **kwargs)
        except RuntimeError as err:
            if pretrained_file is not None:
                raise CheckpointError(f"cannot load ImageNet weights {pretrained_file} into {arch}: "
                                      f"{str(err).splitlines()[0]}") from None
            raise
        nf = self.backbone.num_features
        self.attr_head = nn.Linear(nf, num_attrs)
        self.skin_head = CoralHead(nf, num_tones)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.backbone(x)
        return self.attr_head(f), self.skin_head(f)


def coral_targets(tone0: torch.Tensor, num_tones: int) -> torch.Tensor:
    """Zero-based tones (N,) → cumulative targets (N, K−1): ``[tone > k]``."""
    k = torch.arange(num_tones - 1, device=tone0.device)
    return (tone0[:, None] > k[None, :]).float()


def coral_loss(logits: torch.Tensor, tone0: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy over the K−1 cumulative tasks for labelled rows (``tone0 >= 0``); 0 when none."""
    mask = tone0 >= 0
    if not bool(mask.any()):
        return logits.sum() * 0.0
    t = coral_targets(tone0[mask], logits.shape[1] + 1)
    return nn.functional.binary_cross_entropy_with_logits(logits[mask].float(), t)


def coral_probs(logits: np.ndarray) -> np.ndarray:
    """Cumulative logits (N, K−1) → class probabilities (N, K) (differences of the cumulative sigmoids, clipped)."""
    cum = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))
    cum = np.minimum.accumulate(cum, axis=1)  # enforce P(y>k) non-increasing
    ones = np.ones((cum.shape[0], 1))
    zeros = np.zeros((cum.shape[0], 1))
    p = np.hstack([ones, cum]) - np.hstack([cum, zeros])
    p = np.clip(p, 0.0, None)
    return p / p.sum(axis=1, keepdims=True)


def coral_tone(logits: np.ndarray) -> np.ndarray:
    """Cumulative logits (N, K−1) → Monk tone 1..K: 1 + number of thresholds passed (P(y>k) > 0.5)."""
    return 1 + (np.asarray(logits) > 0).sum(axis=1)


class RunConfig(dict):
    """``config.json`` of a run directory (a dict with a few typed accessors)."""

    @property
    def attributes(self) -> list[str]:
        return list(self["attributes"])

    @property
    def preprocess(self) -> Preprocess:
        return Preprocess.from_dict(self["preprocess"])

    @property
    def thresholds(self) -> np.ndarray:
        return np.asarray(self["thresholds"], dtype=np.float64)

    @property
    def logit_offsets(self) -> np.ndarray:
        return np.asarray(self["logit_offsets"], dtype=np.float64)


def save_run(run_dir: str | Path, model: nn.Module, config: dict[str, Any]) -> None:
    """Write ``model.safetensors`` + ``config.json`` (atomically: temp files, then rename)."""
    from safetensors.torch import save_file

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    cfg = dict(config, format=CONFIG_FORMAT, version=CONFIG_VERSION)
    tmp_w, tmp_c = run_dir / (WEIGHTS_NAME + ".tmp"), run_dir / (CONFIG_NAME + ".tmp")
    save_file(state, str(tmp_w), metadata={"format": CONFIG_FORMAT, "arch": cfg["arch"]})
    tmp_c.write_text(json.dumps(cfg, indent=1))
    tmp_w.replace(run_dir / WEIGHTS_NAME)
    tmp_c.replace(run_dir / CONFIG_NAME)


_HOW = "train one with `memoji train-classifier --celeba-root DIR --out RUN_DIR` and pass that RUN_DIR"


def resolve_run(weights: str | Path | None) -> tuple[Path, Path]:
    """``weights`` (a run directory, or its ``model.safetensors`` / ``config.json``) → (config path, weights path)."""
    if weights is None:
        raise ModelFileNotFoundError(f"the resnext50-celeba classifier needs weights=RUN_DIR; {_HOW}")
    p = Path(weights).expanduser()
    if p.is_dir():
        cfg, w = p / CONFIG_NAME, p / WEIGHTS_NAME
    elif p.is_file():
        cfg = p if p.name == CONFIG_NAME else p.with_name(CONFIG_NAME)
        w = p.with_name(WEIGHTS_NAME) if p.name == CONFIG_NAME else p
    else:
        raise ModelFileNotFoundError(f"attribute classifier weights not found: {p} does not exist; {_HOW}")
    for f in (cfg, w):
        if not f.is_file():
            raise ModelFileNotFoundError(f"attribute classifier file not found: {f} is missing; {_HOW}")
    return cfg, w


def read_config(cfg_path: Path) -> RunConfig:
    try:
        cfg = json.loads(cfg_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{cfg_path} is not a classifier config (invalid JSON: {err})") from None
    if not isinstance(cfg, dict) or cfg.get("format") != CONFIG_FORMAT:
        raise CheckpointError(f"{cfg_path} is not a memoji attribute-classifier config (no \"format\": "
                              f"\"{CONFIG_FORMAT}\"); {_HOW}")
    if cfg.get("version", 0) > CONFIG_VERSION:
        raise CheckpointError(f"{cfg_path} has config version {cfg['version']}; this memoji-assembler reads up to "
                              f"{CONFIG_VERSION}: upgrade it")
    missing = [k for k in ("arch", "attributes", "thresholds", "logit_offsets", "preprocess", "num_tones")
               if k not in cfg]
    if missing:
        raise CheckpointError(f"{cfg_path} lacks {', '.join(missing)}: not a complete classifier config")
    return RunConfig(cfg)


def load_run(weights: str | Path | None, *, device: str | torch.device = "cpu",
             expect_attributes: list[str] | tuple[str, ...] | None = None) -> tuple[AttributeNet, RunConfig]:
    """Rebuild the network of a run directory and load its safetensors weights (eval mode).

    ``expect_attributes``: raise :class:`CheckpointError` naming the difference when the checkpoint predicts other
    attributes (e.g. a checkpoint trained on a different attribute list)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    cfg_path, w_path = resolve_run(weights)
    cfg = read_config(cfg_path)
    if expect_attributes is not None and list(cfg.attributes) != list(expect_attributes):
        have, want = cfg.attributes, list(expect_attributes)
        extra = [a for a in have if a not in want]
        lacking = [a for a in want if a not in have]
        what = "; ".join(s for s in (
            f"unexpected {', '.join(extra[:5])}" + ("…" if len(extra) > 5 else "") if extra else "",
            f"missing {', '.join(lacking[:5])}" + ("…" if len(lacking) > 5 else "") if lacking else "",
            "same names in another order" if not extra and not lacking else "") if s)
        raise CheckpointError(f"checkpoint {cfg_path.parent} predicts {len(have)} attributes that are not the "
                              f"{len(want)} expected ({what}); use a checkpoint trained on this attribute list")
    try:
        state = load_file(str(w_path), device="cpu")
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(f"{w_path} is not a readable safetensors file ({str(err).splitlines()[0]}); "
                              f"{_HOW}") from None
    model = AttributeNet(cfg["arch"], len(cfg.attributes), int(cfg["num_tones"]))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        first = next((ln.strip() for ln in str(err).splitlines()[1:] if ln.strip()), str(err))
        raise CheckpointError(f"{w_path} does not fit a {cfg['arch']} with {len(cfg.attributes)} attributes "
                              f"({first[:160]})") from None
    model.eval().to(device)
    return model, cfg


def pos_weights(pos_rate: np.ndarray, max_weight: float = 10.0) -> np.ndarray:
    """Positive-class weights ``neg/pos`` (clipped to [1/max, max]) for rare attributes."""
    r = np.clip(np.asarray(pos_rate, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.clip((1 - r) / r, 1.0 / max_weight, max_weight)


def logit_offsets_for(pos_weight: np.ndarray) -> np.ndarray:
    """A loss that weights positives by ``w`` shifts the optimal logit by ``+log w``; subtracting it restores
    probabilities calibrated to the training prior."""
    return -np.log(np.asarray(pos_weight, dtype=np.float64))


def seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def cosine_lambda(total_steps: int, warmup_steps: int):
    def f(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / max(1, warmup_steps)
        t = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

    return f
