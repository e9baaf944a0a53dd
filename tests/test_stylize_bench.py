"""The stylize benchmark script keeps running: its --tiny CPU smoke mode, end to end, on tiny random models."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

pytest.importorskip("diffusers")

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_stylize_tiny_smoke(tmp_path):
    import torch

    spec = importlib.util.spec_from_file_location("bench_stylize", ROOT / "benchmarks" / "bench_stylize.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rc = bench.main(["--tiny", "--runs", "1", "--warmup", "0", "--json", str(tmp_path / "r.json"),
                         "--md", str(tmp_path / "r.md"), "--machine", "test"])
    finally:
        torch.set_num_threads(threads)
    assert rc == 0
    report = json.loads((tmp_path / "r.json").read_text())
    names = [r["name"] for r in report["rows"]]
    assert names == ["defaults: base+ControlNet", "defaults: refiner img2img", "defaults: end to end",
                     "ours: base+ControlNet", "ours: end to end, equal steps", "ours: default preset 'fast'"]
    assert all(r["output"] == "ok" and r["median_s"] > 0 for r in report["rows"])
    md = (tmp_path / "r.md").read_text()
    assert md.startswith("## Stylize (SDXL + ControlNet canny + refiner)") and "| ours: default preset 'fast' |" in md
    assert (tmp_path / "r.png").is_file()
