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

import pytest
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


def _memoji() -> str:
    return str(Path(sys.executable).parent / "memoji")


def test_ragged_rows_formula_cells_and_bad_overrides_are_row_errors(tmp_path, data_dir):
    shutil.copy(data_dir / "obama.jpg", tmp_path / "obama.jpg")
    (tmp_path / "in.csv").write_text(
        "id,photo,hair_color\n"
        "r1,obama.jpg,extra,extra2\n"           # ragged: pandas used to read this as id=extra
        '"=HYPERLINK(""http://x"")",nope.jpg,\n'  # a formula id, echoed back neutralised
        "r3,obama.jpg,##abcdef\n"                # a hostile colour: refused before any analysis
        "r4,obama.jpg\n")                        # too few cells
    out = tmp_path / "out"
    summary = run_batch(tmp_path / "in.csv", out, progress=False)
    rows = _results(out)
    assert [r["status"] for r in rows] == ["error"] * 4 and summary["ok"] == 0
    assert rows[0]["id"] == "r1" and rows[0]["error"] == "line 2: 4 cells but the header has 3 columns"
    assert rows[1]["id"] == "'=HYPERLINK(\"http://x\")"
    assert rows[2]["error"].startswith("line 4: bad hair colour")
    assert rows[3]["error"] == "line 5: 2 cells but the header has 3 columns"
    assert not any(p.name == "avatar.png" for p in out.rglob("*"))


def test_resume_retries_failed_rows_and_exit_code_says_some_failed(tmp_path, data_dir):
    shutil.copy(data_dir / "obama.jpg", tmp_path / "obama.jpg")
    _write_csv(tmp_path / "in.csv", [{"id": "a", "photo": "obama.jpg"}, {"id": "b", "photo": "later.jpg"}])
    out = tmp_path / "out"
    proc = subprocess.run([_memoji(), "batch", str(tmp_path / "in.csv"), "-o", str(out)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == f"1 ok, 1 failed (2 rows); results: {out / 'results.csv'}"
    assert "Traceback" not in proc.stderr
    shutil.copy(data_dir / "biden.jpg", tmp_path / "later.jpg")  # the missing photo turns up: resume redoes the row
    summary = run_batch(tmp_path / "in.csv", out, resume=True, progress=False)
    assert (summary["ok"], summary["error"], summary["skipped"]) == (2, 0, 1)
    assert [(r["id"], r["status"]) for r in _results(out)] == [("a", "ok"), ("b", "ok")]


def test_second_batch_into_the_same_folder_is_refused(tmp_path, data_dir):
    from assembler.batch import BatchLockedError, _FolderLock

    _write_csv(tmp_path / "in.csv", [{"id": "a", "photo": str(data_dir / "obama.jpg")}])
    out = tmp_path / "out"
    out.mkdir()
    with _FolderLock(out):  # as a running batch holds it
        proc = subprocess.run([_memoji(), "batch", str(tmp_path / "in.csv"), "-o", str(out)], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 1
        assert proc.stderr.strip() == (f"Error: output folder {out} is in use by another memoji batch "
                                       f"(pid {os.getpid()}): wait for it to finish or use another folder")
        assert not (out / "results.csv").exists()
    assert run_batch(tmp_path / "in.csv", out, progress=False)["ok"] == 1  # released: the next batch runs


def test_results_csv_is_current_while_the_batch_runs_and_files_respect_the_umask(tmp_path, data_dir):
    rows = [{"id": f"p{i}", "photo": str(data_dir / "obama.jpg")} for i in range(4)]
    _write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    proc = subprocess.Popen([_memoji(), "batch", str(tmp_path / "in.csv"), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if (out / "results.csv").exists() and len(_results(out)) >= 1:
                break
            time.sleep(0.05)
        assert (out / "results.csv").exists() and 1 <= len(_results(out)), "results.csv appears as rows finish"
    finally:
        proc.wait(timeout=300)
    mask = os.umask(0o022)
    os.umask(mask)
    for path in [out / "results.csv", out / "p0" / "avatar.png", out / "p0" / "avatar.recipe.json"]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask, path


def test_a_killed_worker_is_retried_and_the_batch_ends(tmp_path, data_dir, monkeypatch):
    """A worker killed mid-row (as the OOM killer does) costs a retry, never a hang: rows are done exactly once."""
    import assembler.batch as batch

    rows = [{"id": f"p{i}", "photo": str(data_dir / "obama.jpg")} for i in range(3)]
    rows.append({"id": "boom", "photo": str(data_dir / "biden.jpg")})
    _write_csv(tmp_path / "in.csv", rows)
    monkeypatch.setenv("MEMOJI_TEST_KILL_ROW", "boom")  # the worker SIGKILLs itself on this row
    out = tmp_path / "out"
    summary = batch.run_batch(tmp_path / "in.csv", out, workers=2, progress=False)
    results = {r["id"]: r for r in _results(out)}
    assert sorted(results) == ["boom", "p0", "p1", "p2"]
    assert all(results[f"p{i}"]["status"] == "ok" for i in range(3))
    assert results["boom"]["status"] == "error"
    assert results["boom"]["error"].startswith("the worker process died (killed, or out of memory)")
    assert summary["ok"] == 3 and summary["error"] == 1


def test_ctrl_c_that_a_library_swallows_still_stops_the_batch(tmp_path, data_dir, monkeypatch):
    """Ctrl-C during a row whose code catches the KeyboardInterrupt and carries on (as some native bindings do):
    the batch still stops after that row, with the row recorded, instead of running on to exit 0."""
    import threading

    import assembler.batch as batch

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach only the main thread")
    made: list[str] = []

    def swallowing(job):
        made.append(job["id"])
        if len(made) == 1:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1.0)  # the handler runs in here
            except KeyboardInterrupt:
                pass  # swallowed, as a library catching BaseException would
        return {"key": job["key"], "id": job["id"], "status": "ok", "error": "", "png": "", "svg": "",
                "recipe": "", "faces": "1", "seconds": 0.0}

    monkeypatch.setattr(batch, "_process", swallowing)
    monkeypatch.setattr(batch, "_init_worker", lambda *args, **kwargs: None)
    src = tmp_path / "in.csv"
    src.write_text("id,photo\n" + "".join(f"{i},{data_dir / 'obama.jpg'}\n" for i in "abc"))
    # as in a terminal: a suite run in the background (nohup, `&`) starts with SIGINT ignored, which a batch keeps
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_batch(src, tmp_path / "out", progress=False)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the batch restored the handler
    finally:
        signal.signal(signal.SIGINT, before)
    assert made == ["a"]
    with open(tmp_path / "out" / "results.csv", newline="") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == ["a"]


def test_a_worker_process_gives_the_segmenter_its_share_of_the_cores(tmp_path, monkeypatch):
    """A pooled worker (a process of its own) sets OMP_NUM_THREADS to its share of the cores, which the segmenter's
    onnxruntime pool reads (two workers on 2 cores: one thread each, not two each); a user's own setting wins, and
    a batch run in the caller's process (one worker) leaves the caller's environment alone."""
    import torch

    from assembler.batch_engines import _init_worker

    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        _init_worker(1, 64, None, str(tmp_path / "in_process"), pooled=False)
        assert "OMP_NUM_THREADS" not in os.environ
        _init_worker(1, 64, None, str(tmp_path / "pooled"), pooled=True)
        assert os.environ["OMP_NUM_THREADS"] == "1"
        monkeypatch.setenv("OMP_NUM_THREADS", "3")
        _init_worker(1, 64, None, str(tmp_path / "user_set"), pooled=True)
        assert os.environ["OMP_NUM_THREADS"] == "3"
    finally:
        torch.set_num_threads(before)
