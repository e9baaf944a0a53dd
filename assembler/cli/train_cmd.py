"""``memoji train-classifier``, ``memoji eval-classifier``, ``memoji pseudo-label-skin``: the trained CelebA attribute
classifier (see :mod:`classifiers.celeba`)."""
from __future__ import annotations

from pathlib import Path

import click

from . import main

_DIR = click.Path(file_okay=False, path_type=Path)
_FILE = click.Path(dir_okay=False, path_type=Path)


@main.command("train-classifier")
@click.option("--celeba-root", required=True, type=_DIR,
              help="CelebA-format folder (img_align_celeba/, list_attr_celeba.txt, list_eval_partition.txt; "
                   "torchvision's ROOT/celeba layout works too).")
@click.option("--out", "out", required=True, type=_DIR, help="Run directory: model.safetensors + config.json.")
@click.option("--arch", default="resnext50_32x4d", show_default=True, help="Any timm model name.")
@click.option("--epochs", type=int, default=None, help="Length of the schedule [default: 10; on --resume: the run's].")
@click.option("--batch-size", type=int, default=64, show_default=True)
@click.option("--lr", type=float, default=5e-4, show_default=True, help="AdamW peak learning rate (cosine decay).")
@click.option("--input-size", type=int, default=None, help="Network input side [default: the arch's timm input size].")
@click.option("--limit", type=int, default=None, help="Use only the first N training (and validation) images.")
@click.option("--skin-csv", type=_FILE, default=None, help="Skin-tone labels: CSV with columns image,monk (1..10).")
@click.option("--pretrained", type=_FILE, default=None,
              help="ImageNet weights for the backbone (a timm state-dict file); random init without it.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:1 …")
@click.option("--workers", type=int, default=None, help="Data-loader processes [default: min(8, CPUs)].")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threshold-metric", type=click.Choice(["accuracy", "balanced_accuracy", "f1"]), default="accuracy",
              show_default=True, help="What the per-attribute thresholds maximise on the validation split.")
@click.option("--no-amp", is_flag=True, help="Train in float32 on CUDA (default: bfloat16 autocast).")
@click.option("--no-channels-last", is_flag=True, help="Keep NCHW memory format on CUDA.")
@click.option("--resume", is_flag=True,
              help="Continue the run in --out from its last finished epoch (with that run's settings).")
@click.option("--stop-after", type=int, default=None, help="Run at most N epochs now (continue later with --resume).")
def train_classifier_command(celeba_root, out, arch, epochs, batch_size, lr, input_size, limit, skin_csv,
                             pretrained, device, workers, seed, threshold_metric, no_amp, no_channels_last, resume,
                             stop_after) -> None:
    """Train the CelebA attribute + Monk skin-tone classifier (40 attributes, ordinal skin head)."""
    from classifiers.celeba.train import train

    res = train(celeba_root, out, arch=arch, epochs=epochs, batch_size=batch_size, lr=lr, input_size=input_size,
                limit=limit, skin_csv=skin_csv, pretrained=pretrained, device=device, workers=workers, seed=seed,
                threshold_metric=threshold_metric, amp=not no_amp, channels_last=not no_channels_last, resume=resume,
                stop_after=stop_after, progress=True)
    if res.history:
        h = res.history[-1]
        line = f"epoch {h['epoch']}: train loss {h['loss']:.4f}"
        if "val_accuracy" in h:
            line += (f"; validation mean accuracy {100 * h['val_accuracy']:.1f}% (majority baseline "
                     f"{100 * h['val_majority_accuracy']:.1f}%), balanced accuracy "
                     f"{100 * h['val_balanced_accuracy']:.1f}%")
        click.echo(line)
    click.echo(f"wrote {res.run_dir / 'model.safetensors'} and {res.run_dir / 'config.json'} "
               f"({res.epochs_run} epoch{'s' if res.epochs_run != 1 else ''} this run)")


@main.command("eval-classifier")
@click.argument("run_dir", type=_DIR)
@click.option("--celeba-root", required=True, type=_DIR, help="CelebA-format folder to evaluate on.")
@click.option("--split", type=click.Choice(["train", "valid", "test", "all"]), default="test", show_default=True)
@click.option("--skin-csv", type=_FILE, default=None, help="Skin-tone labels (image,monk) to score the skin head.")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N images of the split.")
@click.option("--out", "out", type=_DIR, default=None, help="Report folder [default: RUN_DIR/eval-SPLIT].")
@click.option("--device", default="auto", show_default=True)
@click.option("--batch-size", type=int, default=64, show_default=True)
@click.option("--workers", type=int, default=None, help="Data-loader processes [default: min(8, CPUs)].")
def eval_classifier_command(run_dir, celeba_root, split, skin_csv, limit, out, device, batch_size, workers) -> None:
    """Per-attribute accuracy, balanced accuracy, F1 beside the majority baseline; skin tone exact/±1 + confusion."""
    import os

    from classifiers.celeba.evaluate import evaluate

    workers = min(8, os.cpu_count() or 1) if workers is None else workers
    res = evaluate(run_dir, celeba_root, split=split, skin_csv=skin_csv, limit=limit, out=out, device=device,
                   batch_size=batch_size, workers=workers, progress=True)
    m = res.means
    click.echo(f"{res.count} {split} images: mean accuracy {100 * m['accuracy']:.1f}% (majority baseline "
               f"{100 * m['majority_accuracy']:.1f}%), balanced accuracy {100 * m['balanced_accuracy']:.1f}%, "
               f"F1 {100 * m['f1']:.1f}%")
    s = res.skin
    if s.get("count"):
        click.echo(f"skin tone on {s['count']} labelled: exact {100 * s['exact']:.1f}% (majority "
                   f"{100 * s['majority_exact']:.1f}%), within ±1 {100 * s['within_1']:.1f}% (majority "
                   f"{100 * s['majority_within_1']:.1f}%)")
    click.echo(f"wrote {res.report_path}, {res.chart_path}, {res.metrics_path}")


@main.command("pseudo-label-skin")
@click.option("--celeba-root", required=True, type=_DIR, help="CelebA-format folder whose images to label.")
@click.option("--out", "out", required=True, type=_FILE, help="CSV to write: image,monk,confidence.")
@click.option("--split", type=click.Choice(["train", "valid", "test", "all"]), default="all", show_default=True)
@click.option("--limit", type=int, default=None, help="Label only the first N images of the split.")
@click.option("--backend", default="measured", show_default=True,
              help="Attribute classifier that gives the skin tone (e.g. measured, or resnext50-celeba to distil).")
@click.option("--classifier-weights", type=click.Path(path_type=Path), default=None,
              help="weights=… for the backend (a run directory for resnext50-celeba).")
@click.option("--min-confidence", type=float, default=0.0, show_default=True,
              help="Leave out faces whose skin-tone confidence is below this.")
def pseudo_label_skin_command(celeba_root, out, split, limit, backend, classifier_weights, min_confidence) -> None:
    """Label skin tone (Monk 1..10) for a CelebA-format folder with an attribute backend, for training the skin head."""
    from ..pseudo_label import pseudo_label_skin

    res = pseudo_label_skin(celeba_root, out, split=split, limit=limit, backend=backend,
                            weights=classifier_weights, min_confidence=min_confidence, progress=True)
    click.echo(f"labelled {res['labelled']} of {res['total']} images ({res['no_face']} without a detectable face, "
               f"{res['low_confidence']} below confidence {min_confidence}); wrote {out}")
