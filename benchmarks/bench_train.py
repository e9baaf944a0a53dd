"""Training throughput of the CelebA attribute classifier and its CPU inference time per face.

    python benchmarks/bench_train.py --part gpu   # on a CUDA machine: training images/s, resnext50_32x4d at 224 px
    python benchmarks/bench_train.py --part cpu   # here: inference ms/face on 2 CPU threads

GPU: the real ``AttributeNet`` (timm ``resnext50_32x4d``, random init, 40-attribute head + CORAL skin head), one full
training step per iteration (forward, BCE + CORAL loss, backward, AdamW step) on synthetic tensors already on the GPU
(so the number is the model's, not a data loader's), float32 NCHW vs bfloat16 autocast + channels_last (the
training defaults on CUDA). Median step time over many steps after warm-up → images/s.

CPU: ``ResNeXtCelebAClassifier.predict(face)`` on an analysed photo (CelebA crop from the chip, 224 px, network,
record) with 2 torch threads, median over many runs; the network alone is reported too.

Each part stores its numbers in ``docs/benchmarks/train.json`` (merged by part), and the markdown fragment
``docs/benchmarks/train.md`` is rendered from everything stored there.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOCS = ROOT / "docs" / "benchmarks"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def bench_gpu(arch: str, batch: int, steps: int, warmup: int, size: int, compile_model: bool = False,
              device: str = "cuda") -> dict:
    """Median training-step time, float32 NCHW vs bfloat16 autocast + channels_last (``device="cpu"``: a smoke run)."""
    import timm
    import torch
    from torch import nn

    from classifiers.celeba.model import AttributeNet, coral_loss

    dev = torch.device(device)
    cuda = dev.type == "cuda"
    if cuda:
        assert torch.cuda.is_available(), "the gpu part needs CUDA"
        torch.backends.cudnn.benchmark = True

    def sync():
        if cuda:
            torch.cuda.synchronize()

    results = []
    for mode in ("fp32", "bf16+channels_last"):
        torch.manual_seed(0)
        model = AttributeNet(arch, 40).to(dev)
        amp = mode != "fp32"
        if amp:
            model = model.to(memory_format=torch.channels_last)
        if compile_model:
            model = torch.compile(model)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        bce = nn.BCEWithLogitsLoss(pos_weight=torch.ones(40, device=dev))
        x = torch.randn(batch, 3, size, size, device=dev)
        if amp:
            x = x.contiguous(memory_format=torch.channels_last)
        y = (torch.rand(batch, 40, device=dev) > 0.7).float()
        t = torch.randint(0, 10, (batch,), device=dev)
        times = []
        for i in range(warmup + steps):
            sync()
            t0 = time.perf_counter()
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=amp):
                a, s = model(x)
            loss = bce(a.float(), y) + coral_loss(s.float(), t)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sync()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        results.append({"mode": mode, "batch": batch, "steps": steps, "median_step_s": med,
                        "images_per_s": batch / med,
                        "max_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")})
        print(f"{arch} {size}px batch {batch} {mode}: median step {1000 * med:.1f} ms -> {batch / med:,.0f} img/s "
              f"(over {steps} steps)", flush=True)
        del model, opt
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
    return {"date": _now(), "device": torch.cuda.get_device_name() if cuda else _cpu_name(),
            "torch": torch.__version__, "timm": timm.__version__, "arch": arch, "input_size": size,
            "compile": compile_model, "results": results}


def bench_cpu(arch: str, runs: int, threads: int) -> dict:
    import tempfile

    import numpy as np
    import timm
    import torch

    from assembler import analyze
    from classifiers import create_classifier
    from classifiers.celeba import CELEBA_ATTRS
    from classifiers.celeba.model import AttributeNet, save_run
    from classifiers.celeba.preprocess import Preprocess

    torch.set_num_threads(threads)
    face = analyze(ROOT / "tests" / "data" / "obama.jpg")[0]
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        model = AttributeNet(arch, 40)
        cfg = {"arch": arch, "attributes": list(CELEBA_ATTRS), "num_tones": 10, "thresholds": [0.5] * 40,
               "logit_offsets": [0.0] * 40, "preprocess": Preprocess(input_size=224).to_dict(),
               "skin_head_trained": True}
        save_run(tmp, model, cfg)
        clf = create_classifier("resnext50-celeba", weights=tmp)
        for _ in range(3):
            clf.predict(face)
        # interleaved, so the three timings see the same machine load
        x = torch.from_numpy(np.ascontiguousarray(clf.input_for(face).transpose(2, 0, 1)))[None]
        xin = clf.preprocess.normalize(x)
        full, net, pre = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            clf.predict(face)
            full.append(time.perf_counter() - t0)
            with torch.inference_mode():
                t0 = time.perf_counter()
                clf.model(xin)
                net.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            clf.input_for(face)
            pre.append(time.perf_counter() - t0)
        # the data loader's work per training image: JPEG decode, CelebA crop + resize to 224, v2 augmentations
        from classifiers.celeba.data import CelebADataset, read_celeba
        from classifiers.celeba.synthetic import make_synthetic_celeba
        from classifiers.celeba.train import _augmentations

        torch.set_num_threads(1)
        root = make_synthetic_celeba(Path(tmp) / "data", n_train=40, n_val=0, n_test=0)
        ds = CelebADataset(read_celeba(root), "train", Preprocess(input_size=224), transform=_augmentations(224))
        load = []
        for i in range(max(runs, 40)):
            t0 = time.perf_counter()
            ds[i % len(ds)]
            load.append(time.perf_counter() - t0)
        torch.set_num_threads(threads)
    res = {"date": _now(), "cpu": _cpu_name(), "threads": threads, "torch": torch.__version__,
           "timm": timm.__version__, "arch": arch, "input_size": 224, "runs": runs,
           "predict_ms": 1000 * statistics.median(full), "network_ms": 1000 * statistics.median(net),
           "preprocess_ms": 1000 * statistics.median(pre), "loader_ms_per_image": 1000 * statistics.median(load),
           "predict_min_ms": 1000 * min(full), "network_min_ms": 1000 * min(net),
           "preprocess_min_ms": 1000 * min(pre), "loader_min_ms_per_image": 1000 * min(load),
           "load_avg": os.getloadavg()[0]}
    print(f"CPU {threads} threads: predict(face) median {res['predict_ms']:.1f} ms, fastest "
          f"{res['predict_min_ms']:.1f} ms (network {res['network_ms']:.1f} ms, crop {res['preprocess_ms']:.2f} ms) "
          f"over {runs} runs; data loader {res['loader_ms_per_image']:.2f} ms/image on one core", flush=True)
    return res


def render(data: dict) -> str:
    L = ["## Attribute classifier training and inference (`benchmarks/bench_train.py`)", ""]
    g = data.get("gpu")
    if g:
        L += [f"Training throughput, {g['arch']} at {g['input_size']} px, random init, synthetic tensors on the GPU "
              f"(one full step: forward, BCE + CORAL loss, backward, AdamW). {g['device']}, torch {g['torch']}, "
              f"timm {g['timm']}{', torch.compile' if g.get('compile') else ''}, {g['date']}.", "",
              "| mode | batch | median step (ms) | images/s | peak memory (GiB) |", "|---|---|---|---|---|"]
        for r in g["results"]:
            L.append(f"| {r['mode']} | {r['batch']} | {1000 * r['median_step_s']:.1f} | {r['images_per_s']:,.0f} | "
                     f"{r['max_mem_gib']:.1f} |")
        fp32 = next((r for r in g["results"] if r["mode"] == "fp32"), None)
        amp = next((r for r in g["results"] if r["mode"] != "fp32"), None)
        if fp32 and amp:
            target = "meets" if amp["images_per_s"] >= 2500 else "misses"
            L += ["", f"bfloat16 autocast + channels_last is {amp['images_per_s'] / fp32['images_per_s']:.2f}× float32 "
                      f"NCHW; it {target} the 2,500 images/s target on one GPU."]
            c = data.get("cpu")
            if c and c.get("loader_ms_per_image"):
                per_core = 1000 / c["loader_ms_per_image"]
                L += [f"The data loader must keep up: one CPU core decodes, crops and augments {per_core:,.0f} "
                      f"images/s (measured below), so {amp['images_per_s'] / per_core:.0f} loader workers feed this rate."]
    else:
        L += ["No GPU measurement stored yet (no CUDA device was available when this file was written): run "
              "`python benchmarks/bench_train.py --part gpu` on a CUDA machine (target: ≥ 2,500 training images/s "
              "for resnext50_32x4d at 224 px on one H100 with bfloat16 + channels_last)."]
    c = data.get("cpu")
    if c:
        L += ["", f"CPU inference per face ({c['arch']}, {c['input_size']} px, batch 1, {c['threads']} torch threads, "
                  f"{c['cpu']}, torch {c['torch']}, {c['date']}, median of {c['runs']}; load average at the time "
                  f"{c['load_avg']:.1f}):", "",
              "| step | median ms | fastest ms |", "|---|---|---|",
              f"| CelebA crop from the analysed chip | {c['preprocess_ms']:.2f} | "
              f"{c.get('preprocess_min_ms', float('nan')):.2f} |",
              f"| network | {c['network_ms']:.1f} | {c.get('network_min_ms', float('nan')):.1f} |",
              f"| `predict(face)` end to end (crop + network + record) | {c['predict_ms']:.1f} | "
              f"{c.get('predict_min_ms', float('nan')):.1f} |"]
        if c.get("loader_ms_per_image"):
            L += [f"| training data loader, per image on one core (JPEG decode, crop, resize to 224, v2 augmentations) "
                  f"| {c['loader_ms_per_image']:.2f} | {c.get('loader_min_ms_per_image', float('nan')):.2f} |"]
        if c.get("load_avg", 0) > c["threads"]:
            L += ["", f"The machine was shared (load average {c['load_avg']:.1f} on {c['threads']} threads' worth of "
                      "cores): medians include waiting for the CPU; the fastest run is closer to an idle machine."]
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["gpu", "cpu", "all"], default="all",
                    help="all: the GPU part when CUDA is available, then the CPU part")
    ap.add_argument("--arch", default="resnext50_32x4d")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=8)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (GPU part)")
    ap.add_argument("--runs", type=int, default=30, help="CPU runs")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path, default=DOCS / "train.json", help="where the numbers are stored/merged")
    ap.add_argument("--merge", type=Path, action="append", default=[],
                    help="another train.json (e.g. from the GPU machine) to merge in")
    ap.add_argument("--md", type=Path, default=DOCS / "train.md")
    args = ap.parse_args(argv)

    data = json.loads(args.json.read_text()) if args.json.is_file() else {}
    for m in args.merge:
        data.update(json.loads(m.read_text()))
    if args.part in ("gpu", "all"):
        import torch

        if torch.cuda.is_available():
            data["gpu"] = bench_gpu(args.arch, args.batch, args.steps, args.warmup, args.size, args.compile)
        elif args.part == "gpu":
            print("no CUDA device here: the gpu part needs one", file=sys.stderr)
            return 1
    if args.part in ("cpu", "all"):
        data["cpu"] = bench_cpu(args.arch, args.runs, args.threads)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=1))
    args.md.parent.mkdir(parents=True, exist_ok=True)
    args.md.write_text(render(data))
    print(f"wrote {args.json} and {args.md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
