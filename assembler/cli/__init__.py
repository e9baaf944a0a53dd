"""The ``memoji`` command line: a thin click layer over the library.

Each command group lives in its own module of this package and registers itself on :data:`main`. Every failure
ends as ONE line on stderr (``Error: …``) and a documented exit code, never a traceback:

====  ==========================================================================================================
code  meaning
====  ==========================================================================================================
0     done
1     a library error without a more specific code (e.g. an output folder locked by another batch)
2     bad input or usage: unreadable image, recipe, colour, unknown name or option, bad CSV
3     no usable face: none found, too small, or ``--face-index`` past the faces found
4     a model file is missing or unreadable
5     an optional dependency is missing (``pip install -e '.[...]'``)
6     the operating system refused a path: permission, not a folder, no space, not a regular file
7     ``memoji batch`` finished but some rows failed (their errors are in results.csv)
70    an unexpected internal error: one line asking for a report; ``memoji --debug …`` shows the traceback
130   interrupted (Ctrl-C)
====  ==========================================================================================================
"""
from __future__ import annotations

import errno
import os
import sys
import traceback
import warnings

import click

from ..errors import MemojiError

__all__ = ["main", "EXIT_OS", "EXIT_ROWS_FAILED", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "error_line"]

EXIT_OS = 6
EXIT_ROWS_FAILED = 7
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
_MAX_LINE = 600

_OS_REASONS = {
    errno.EACCES: "permission denied", errno.EPERM: "operation not permitted", errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded", errno.EROFS: "read-only file system", errno.ENOTDIR: "not a folder",
    errno.EISDIR: "is a folder", errno.ENOENT: "no such file or folder", errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "name too long", errno.ELOOP: "too many symbolic links", errno.EFBIG: "file too large",
    errno.EIO: "input/output error", errno.EMFILE: "too many open files", errno.ENXIO: "no such device",
}


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"


def error_line(exc: BaseException) -> tuple[str, int]:
    """The one line (without ``Error: ``) and the exit code the CLI uses for ``exc``."""
    if isinstance(exc, MemojiError):
        return _one_line(str(exc)), exc.exit_code
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        return _one_line(f"{exc.format_message()} (see '{exc.ctx.command_path} --help')"), exc.exit_code
    if isinstance(exc, click.ClickException):
        return _one_line(exc.format_message()), exc.exit_code
    if isinstance(exc, OSError):
        reason = _OS_REASONS.get(exc.errno or -1) or exc.strerror or type(exc).__name__
        where = exc.filename if exc.filename is not None else ""
        if exc.filename2 is not None:
            where = f"{where} -> {exc.filename2}"
        return _one_line(f"{where}: {reason}" if where else reason), EXIT_OS
    if isinstance(exc, RecursionError):
        return "input nested too deeply to read (a recipe or JSON file?)", 2
    if isinstance(exc, MemoryError):
        return "out of memory (input too large?)", EXIT_OS
    first = _one_line(f"{type(exc).__name__}: {exc}")
    return f"internal error ({first}); please report it (rerun with --debug for the traceback)", EXIT_INTERNAL


def _warning_line(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (``page 1 of 3`` of a multi-page TIFF …) as one ``warning:`` line, without Python's source echo."""
    click.echo(f"warning: {_one_line(str(message))}", err=True)


class MemojiGroup(click.Group):
    """A click group whose every failure is one line on stderr and an exit code (see the module docstring)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv[: argv.index("--")] if "--" in argv else "--debug" in argv
        debug = debug or os.environ.get("MEMOJI_DEBUG", "") not in ("", "0")
        warnings.showwarning = _warning_line
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
        except click.exceptions.Abort:
            click.echo("Error: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except BrokenPipeError:  # `memoji parts list | head`: not an error worth a line
            code = 0
        except Exception as exc:  # noqa: BLE001 - the one place every error becomes one line
            if debug:
                traceback.print_exc()
            line, code = error_line(exc)
            click.echo(f"Error: {line}", err=True)
        if not standalone_mode:
            return code
        sys.stdout.flush()
        sys.exit(code)


@click.group(cls=MemojiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="memoji-assembler")
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
def main(debug: bool) -> None:
    """Turn photos of a person into a memoji-style avatar that looks like them."""


def _register() -> None:
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register()
