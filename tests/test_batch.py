"""`memoji batch`: per-row statuses, bad rows never stop it, names cannot escape, kill + resume is exact."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from assembler.batch import PROGRESS, run_batch


def _results(out: Path) -> list[dict]:
    with open(out / "results.csv", newline="") as f:
        return list(csv.DictReader(f))


def _write_csv(path: Path, rows: list[dict]) -> None:
    cols = sorted({k for r in rows for k in r}, key=lambda c: ["id", "photo", "photo2", "hair_color"].index(c)
                  if c in ("id", "photo", "photo2", "hair_color") else 99)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def test_batch_statuses_for_good_missing_corrupt_noface_rows(tmp_path, data_dir):
    shutil.copy(data_dir / "obama.jpg", tmp_path / "obama.jpg")
    (tmp_path / "corrupt.jpg").write_text("not a jpeg")
    Image.new("RGB", (300, 300), (250, 250, 250)).save(tmp_path / "blank.png")
    _write_csv(tmp_path / "in.csv", [
        {"id": "good", "photo": "obama.jpg", "hair_color": "pink"},
        {"id": "missing", "photo": "nope.jpg"},
        {"id": "corrupt", "photo": "corrupt.jpg"},
        {"id": "noface", "photo": "blank.png"},
        {"id": "good", "photo": "obama.jpg"},
        {"id": "../../escape", "photo": "obama.jpg", "photo2": str(data_dir / "obama2.jpg")},
    ])
    out = tmp_path / "out"
    summary = run_batch(tmp_path / "in.csv", out, progress=False)
    rows = _results(out)
    by_line = [(r["id"], r["status"]) for r in rows]
    assert by_line == [("good", "ok"), ("missing", "error"), ("corrupt", "error"), ("noface", "error"),
                       ("good", "error"), ("../../escape", "ok")]
    errors = {r["id"]: r["error"] for r in rows if r["status"] == "error"}
    assert errors["missing"] == f"cannot read image {tmp_path / 'nope.jpg'}: no such file"
    assert errors["corrupt"].startswith(f"cannot read image {tmp_path / 'corrupt.jpg'}: not an image file")
    assert errors["noface"].startswith("no face found in")
    assert rows[4]["error"] == "line 6: duplicate id 'good' (first on line 2)"
    assert summary["ok"] == 2 and summary["error"] == 4
    # outputs stay inside OUTDIR, and the override column was applied
    for r in rows:
        if r["status"] == "ok":
            assert Path(r["png"]).resolve().is_relative_to(out.resolve())
    assert '"hair": "pink"' in (out / "good" / "avatar.recipe.json").read_text()
    assert not (tmp_path.parent / "escape").exists()


def test_kill_and_resume_loses_and_duplicates_nothing(tmp_path, data_dir):
    photos = ["obama.jpg", "obama2.jpg", "biden.jpg", "biden2.jpg"]
    rows = [{"id": f"p{i}", "photo": str(data_dir / photos[i % 4])} for i in range(8)]
    _write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    memoji = Path(sys.executable).parent / "memoji"
    proc = subprocess.Popen([str(memoji), "batch", str(tmp_path / "in.csv"), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    progress = out / PROGRESS
    while time.time() < deadline:
        if progress.exists() and len(progress.read_text().splitlines()) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len([line for line in progress.read_text().splitlines() if line.strip()])
    assert 2 <= done_before < 8, "the batch should have been killed part-way"

    summary = run_batch(tmp_path / "in.csv", out, resume=True, progress=False)
    assert summary["skipped"] >= done_before - 1  # a row whose line the kill cut is done again, nothing else
    results = _results(out)
    assert [r["id"] for r in results] == [f"p{i}" for i in range(8)]
    assert all(r["status"] == "ok" for r in results)
    keys = [line for line in progress.read_text().splitlines() if line.strip()]
    assert len(keys) == 8
    for r in results:
        assert Image.open(r["png"]).size == (512, 512)
