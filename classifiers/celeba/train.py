"""Training: ``train(celeba_root, out, ...)`` (the ``memoji train-classifier`` command).

AdamW + linear warm-up + cosine decay; positive-class weights ``neg/pos`` for rare attributes (their logit shift is
undone at inference by ``logit_offsets`` so probabilities match the training prior); an ordinal CORAL loss on the
images that have a skin-tone label; torchvision v2 augmentations (flip, small scale/shift/rotation, mild
brightness/contrast — no hue or saturation jitter, which would blur skin and hair colour); AMP (bfloat16) and
channels_last on CUDA. After every epoch: validation, per-attribute thresholds tuned on the validation split,
``model.safetensors`` + ``config.json`` and a resume state. Each epoch reseeds its shuffling and augmentation from
``seed`` and the epoch number, so a resumed run matches an uninterrupted one on CPU.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from assembler.errors import MemojiError

from . import NUM_TONES, CheckpointError
from .data import CelebADataset, read_celeba, read_skin_csv
from .metrics import THRESHOLD_METRICS, attribute_table, skin_metrics, tune_thresholds
from .model import (CONFIG_NAME, WEIGHTS_NAME, AttributeNet, coral_loss, coral_tone, cosine_lambda,
                    load_run, logit_offsets_for, pos_weights, save_run, seed_everything)
from .preprocess import Preprocess

__all__ = ["train", "TrainResult", "predict_arrays", "resolve_device", "STATE_NAME"]

STATE_NAME = "train_state.pt"
DEFAULT_EPOCHS = 10


@dataclass
class TrainResult:
    run_dir: Path
    epochs_run: int
    history: list[dict[str, Any]] = field(default_factory=list)
    val_attributes: list[dict] = field(default_factory=list)  # last validation table (attribute_table rows)
    val_skin: dict = field(default_factory=dict)


def resolve_device(device: str | None) -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise MemojiError(f"device '{device}' asked for but CUDA is not available here; use --device cpu")
    return dev


def _augmentations(input_size: int):
    from torchvision.transforms import v2

    return v2.Compose([
        v2.RandomHorizontalFlip(),
        v2.RandomApply([v2.RandomAffine(degrees=8, translate=(0.04, 0.04), scale=(0.95, 1.08))], p=0.5),
        v2.RandomApply([v2.ColorJitter(brightness=0.15, contrast=0.15)], p=0.5),
    ])


AUGMENT_DESCRIPTION = ("torchvision.transforms.v2: RandomHorizontalFlip; RandomAffine(degrees=8, translate=0.04, "
                       "scale=0.95..1.08) p=0.5; ColorJitter(brightness=0.15, contrast=0.15) p=0.5")


@torch.no_grad()
def predict_arrays(model: nn.Module, loader, preprocess: Preprocess, device: torch.device, *, amp: bool = False,
                   channels_last: bool = False, progress: bool = False, desc: str = "predict"):
    """Run a loader → (attribute logits (N, A), skin cumulative logits (N, K−1), labels (N, A), tone0 (N,))."""
    from tqdm import tqdm

    model.eval()
    outs_a, outs_s, labels, tones = [], [], [], []
    for x, y, t in tqdm(loader, desc=desc, disable=None if progress else True, leave=False):
        x = preprocess.normalize(x.to(device, non_blocking=True))
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp and device.type == "cuda"):
            a, s = model(x)
        outs_a.append(a.float().cpu().numpy())
        outs_s.append(s.float().cpu().numpy())
        labels.append(y.numpy())
        tones.append(np.asarray(t))
    if not outs_a:
        return np.zeros((0, 0)), np.zeros((0, NUM_TONES - 1)), np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
    return np.concatenate(outs_a), np.concatenate(outs_s), np.concatenate(labels), np.concatenate(tones)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _loader(ds, batch_size: int, *, shuffle: bool, workers: int, seed: int, drop_last: bool = False):
    g = torch.Generator()
    g.manual_seed(seed)
    return torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=shuffle, num_workers=workers,
                                       generator=g, drop_last=drop_last, pin_memory=torch.cuda.is_available(),
                                       persistent_workers=False)


def train(celeba_root: str | Path, out: str | Path, *, arch: str = "resnext50_32x4d", epochs: int | None = None,
          batch_size: int = 64, lr: float = 5e-4, weight_decay: float = 0.05, input_size: int | None = None,
          limit: int | None = None, val_limit: int | None = None, skin_csv: str | Path | None = None,
          skin_weight: float = 1.0, seed: int = 0, device: str | None = "auto", amp: bool = True,
          channels_last: bool = True, pretrained: str | Path | None = None, workers: int | None = None,
          resume: bool = False, threshold_metric: str = "accuracy", pos_weight_max: float = 10.0,
          augment: bool = True, warmup_fraction: float = 0.05, stop_after: int | None = None,
          progress: bool = True) -> TrainResult:
    """Train (or resume) an attribute + skin-tone classifier on a CelebA-format folder; write it to ``out``.

    ``epochs``: the schedule's length (default 10; when resuming, the interrupted run's).
    ``limit`` caps the training split (first N images), ``val_limit`` the validation split (default: ``limit``).
    ``input_size`` defaults to the backbone's timm ``pretrained_cfg`` input size (224 for resnext50_32x4d).
    ``stop_after``: run at most this many epochs in this call (the schedule still spans ``epochs``); continue later
    with ``resume=True`` — for time-sliced or preemptible jobs.
    """
    import timm
    from tqdm import tqdm

    if threshold_metric not in THRESHOLD_METRICS:
        raise MemojiError(f"unknown threshold metric '{threshold_metric}' (choose from {', '.join(THRESHOLD_METRICS)})")
    if arch not in timm.list_models() and arch not in timm.list_models(pretrained=True):
        from assembler.errors import UnknownNameError, did_you_mean

        raise UnknownNameError(f"unknown timm architecture '{arch}'{did_you_mean(arch, timm.list_models())} "
                               "(see timm.list_models())")
    out = Path(out).expanduser()
    dev = resolve_device(device)
    use_amp = amp and dev.type == "cuda"
    use_cl = channels_last and dev.type == "cuda"
    workers = min(8, os.cpu_count() or 1) if workers is None else workers

    index = read_celeba(celeba_root)
    state_path = out / STATE_NAME
    start_epoch = 0
    state = None
    if (out / CONFIG_NAME).exists() or state_path.exists():
        if not resume:
            raise MemojiError(f"{out} already holds a training run: pass --resume to continue it or choose "
                              "another --out")
        if not state_path.exists():
            raise CheckpointError(f"cannot resume: {state_path} is missing (the run in {out} has no resume state)")
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        args = state["args"]  # a resumed run keeps its settings (only ``epochs`` may be extended)
        arch, input_size, seed = args["arch"], args["input_size"], args["seed"]
        batch_size, lr, weight_decay = args["batch_size"], args["lr"], args["weight_decay"]
        limit, val_limit, skin_weight = args["limit"], args["val_limit"], args["skin_weight"]
        pos_weight_max, threshold_metric = args["pos_weight_max"], args["threshold_metric"]
        augment, warmup_fraction = args["augment"], args["warmup_fraction"]
        epochs = int(args["epochs"]) if epochs is None else epochs
        skin_csv = skin_csv or args.get("skin_csv")
        start_epoch = int(state["epoch"]) + 1
    epochs = DEFAULT_EPOCHS if epochs is None else epochs
    if epochs < 1 or batch_size < 1:
        raise MemojiError("epochs and batch size must be at least 1")
    if input_size is None:
        input_size = int(timm.get_pretrained_cfg(arch).input_size[-1]) if timm.get_pretrained_cfg(arch) else 224

    skin = read_skin_csv(skin_csv) if skin_csv else {}
    pre = Preprocess(input_size=input_size)
    train_ds = CelebADataset(index, "train", pre, skin=skin, transform=_augmentations(input_size) if augment else None,
                             limit=limit)
    val_ds = CelebADataset(index, "valid", pre, skin=skin, limit=val_limit if val_limit is not None else limit)
    if len(train_ds) == 0:
        raise MemojiError(f"no training images in {index.root}: list_eval_partition.txt has no split-0 rows")
    pos_rate = train_ds.attrs.mean(0)
    pw = pos_weights(pos_rate, pos_weight_max)
    offsets = logit_offsets_for(pw)
    labelled = train_ds.tones >= 0
    tone_majority = int(np.bincount(train_ds.tones[labelled] + 1, minlength=NUM_TONES + 1).argmax()) \
        if labelled.any() else None

    seed_everything(seed)
    model = AttributeNet(arch, len(index.attr_names), NUM_TONES,
                         pretrained_file=pretrained if state is None else None)
    if state is not None:
        resumed, cfg_old = load_run(out, device="cpu")
        if cfg_old.attributes != index.attr_names:
            raise CheckpointError(f"cannot resume {out}: it was trained on other attribute names than "
                                  f"{index.root / 'list_attr_celeba.txt'} has")
        model.load_state_dict(resumed.state_dict())
    model.to(dev)
    if use_cl:
        model = model.to(memory_format=torch.channels_last)

    steps_per_epoch = max(1, len(train_ds) // batch_size) if len(train_ds) >= batch_size else 1
    total_steps = steps_per_epoch * epochs
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, cosine_lambda(total_steps, int(warmup_fraction * total_steps)))
    history: list[dict[str, Any]] = []
    if state is not None:
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        history = list(state.get("history", []))
    bce = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw, dtype=torch.float32, device=dev))

    cfg: dict[str, Any] = {
        "arch": arch, "attributes": list(index.attr_names), "num_tones": NUM_TONES,
        "preprocess": pre.to_dict(),
        "thresholds": [0.5] * len(index.attr_names), "threshold_metric": threshold_metric,
        "logit_offsets": offsets.tolist(), "pos_weight": pw.tolist(), "train_pos_rate": pos_rate.tolist(),
        "skin_head_trained": bool(labelled.any()), "skin_label_count": int(labelled.sum()),
        "skin_train_majority": tone_majority,
        "training": {"celeba_root": str(index.root), "epochs": epochs, "batch_size": batch_size, "lr": lr,
                     "weight_decay": weight_decay, "limit": limit, "seed": seed, "amp": use_amp,
                     "channels_last": use_cl, "device": str(dev), "pretrained": str(pretrained) if pretrained else None,
                     "augment": AUGMENT_DESCRIPTION if augment else None, "skin_csv": str(skin_csv) if skin_csv else None,
                     "skin_weight": skin_weight, "train_images": len(train_ds), "val_images": len(val_ds),
                     "optimizer": "AdamW", "schedule": f"linear warm-up {warmup_fraction:.0%} + cosine",
                     "torch": torch.__version__, "timm": timm.__version__},
    }
    val_table: list[dict] = []
    val_skin: dict = {}
    end_epoch = epochs if stop_after is None else min(epochs, start_epoch + stop_after)
    for epoch in range(start_epoch, end_epoch):
        t0 = time.perf_counter()
        epoch_seed = seed * 100_003 + epoch
        torch.manual_seed(epoch_seed)
        loader = _loader(train_ds, batch_size, shuffle=True, workers=workers, seed=epoch_seed,
                         drop_last=len(train_ds) >= batch_size)
        model.train()
        sums = {"loss": 0.0, "attr_loss": 0.0, "skin_loss": 0.0}
        n_batches = 0
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{epochs}", disable=None if progress else True, leave=False)
        for x, y, t in bar:
            x = pre.normalize(x.to(dev, non_blocking=True))
            if use_cl:
                x = x.contiguous(memory_format=torch.channels_last)
            y = y.to(dev, non_blocking=True)
            t = torch.as_tensor(t, device=dev)
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_amp):
                a_logits, s_logits = model(x)
            attr_loss = bce(a_logits.float(), y)
            skin_loss = coral_loss(s_logits.float(), t)
            loss = attr_loss + skin_weight * skin_loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            sums["loss"] += loss.item()
            sums["attr_loss"] += attr_loss.item()
            sums["skin_loss"] += skin_loss.item()
            n_batches += 1
            bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{sched.get_last_lr()[0]:.2e}")
        record: dict[str, Any] = {"epoch": epoch + 1, **{k: v / max(1, n_batches) for k, v in sums.items()},
                                  "seconds": time.perf_counter() - t0}
        # validation: thresholds tuned on it, numbers for the history
        if len(val_ds):
            vl = _loader(val_ds, batch_size, shuffle=False, workers=workers, seed=0)
            a, s, yv, tv = predict_arrays(model, vl, pre, dev, amp=use_amp, channels_last=use_cl,
                                          progress=progress, desc="validate")
            probs = _sigmoid(a + offsets[None, :])
            thr = tune_thresholds(probs, yv, threshold_metric)
            cfg["thresholds"] = thr.tolist()
            val_table = attribute_table(probs, yv, thr, index.attr_names, pos_rate)
            val_skin = skin_metrics(coral_tone(s), tv + 1, NUM_TONES, tone_majority)
            record.update(val_accuracy=float(np.mean([r["accuracy"] for r in val_table])),
                          val_majority_accuracy=float(np.mean([r["majority_accuracy"] for r in val_table])),
                          val_balanced_accuracy=float(np.mean([r["balanced_accuracy"] for r in val_table])),
                          val_skin_exact=val_skin.get("exact"), val_skin_within_1=val_skin.get("within_1"))
        history.append(record)
        cfg["history"] = history
        cfg["epochs_done"] = epoch + 1
        save_run(out, model, cfg)
        torch.save({"epoch": epoch, "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                    "history": history,
                    "args": {"arch": arch, "input_size": input_size, "seed": seed, "epochs": epochs,
                             "batch_size": batch_size, "lr": lr, "weight_decay": weight_decay, "limit": limit,
                             "val_limit": val_limit, "skin_weight": skin_weight, "pos_weight_max": pos_weight_max,
                             "threshold_metric": threshold_metric, "augment": augment,
                             "warmup_fraction": warmup_fraction, "skin_csv": str(skin_csv) if skin_csv else None}},
                   out / (STATE_NAME + ".tmp"))
        (out / (STATE_NAME + ".tmp")).replace(state_path)
        if progress:
            msg = f"epoch {epoch + 1}/{epochs}: loss {record['loss']:.4f}"
            if "val_accuracy" in record:
                msg += (f"  val acc {record['val_accuracy']:.4f} (majority {record['val_majority_accuracy']:.4f})"
                        f"  bal acc {record['val_balanced_accuracy']:.4f}")
            tqdm.write(msg)
    return TrainResult(run_dir=out, epochs_run=max(0, end_epoch - start_epoch), history=history,
                       val_attributes=val_table, val_skin=val_skin)


__all__ += ["WEIGHTS_NAME"]
