"""`memoji batch --engine ray`: the same rows, bytes and results as the local engine, on a real local Ray.

Each test starts (and stops) a local Ray with 2 CPUs inside ``run_batch``; nothing leaves loopback."""
from __future__ import annotations

import csv
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the distributed extra is not installed")

from assembler.batch import PROGRESS, run_batch  # noqa: E402


def _results(out: Path) -> list[dict]:
    with open(out / "results.csv", newline="") as f:
        return list(csv.DictReader(f))


def _rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("id,photo\n" + "".join(f"{i},{p}\n" for i, p in rows))
    return path


def test_ray_and_local_engines_give_the_same_rows_and_bytes(tmp_path, data_dir):
    for name in ("obama.jpg", "biden2.jpg"):
        shutil.copy(data_dir / name, tmp_path / name)
    src = _rows(tmp_path / "in.csv", [("a", "obama.jpg"), ("gone", "missing.jpg"), ("b", "biden2.jpg")])
    local = run_batch(src, tmp_path / "local", progress=False)
    ray_ = run_batch(src, tmp_path / "ray", engine="ray", workers=2, progress=False, results_format="parquet")
    assert (local["ok"], local["error"]) == (ray_["ok"], ray_["error"]) == (2, 1)

    def strip(rows, out):
        return [{k: v.replace(str((tmp_path / out).resolve()), "OUT") for k, v in r.items() if k != "seconds"}
                for r in rows]

    assert strip(_results(tmp_path / "ray"), "ray") == strip(_results(tmp_path / "local"), "local")
    for row_id in ("a", "b"):
        for f in ("avatar.png", "avatar.svg", "avatar.recipe.json"):
            assert (tmp_path / "ray" / row_id / f).read_bytes() == (tmp_path / "local" / row_id / f).read_bytes()
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "ray" / "results.parquet").to_pylist()
    assert [(r["id"], r["status"]) for r in table] == [("a", "ok"), ("gone", "error"), ("b", "ok")]


def test_a_row_that_kills_its_actor_fails_alone_and_the_job_ends(tmp_path, data_dir, monkeypatch):
    """The rows beside one that kills its actor are still made (each actor has one row at a time: with several in
    flight, a row queued beside the killer died with it, and CI saw 1 ok, 2 failed)."""
    monkeypatch.setenv("MEMOJI_TEST_KILL_ROW", "boom")  # the actor SIGKILLs itself on this row, every time
    src = _rows(tmp_path / "in.csv", [("a", str(data_dir / "obama.jpg")), ("boom", str(data_dir / "biden.jpg")),
                                      ("c", str(data_dir / "obama2.jpg")), ("d", str(data_dir / "biden2.jpg"))])
    summary = run_batch(src, tmp_path / "out", engine="ray", workers=2, progress=False)
    rows = {r["id"]: r for r in _results(tmp_path / "out")}
    assert (summary["ok"], summary["error"]) == (3, 1)
    assert rows["a"]["status"] == rows["c"]["status"] == rows["d"]["status"] == "ok"
    assert rows["boom"]["error"] == ("the worker process died (killed, or out of memory) while making this avatar, "
                                     "2 times")


def test_resume_after_an_interrupted_ray_run_does_every_row_once(tmp_path, data_dir):
    photos = ["obama.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg"]
    src = _rows(tmp_path / "in.csv", [(f"p{i}", str(data_dir / photos[i % 4])) for i in range(6)])
    out = tmp_path / "out"
    memoji = Path(sys.executable).parent / "memoji"
    proc = subprocess.Popen([str(memoji), "batch", str(src), "-o", str(out), "--engine", "ray", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if (out / PROGRESS).exists() and len((out / PROGRESS).read_text().splitlines()) >= 2:
            break
        time.sleep(0.1)
    import os

    os.killpg(proc.pid, signal.SIGKILL)  # the driver and the local Ray it started
    proc.wait()
    before = len([x for x in (out / PROGRESS).read_text().splitlines() if x.strip()])
    assert 2 <= before < 6, "the run should have been killed part-way"
    summary = run_batch(src, out, engine="ray", workers=2, resume=True, progress=False)
    assert summary["ok"] == 6 and summary["skipped"] >= before - 1
    assert [r["id"] for r in _results(out)] == [f"p{i}" for i in range(6)]
    lines = [x for x in (out / PROGRESS).read_text().splitlines() if x.strip()]
    assert len(lines) == 6


def test_readme_ray_command_runs(tmp_path):
    """The README's two-line example, as a user types it (the bundled CSV, a local Ray with 2 actors)."""
    root = Path(__file__).resolve().parents[1]
    memoji = Path(sys.executable).parent / "memoji"
    proc = subprocess.run([str(memoji), "batch", "tests/data/batch_example.csv", "-o", str(tmp_path / "batch"),
                           "--engine", "ray", "--workers", "2"], cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = tmp_path / "batch" / "results.csv"
    assert proc.stdout.strip().splitlines()[-1] == f"3 ok, 0 failed (3 rows); results: {results}"
    assert '"hair": "pink"' in (tmp_path / "batch" / "obama_pink" / "avatar.recipe.json").read_text()
