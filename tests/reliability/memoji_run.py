"""Helpers of the reliability tests: run the real ``memoji`` CLI in a subprocess, snapshot folders, read results.csv."""
from __future__ import annotations

import csv
import io
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["memoji_cmd", "cli_env", "Run", "run_cli", "start_cli", "finish", "kill_group", "snapshot",
           "descendants", "cmdline", "read_results", "unneutralise", "image_format", "FORMULA_START"]

FORMULA_START = ("=", "+", "-", "@")


def memoji_cmd() -> list[str]:
    """The installed ``memoji`` script beside this interpreter (what a user runs), else the entry point via -c."""
    script = Path(sys.executable).with_name("memoji")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "import sys; from assembler.cli import main; sys.exit(main(prog_name='memoji'))"]


def cli_env(cache_dir: str | os.PathLike, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI run: the caller's, without any MEMOJI_* setting (no --debug, no weight paths), one
    OpenMP thread, and a private cache folder (never ~/.cache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMOJI_")}
    env.update(OMP_NUM_THREADS="1", MEMOJI_CACHE_DIR=str(cache_dir), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


@dataclass
class Run:
    rc: int | None
    stdout: str
    stderr: str
    seconds: float
    hung: bool
    cpu: float = 0.0  # CPU seconds (user + system) of the command and the children it waited for

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip()]


def _foreground_signals() -> None:
    # a run of the suite in the background (`make test &`, nohup) ignores SIGINT, and a child would inherit that:
    # the CLI is started as a user starts it in a terminal, where Ctrl-C interrupts
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(argv: list[str], cwd, env: dict[str, str], prefix: list[str] | None = None) -> subprocess.Popen:
    """Start ``memoji ARGV`` in its own session (so a kill reaches every process it started), with Ctrl-C
    interrupting it as in a terminal."""
    return subprocess.Popen([*(prefix or []), *memoji_cmd(), *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, umask=0o022,
                            preexec_fn=_foreground_signals)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def finish(proc: subprocess.Popen, timeout: float, t0: float) -> Run:
    """Wait for ``proc`` (at most ``timeout`` s): a run that does not end is killed and reported as hung."""
    try:
        out, err = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        hung = True
    seconds = time.monotonic() - t0
    kill_group(proc)  # anything it left behind in its session (orphaned workers)
    dec = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return Run(None if hung else proc.returncode, dec(out), dec(err), seconds, hung)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_cli(argv: list[str], cwd, env: dict[str, str], timeout: float, prefix: list[str] | None = None) -> Run:
    """Run ``memoji ARGV`` to its end; ``Run.cpu`` is its CPU time, which other load on the machine does not
    inflate (the caller must not reap other children meanwhile)."""
    cpu0 = _children_cpu()
    t0 = time.monotonic()
    run = finish(start_cli(argv, cwd, env, prefix), timeout, t0)
    run.cpu = _children_cpu() - cpu0
    return run


def snapshot(*roots: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``roots`` (symlinks not followed): path -> (mode, size, mtime_ns)."""
    seen: dict[str, tuple[int, int, int]] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                seen[path] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return seen


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc/<pid>/task/*/children)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            for k in kids:
                if k not in out:
                    out.append(k)
                    todo.append(k)
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def unneutralise(cell: str) -> str:
    """A results.csv cell as the user wrote it: ``'=x`` (a neutralised formula) -> ``=x``."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START else cell


def read_results(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def image_format(path: Path) -> str | None:
    """'png' / 'jpeg' / 'webp' when the file's bytes are that format AND Pillow decodes them, else None."""
    from PIL import Image

    head = path.read_bytes()[:16]
    fmt = ("png" if head.startswith(b"\x89PNG\r\n\x1a\n") else "jpeg" if head.startswith(b"\xff\xd8\xff")
           else "webp" if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None)
    if fmt is None:
        return None
    try:
        with Image.open(path) as im:
            im.load()
    except Exception:  # noqa: BLE001 - any decode failure means "not a valid image"
        return None
    return fmt
