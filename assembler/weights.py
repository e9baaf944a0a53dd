"""Where model files come from, in a fixed order (timm's pretrained-cfg habit): user path → environment variable →
file shipped in an installed package. Nothing is downloaded. A missing file raises one line naming every place
looked in and how to get it; a path given explicitly (argument or environment variable) that does not exist is an
error, never a silent fall-back to the packaged file. A file that exists but cannot be loaded (empty, truncated,
corrupt) raises :class:`ModelFileError` naming it (:func:`load_error`)."""
from __future__ import annotations

import importlib.util
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from .errors import ModelFileError, ModelFileNotFoundError

__all__ = ["resolve_weight", "package_file", "check_weight_file", "load_error"]


def package_file(package: str, *parts: str) -> Path | None:
    """A file inside an installed package, located without importing it (``face_recognition_models`` imports
    ``pkg_resources``, gone from setuptools ≥ 82)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        candidate = Path(base, *parts)
        if candidate.is_file():
            return candidate
    return None


def resolve_weight(
    what: str,
    *,
    user_path: str | os.PathLike | None = None,
    env_var: str | None = None,
    packaged: Sequence[tuple[str, Sequence[str]]] = (),
    how_to_get: str,
) -> Path:
    """Return the first of ``user_path``, ``$env_var``, then ``packaged`` (package, path parts).

    ``user_path`` or a set ``$env_var`` that names no file raises :class:`ModelFileNotFoundError` (exit 4) — it
    does not fall back to the packaged file; a file found anywhere must be a non-empty regular file
    (:func:`check_weight_file`, else :class:`ModelFileError`, exit 4)."""
    looked: list[str] = []
    if user_path is not None:
        p = Path(user_path).expanduser()
        _must_exist(what, p, str(p), how_to_get)
        return check_weight_file(p, what, how_to_get)
    if env_var:
        value = os.environ.get(env_var)
        if value:
            p = Path(value).expanduser()
            _must_exist(what, p, f"${env_var}={p}", how_to_get,
                        hint=f" (unset {env_var} to use the packaged file)" if packaged else "")
            return check_weight_file(p, what, how_to_get)
        looked.append(f"${env_var} (unset)")
    for package, parts in packaged:
        p = package_file(package, *parts)
        if p is not None:
            return check_weight_file(p, what, how_to_get)
        looked.append(f"package {package}/{'/'.join(parts)}")
    raise ModelFileNotFoundError(f"{what} weights not found (looked in: {', '.join(looked)}); {how_to_get}")


def _must_exist(what: str, p: Path, shown_as: str, how_to_get: str, hint: str = "") -> None:
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        raise ModelFileNotFoundError(f"{what} weights not found: {shown_as} does not exist{hint}; {how_to_get}") \
            from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ModelFileNotFoundError(f"{what} weights not found: {shown_as} is {kind}{hint}; {how_to_get}")


def check_weight_file(path: str | os.PathLike, what: str, how_to_get: str) -> Path:
    """``path`` if it is a readable, non-empty regular file (cheap: no loading); else one line naming it —
    :class:`ModelFileNotFoundError` when missing, :class:`ModelFileError` when empty or unreadable (exit 4)."""
    p = Path(path)
    _must_exist(what, p, str(p), how_to_get)
    size = p.stat().st_size
    if size == 0:
        raise ModelFileError(f"cannot load {what} weights {p}: the file is empty (0 bytes); {how_to_get}")
    if not os.access(p, os.R_OK):
        raise ModelFileError(f"cannot load {what} weights {p}: permission denied; {how_to_get}")
    return p


def load_error(what: str, path: str | os.PathLike, exc: BaseException, how_to_get: str) -> ModelFileError:
    """The one-line :class:`ModelFileError` for a weight file that exists but that its library cannot load
    (dlib's multi-line ``RuntimeError``, ``cv2.error``, a bad state dict): the file, the library's reason on one
    line, and how to get a good copy."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    reason = next((ln[len("ERROR:"):].strip() for ln in lines if ln.startswith("ERROR:")), lines[0] if lines else "")
    reason = reason or type(exc).__name__
    if len(reason) > 100:
        reason = reason[:99] + "…"
    return ModelFileError(f"cannot load {what} weights {path}: the file is corrupt, truncated or not this model "
                          f"({reason}); {how_to_get}")
