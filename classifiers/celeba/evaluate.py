"""Evaluation of a run on a CelebA-format split (``memoji eval-classifier``).

Writes ``report.md`` (per-attribute accuracy, majority-class accuracy, their difference, balanced accuracy, F1,
threshold; means; skin tone exact / within ±1 / MAE beside the majority-tone baseline and the confusion matrix),
``metrics.json`` (the same numbers) and ``attributes.png`` (a bar chart: accuracy vs majority baseline and balanced
accuracy per attribute).
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import NUM_TONES, CheckpointError
from .data import CelebADataset, read_celeba, read_skin_csv
from .metrics import attribute_table, skin_metrics
from .model import coral_tone, load_run

__all__ = ["evaluate", "EvalResult", "render_report", "plot_attributes"]

COLUMNS = ("attribute", "positive rate", "accuracy", "majority acc", "Δ vs majority", "balanced acc", "F1",
           "threshold")


@dataclass
class EvalResult:
    split: str
    count: int
    attributes: list[dict]
    means: dict[str, float]
    skin: dict[str, Any]
    report_path: Path | None = None
    chart_path: Path | None = None
    metrics_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _means(rows: list[dict]) -> dict[str, float]:
    keys = ("positive_rate", "accuracy", "majority_accuracy", "balanced_accuracy", "f1", "majority_f1")
    return {k: float(np.nanmean([r[k] for r in rows])) if rows else float("nan") for k in keys}


def evaluate(run_dir: str | Path, celeba_root: str | Path, *, split: str = "test", limit: int | None = None,
             skin_csv: str | Path | None = None, out: str | Path | None = None, batch_size: int = 64,
             device: str | None = "auto", workers: int = 0, progress: bool = True) -> EvalResult:
    """Evaluate ``run_dir`` on ``split`` of ``celeba_root``; write the report files to ``out`` (default:
    ``run_dir/eval-<split>``)."""
    import torch

    from .train import _loader, _sigmoid, predict_arrays, resolve_device

    index = read_celeba(celeba_root)
    dev = resolve_device(device)
    model, cfg = load_run(run_dir, device=dev)
    if index.attr_names != cfg.attributes:
        have = set(index.attr_names)
        lacking = [a for a in cfg.attributes if a not in have]
        extra = [a for a in index.attr_names if a not in set(cfg.attributes)]
        detail = ", ".join(filter(None, [f"folder lacks {', '.join(lacking[:5])}" if lacking else "",
                                         f"folder has extra {', '.join(extra[:5])}" if extra else ""])) or \
            "same names in another order"
        raise CheckpointError(f"attribute names of {index.root / 'list_attr_celeba.txt'} do not match the "
                              f"checkpoint {Path(run_dir)} ({detail})")
    pre = cfg.preprocess
    skin = read_skin_csv(skin_csv) if skin_csv else {}
    ds = CelebADataset(index, split, pre, skin=skin, limit=limit)
    use_amp = dev.type == "cuda"
    with torch.inference_mode():
        a, s, y, t = predict_arrays(model, _loader(ds, batch_size, shuffle=False, workers=workers, seed=0), pre, dev,
                                    amp=use_amp, channels_last=dev.type == "cuda", progress=progress,
                                    desc=f"evaluate {split}")
    probs = _sigmoid(a + cfg.logit_offsets[None, :]) if len(a) else np.zeros((0, len(cfg.attributes)))
    rows = attribute_table(probs, y, cfg.thresholds, cfg.attributes, np.asarray(cfg.get("train_pos_rate")))
    skin_res = skin_metrics(coral_tone(s), t + 1, int(cfg["num_tones"]), cfg.get("skin_train_majority"))
    res = EvalResult(split=split, count=len(ds), attributes=rows, means=_means(rows), skin=skin_res,
                     extra={"run_dir": str(run_dir), "arch": cfg["arch"], "celeba_root": str(index.root),
                            "skin_head_trained": bool(cfg.get("skin_head_trained")),
                            "threshold_metric": cfg.get("threshold_metric", "accuracy")})
    out = Path(out) if out is not None else Path(run_dir) / f"eval-{split}"
    out.mkdir(parents=True, exist_ok=True)
    res.chart_path = plot_attributes(rows, out / "attributes.png", title=f"{cfg['arch']} on {split} ({len(ds)} images)")
    res.report_path = out / "report.md"
    res.report_path.write_text(render_report(res))
    res.metrics_path = out / "metrics.json"
    res.metrics_path.write_text(json.dumps({"split": split, "count": len(ds), "means": res.means,
                                            "attributes": rows, "skin": skin_res, **res.extra}, indent=1))
    return res


def _pct(v: float | None) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{100 * v:.1f}"


def render_report(res: EvalResult) -> str:
    """The markdown report: attribute table with means, skin-tone numbers with baseline and confusion matrix."""
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = [f"# Attribute classifier evaluation — {res.extra.get('arch', '?')} on `{res.split}`", "",
         f"{res.count} images from `{res.extra.get('celeba_root', '?')}`, run `{res.extra.get('run_dir', '?')}`, "
         f"{date}. Thresholds were tuned on the validation split for {res.extra.get('threshold_metric')}. "
         "The majority baseline always predicts the training split's more frequent class; balanced accuracy is 50 "
         "for any constant predictor. All numbers in %.", "",
         "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in res.attributes:
        L.append(f"| {r['attribute']} | {_pct(r['positive_rate'])} | {_pct(r['accuracy'])} | "
                 f"{_pct(r['majority_accuracy'])} | {100 * (r['accuracy'] - r['majority_accuracy']):+.1f} | "
                 f"{_pct(r['balanced_accuracy'])} | {_pct(r['f1'])} | {r['threshold']:.2f} |")
    m = res.means
    L.append(f"| **mean** | {_pct(m['positive_rate'])} | **{_pct(m['accuracy'])}** | {_pct(m['majority_accuracy'])} | "
             f"{100 * (m['accuracy'] - m['majority_accuracy']):+.1f} | **{_pct(m['balanced_accuracy'])}** | "
             f"{_pct(m['f1'])} | |")
    L += ["", "## Skin tone (Monk 1–10, ordinal head)", ""]
    s = res.skin
    if not res.extra.get("skin_head_trained"):
        L.append("The skin-tone head was trained without labels: its predictions are meaningless.")
        L.append("")
    if not s.get("count"):
        L.append("No skin-tone labels for this split (pass `--skin-csv image,monk`): nothing to score.")
    else:
        L += [f"{s['count']} labelled images.", "",
              "| | exact | within ±1 | MAE (tones) |", "|---|---|---|---|",
              f"| model | {_pct(s['exact'])} | {_pct(s['within_1'])} | {s['mae']:.2f} |",
              f"| majority (always Monk {s['majority_tone']}) | {_pct(s['majority_exact'])} | "
              f"{_pct(s['majority_within_1'])} | {s['majority_mae']:.2f} |", "",
              "Confusion matrix (rows: true tone, columns: predicted tone):", "",
              "| true \\ pred | " + " | ".join(str(k) for k in range(1, NUM_TONES + 1)) + " |",
              "|" + "---|" * (NUM_TONES + 1)]
        for i, row in enumerate(s["confusion"]):
            L.append(f"| **{i + 1}** | " + " | ".join(str(v) if v else "·" for v in row) + " |")
    if res.chart_path is not None:
        L += ["", f"![per-attribute accuracy]({res.chart_path.name})"]
    return "\n".join(L) + "\n"


def plot_attributes(rows: list[dict], path: str | Path, title: str = "") -> Path:
    """Horizontal bars per attribute: accuracy, majority-class accuracy, balanced accuracy."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        from assembler.errors import MissingDependencyError

        raise MissingDependencyError("the evaluation chart needs matplotlib: pip install "
                                     "-e '.[train]' in the memoji-assembler checkout") from None
    # an Agg canvas of our own: no pyplot, so a notebook's backend and open figures stay untouched
    names = [r["attribute"] for r in rows]
    y = np.arange(len(rows))
    h = 0.27
    fig = Figure(figsize=(8, 0.28 * len(rows) + 1.4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(y - h, [100 * r["accuracy"] for r in rows], h, label="accuracy", color="#2f6bb3")
    ax.barh(y, [100 * r["majority_accuracy"] for r in rows], h, label="majority baseline", color="#b9b9b9")
    ax.barh(y + h, [100 * r["balanced_accuracy"] for r in rows], h, label="balanced accuracy", color="#e0873a")
    ax.set_yticks(y, names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.axvline(50, color="#888", lw=0.6, ls=":")
    ax.set_xlabel("%")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    return path
