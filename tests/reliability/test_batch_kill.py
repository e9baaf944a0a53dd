"""``memoji batch`` under real process kills (issue 16, item 6): the parent SIGKILLed at random (seeded) moments and
resumed, a worker SIGKILLed as the OOM killer would, a second batch into a locked folder, and Ctrl-C. After each:
the batch ends (a time bound), results.csv holds every row exactly once, and every PNG it names decodes.

Each run loads the models (about 5–10 s) and makes six small avatars, so these take a couple of minutes in all.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memoji_run import (cli_env, cmdline, descendants, finish, image_format, read_results,  # noqa: E402
                        start_cli, unneutralise)

DATA = Path(__file__).resolve().parents[1] / "data"
PHOTOS = ("obama.jpg", "biden2.jpg", "obama2.jpg")
ROW_IDS = [f"r{i}" for i in range(6)]
END_S = 180  # a batch of six rows that has not ended by then is hung
SIZE = "128"


@pytest.fixture
def job(tmp_path):
    """A 6-row CSV next to its photos, an output folder and a private cache: (csv, out, env, cwd)."""
    src = tmp_path / "in"
    src.mkdir()
    for f in PHOTOS:
        shutil.copyfile(DATA / f, src / f)
    csv_path = src / "people.csv"
    csv_path.write_text("id,photo\n" + "".join(f"{rid},{PHOTOS[i % len(PHOTOS)]}\n" for i, rid in enumerate(ROW_IDS)))
    cache = tmp_path / "cache"
    cache.mkdir()
    return csv_path, tmp_path / "out", cli_env(cache), tmp_path


def _pngs(out: Path) -> int:
    return len(list(out.glob("*/*.png"))) if out.is_dir() else 0


def _wait(cond, timeout: float, proc=None, step: float = 0.05) -> bool:
    """Poll ``cond`` until it holds (True), the timeout passes or ``proc`` exits (False)."""
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if cond():
            return True
        if proc is not None and proc.poll() is not None:
            return cond()
        time.sleep(step)
    return False


def _check_complete(out: Path, ids: list[str], *, all_ok: bool) -> list[dict[str, str]]:
    """results.csv holds each of ``ids`` exactly once; ok rows' PNGs decode; with ``all_ok`` every row is ok."""
    results = out / "results.csv"
    assert results.is_file(), "no results.csv"
    columns, rows = read_results(results)
    assert "id" in columns and "status" in columns, f"results.csv columns {columns}"
    got = sorted(unneutralise(r["id"]) for r in rows)
    assert got == sorted(ids), f"results.csv ids {got}, expected each of {sorted(ids)} exactly once"
    for r in rows:
        assert r["status"] in ("ok", "error"), f"row {r['id']}: status {r['status']!r}"
        if all_ok:
            assert r["status"] == "ok", f"row {r['id']} failed: {r.get('error')}"
        if r["status"] == "ok":
            png = Path(r["png"]) if os.path.isabs(r["png"]) else out.parent / r["png"]
            if not png.is_file():
                png = out / r["png"]
            assert png.is_file() and image_format(png) == "png", f"row {r['id']}: {r['png']} is not a decodable PNG"
    for png in out.glob("*/*.png"):  # every avatar PNG on disk decodes, whatever results.csv says
        assert image_format(png) == "png", f"{png.relative_to(out)} does not decode"
    return rows


def _check_partial(out: Path) -> None:
    """After a kill: whatever results.csv exists is readable and holds no row twice."""
    results = out / "results.csv"
    if results.is_file():
        _, rows = read_results(results)
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), f"results.csv after a kill holds a row twice: {ids}"
        assert set(map(unneutralise, ids)) <= set(ROW_IDS), f"results.csv after a kill: unknown ids {ids}"


def _no_traceback(run) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-2000:]


def test_parent_sigkill_at_random_moments_then_resume(job):
    """SIGKILL the batch parent three times at seeded random moments (while loading, between and during rows), each
    time resuming; a last --resume finishes: every row exactly once, all ok, every PNG decodes."""
    csv_path, out, env, cwd = job
    rng = random.Random(1616)
    argv = ["batch", str(csv_path), "-o", str(out), "--size", SIZE]
    kills = []
    for attempt in range(3):
        t0 = time.monotonic()
        proc = start_cli(argv + (["--resume"] if attempt else []), cwd, env)
        if attempt == 0:  # somewhere in model loading or the first rows
            time.sleep(rng.uniform(1.0, 9.0))
        else:  # once this run has made avatar number k, a random fraction of a row later
            k = min(_pngs(out) + rng.randint(1, 2), len(ROW_IDS))
            _wait(lambda: _pngs(out) >= k, 90, proc)
            time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is not None:  # it finished before the kill: nothing left to kill
            run = finish(proc, 5, t0)
            _no_traceback(run)
            break
        os.kill(proc.pid, signal.SIGKILL)
        kills.append((round(time.monotonic() - t0, 1), _pngs(out)))
        finish(proc, 10, t0)  # reap it (and kill whatever it had started)
        _check_partial(out)
    t0 = time.monotonic()
    run = finish(start_cli(argv + ["--resume"], cwd, env), END_S, t0)
    assert not run.hung, f"resume did not end within {END_S} s (kills at {kills})"
    _no_traceback(run)
    assert run.rc == 0, f"resume exit {run.rc} after kills at (s, avatars) {kills}: {run.stderr[-500:]}"
    _check_complete(out, ROW_IDS, all_ok=True)


def _workers(pid: int) -> list[int]:
    """The batch's worker processes: its Python descendants other than multiprocessing's resource tracker."""
    return [p for p in descendants(pid) if "resource_tracker" not in cmdline(p) and "python" in cmdline(p).lower()]


def test_worker_sigkill_batch_still_ends_then_resume(job):
    """--workers 2: SIGKILL one worker mid-run (as the OOM killer would). The batch must still end, every row once in
    results.csv; a --resume then leaves every row exactly once and every PNG decodable."""
    csv_path, out, env, cwd = job
    argv = ["batch", str(csv_path), "-o", str(out), "--size", SIZE, "--workers", "2"]
    t0 = time.monotonic()
    proc = start_cli(argv, cwd, env)
    assert _wait(lambda: _pngs(out) >= 1, 150, proc), "no avatar within 150 s"
    workers = _workers(proc.pid)
    assert workers, f"no worker process found under pid {proc.pid}: {[cmdline(p) for p in descendants(proc.pid)]}"
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    run = finish(proc, END_S, t0)
    assert not run.hung, f"the batch hung after worker {victim} was killed (no exit within {END_S} s)"
    _no_traceback(run)
    assert run.rc in (0, 7), f"exit {run.rc} after a worker was killed: {run.stderr[-500:]}"
    _check_complete(out, ROW_IDS, all_ok=False)
    t0 = time.monotonic()
    run = finish(start_cli(argv + ["--resume"], cwd, env), END_S, t0)
    assert not run.hung, f"--resume did not end within {END_S} s"
    _no_traceback(run)
    assert run.rc in (0, 7), f"--resume exit {run.rc}: {run.stderr[-500:]}"
    _check_complete(out, ROW_IDS, all_ok=False)


def test_second_batch_into_same_folder_is_refused(job):
    """A second batch into a folder a running batch holds is refused with one line and a non-zero exit; the first
    batch's results are untouched by it."""
    csv_path, out, env, cwd = job
    other = csv_path.with_name("other.csv")
    other.write_text("id,photo\nx0,obama.jpg\nx1,biden2.jpg\n")
    argv = ["batch", str(csv_path), "-o", str(out), "--size", SIZE]
    t0 = time.monotonic()
    first = start_cli(argv, cwd, env)
    try:
        assert _wait(lambda: out.is_dir() and any(out.iterdir()), 60, first), "the first batch made nothing in 60 s"
        t1 = time.monotonic()
        second = finish(start_cli(["batch", str(other), "-o", str(out), "--size", SIZE], cwd, env), END_S, t1)
        assert first.poll() is None, "the first batch ended before the second one was tried: test too slow to tell"
    finally:
        run = finish(first, END_S, t0)
    assert not second.hung, "the second batch hung"
    _no_traceback(second)
    assert second.rc not in (0, None), "a second batch into a locked output folder was not refused"
    assert len(second.err_lines) == 1 and second.err_lines[0].startswith("Error: "), second.err_lines
    assert not (out / "x0").exists() and not (out / "x1").exists(), "the refused batch wrote avatars"
    assert not run.hung and run.rc == 0, f"the first batch: exit {run.rc}, {run.stderr[-500:]}"
    _check_complete(out, ROW_IDS, all_ok=True)


def test_ctrl_c_writes_results_then_resume(job):
    """SIGINT mid-run: the batch stops promptly with one line and a non-zero exit, results.csv already lists the
    finished rows; --resume completes the rest."""
    csv_path, out, env, cwd = job
    argv = ["batch", str(csv_path), "-o", str(out), "--size", SIZE]
    t0 = time.monotonic()
    proc = start_cli(argv, cwd, env)
    assert _wait(lambda: _pngs(out) >= 2, 150, proc), "fewer than 2 avatars within 150 s"
    os.kill(proc.pid, signal.SIGINT)
    made = _pngs(out)
    run = finish(proc, 30, t0)
    assert not run.hung, "Ctrl-C did not stop the batch within 30 s"
    _no_traceback(run)
    assert run.rc not in (0, None), f"exit {run.rc} after Ctrl-C"
    assert any(ln.startswith("Error: ") for ln in run.err_lines), run.err_lines[-3:]
    assert (out / "results.csv").is_file(), "no results.csv after Ctrl-C"
    _, rows = read_results(out / "results.csv")
    ids = [unneutralise(r["id"]) for r in rows]
    # every avatar made before the signal is listed, but perhaps the one whose row was being recorded
    assert len(ids) == len(set(ids)) and len(ids) >= made - 1, f"results.csv after Ctrl-C ({made} avatars): {ids}"
    t0 = time.monotonic()
    run = finish(start_cli(argv + ["--resume"], cwd, env), END_S, t0)
    assert not run.hung and run.rc == 0, f"--resume: exit {run.rc}, {run.stderr[-500:]}"
    _check_complete(out, ROW_IDS, all_ok=True)
