"""Every hostile input of corpus.py through the real ``memoji`` CLI in a subprocess (issue 16, item 6).

Per case: the exit code is one the contract allows; an error is exactly one non-empty stderr line ``Error: …``;
no ``Traceback`` anywhere; the run ends within TIMEOUT_S (a hang is a failure); no file appears, changes or
disappears outside the case's output folder (the working folder, its parent and the corpus are snapshotted);
successful runs write what they say in the format they say, with mode 0644 under umask 022; injected markup never
reaches an SVG file; cases that need no photo fail before any analysis (FAST_CPU_S).

Permission cases run without root's permission bypass (``setpriv --bounding-set -dac_override,…`` when the tests
run as root) and are skipped where that does not work; disk-full cases mount a 16 KiB tmpfs in a private mount
namespace (``unshare -m``, root only) and are skipped elsewhere.

``MEMOJI_RELIABILITY_LOG=FILE`` appends one JSON line per case (exit code, seconds, first stderr line, problems).
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Case, build_corpus, case_ids  # noqa: E402
from memoji_run import (FORMULA_START, cli_env, image_format, read_results, run_cli, snapshot,  # noqa: E402
                        unneutralise)

TIMEOUT_S = 90
# CPU seconds (not wall: the machine may be busy) under which a case "failed before analysis": imports and checks
# take 0.1-3 s; loading the models alone takes about 6 s and analysing a photo more
FAST_CPU_S = float(os.environ.get("MEMOJI_RELIABILITY_FAST_CPU_S", "4.5"))
DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
FULL_MOUNT = 'mount -t tmpfs -o size=16k memoji-full "$0" || exit 99; exec "$@"'


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, Case]]:
    d = tmp_path_factory.mktemp("corpus")
    return d, {c.id: c for c in build_corpus(d)}


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("memoji-cache")


@pytest.fixture(scope="session")
def perm_prefix(tmp_path_factory) -> list[str] | None:
    """Command prefix under which file permissions hold (None: they cannot be made to hold here)."""
    d = tmp_path_factory.mktemp("perm-probe")
    (d / "ro").mkdir()
    (d / "ro").chmod(0o555)
    (d / "secret").write_text("x")
    (d / "secret").chmod(0)
    prefix = DROP_DAC if os.geteuid() == 0 else []
    if prefix and shutil.which("setpriv") is None:
        return None
    probe = ("import sys\ntry:\n open(sys.argv[1]).read(); sys.exit(1)\nexcept PermissionError: pass\n"
             "try:\n open(sys.argv[2], 'w'); sys.exit(1)\nexcept PermissionError: sys.exit(0)\n")
    try:
        rc = subprocess.run([*prefix, sys.executable, "-c", probe, str(d / "secret"), str(d / "ro" / "x")],
                            timeout=30, capture_output=True).returncode
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if rc == 0 else None


@pytest.fixture(scope="session")
def full_prefix(tmp_path_factory):
    """A function mount_dir -> command prefix that makes mount_dir a 16 KiB tmpfs for that command (or None)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return None
    d = tmp_path_factory.mktemp("full-probe")

    def prefix(mount_dir: Path) -> list[str]:
        return ["unshare", "-m", "--", "sh", "-c", FULL_MOUNT, str(mount_dir)]

    probe = ("import sys\ntry:\n open(sys.argv[1], 'wb').write(bytes(1 << 20)); sys.exit(1)\n"
             "except OSError: sys.exit(0)\n")
    try:
        rc = subprocess.run([*prefix(d), sys.executable, "-c", probe, str(d / "f")], timeout=30,
                            capture_output=True).returncode
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if rc == 0 and not (d / "f").exists() else None


def _allowed(path: str, work: Path, allowed: tuple[str, ...]) -> bool:
    rel = os.path.relpath(path, work)
    if rel.startswith(".."):
        return False
    return any(rel == a or rel.startswith(a + os.sep) for a in allowed)


def _log(record: dict) -> None:
    path = os.environ.get("MEMOJI_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")


@pytest.mark.parametrize("case_id", case_ids())
def test_cli_hostile(case_id: str, corpus, cache_dir, perm_prefix, full_prefix, tmp_path):
    corpus_dir, cases = corpus
    case = cases[case_id]
    root = tmp_path / "sentinel"
    work = root / "work"
    work.mkdir(parents=True)
    (root / "keep.txt").write_text("sentinel\n")
    prefix: list[str] = []
    for kind, rel in case.prep:
        target = root / rel.split("=>")[0]
        if kind == "file":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("a file where a folder is expected\n")
        elif kind == "symlink":  # "link=>target": a symlink at link (under {R}) pointing at target
            link, target = rel.split("=>")
            (root / link).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, root / link)
        elif kind in ("dir", "ro", "full"):
            target.mkdir(parents=True, exist_ok=True)
            if kind == "ro":
                target.chmod(0o555)
            if kind == "full":
                if full_prefix is None:
                    pytest.skip("disk-full case needs root and `unshare -m` (a private 16 KiB tmpfs)")
                prefix = full_prefix(target)
    if case.wrap == "perm":
        if perm_prefix is None:
            pytest.skip("file permissions cannot be made to hold here (root without setpriv)")
        prefix = perm_prefix

    before = snapshot(root, corpus_dir)
    run = run_cli(case.command(str(work), str(root)), work, cli_env(cache_dir, case.environ(str(work), str(root))),
                  TIMEOUT_S, prefix)
    after = snapshot(root, corpus_dir)

    problems: list[str] = []
    first = run.err_lines[0][:160] if run.err_lines else ""
    if run.hung:
        problems.append(f"HANG: no exit within {TIMEOUT_S} s")
    else:
        if run.rc not in case.codes:
            problems.append(f"exit {run.rc}, expected {'/'.join(map(str, sorted(case.codes)))}")
        if run.rc not in (0, 7):  # exit 7 (a batch with failed rows) may show its progress bar on stderr
            if len(run.err_lines) != 1:
                problems.append(f"{len(run.err_lines)} stderr lines, expected 1")
            elif not run.err_lines[0].startswith("Error: "):
                problems.append("stderr line does not start with 'Error: '")
            if case.fast and run.cpu > FAST_CPU_S:
                problems.append(f"late validation: failed after {run.cpu:.1f} CPU s (> {FAST_CPU_S}: models loaded?)")
    if "Traceback" in run.stdout or "Traceback" in run.stderr:
        problems.append("Traceback in output")

    # nothing outside the allowed output folder appears, changes or disappears
    new = sorted(set(after) - set(before))
    escaped = [p for p in new if not _allowed(p, work, case.allowed)]
    if escaped:
        problems.append("wrote outside the output folder: "
                        + ", ".join(os.path.relpath(p, tmp_path) for p in escaped[:4]))
    gone = sorted(set(before) - set(after))
    if gone:
        problems.append("removed: " + ", ".join(os.path.relpath(p, tmp_path) for p in gone[:4]))
    changed = [p for p in set(before) & set(after) if before[p] != after[p] and not os.path.isdir(p)
               and not _allowed(p, work, case.allowed)]
    if changed:
        problems.append("changed: " + ", ".join(sorted(os.path.basename(p) for p in changed)[:4]))

    for rel in case.absent:
        if os.path.lexists(work / rel) and not (work / rel).is_dir():
            problems.append(f"{rel} was written although the command was refused")
    if case.no_injection:
        for p in new:  # the markup matters where a browser would run it: SVG (and HTML) files
            if p.lower().endswith((".svg", ".html", ".htm")) and os.path.isfile(p) and not os.path.islink(p):
                data = Path(p).read_bytes().lower()
                if b"<script" in data or b"<image" in data:
                    problems.append(f"injected markup reached {os.path.relpath(p, work)}")

    if run.rc == 0:
        problems += _check_success(case, run, work, new)
    if run.rc in (0, 7) and case.batch_ids is not None:
        problems += _check_batch(case, run, work)

    _log({"id": case.id, "rc": run.rc, "hung": run.hung, "seconds": round(run.seconds, 2), "cpu": round(run.cpu, 2),
          "stderr": first, "problems": problems})
    assert not problems, f"[{case.id}] " + "; ".join(problems) + (f" | stderr: {first}" if first else "")


def _check_success(case: Case, run, work: Path, new: list[str]) -> list[str]:
    problems = []
    for pattern, kind in case.outputs:
        matches = [Path(p) for p in new if fnmatch.fnmatch(os.path.relpath(p, work), pattern)
                   and os.path.isfile(p)]
        if not matches:
            problems.append(f"no {pattern} written")
        for m in matches:
            if kind in ("png", "jpeg", "webp"):
                got = image_format(m)
                if got != kind:
                    problems.append(f"{m.name} is not a decodable {kind.upper()} (bytes say {got or 'neither'})")
            elif kind == "svg":
                if b"<svg" not in m.read_bytes()[:4096]:
                    problems.append(f"{m.name} is not SVG")
            elif kind == "json":
                try:
                    json.loads(m.read_text(encoding="utf-8"))
                except ValueError:
                    problems.append(f"{m.name} is not JSON")
    if case.mentions and not re.search(case.mentions, run.stdout + run.stderr):
        problems.append(f"output does not say /{case.mentions}/")
    modes = sorted({oct(os.lstat(p).st_mode & 0o777) for p in new if os.path.isfile(p) and not os.path.islink(p)
                    and (os.lstat(p).st_mode & 0o777) != 0o644 and not os.path.basename(p).startswith(".")})
    if modes:
        problems.append(f"output file modes {', '.join(modes)} (umask 022 gives 0o644)")
    return problems


def _check_batch(case: Case, run, work: Path) -> list[str]:
    results = work / "out" / "results.csv"
    if not results.is_file():
        return ["no out/results.csv"]
    problems = []
    if run.rc == 7 and not run.stdout.strip():
        problems.append("exit 7 without a summary line on stdout")
    columns, rows = read_results(results)
    if "id" not in columns or "status" not in columns:
        return [f"results.csv columns {columns} lack id/status"]
    ids = sorted(unneutralise(r["id"]) for r in rows)
    if ids != sorted(case.batch_ids):
        problems.append(f"results.csv ids {ids} != the CSV's rows {sorted(case.batch_ids)} (each exactly once)")
    for rid, status in case.batch_status:
        got = [r["status"] for r in rows if unneutralise(r["id"]) == rid]
        if got != [status]:
            problems.append(f"row {rid!r}: status {got}, expected [{status!r}]")
    formulas = sorted({v for r in rows for v in r.values() if isinstance(v, str) and v.startswith(FORMULA_START)})
    if formulas:
        problems.append(f"formula cells not neutralised: {formulas[:3]}")
    for r in rows:
        if r.get("status") == "ok" and r.get("png"):
            cands = [Path(r["png"])] if os.path.isabs(r["png"]) else [work / r["png"], work / "out" / r["png"]]
            png = next((c for c in cands if c.is_file()), cands[0])
            if not png.is_file() or image_format(png) != "png":
                problems.append(f"row {r['id']!r}: {r['png']} is not a decodable PNG")
    return problems
