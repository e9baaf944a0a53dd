"""Where model files come from, in a fixed order (timm's pretrained-cfg habit): user path → environment variable →
file shipped in an installed package. Nothing is downloaded. A missing file raises one line naming every place
looked in and how to get it."""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

from .errors import ModelFileNotFoundError

__all__ = ["resolve_weight", "package_file"]


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
    """Return the first existing file among ``user_path``, ``$env_var``, then ``packaged`` (package, path parts)."""
    looked: list[str] = []
    if user_path is not None:
        p = Path(user_path).expanduser()
        if p.is_file():
            return p
        raise ModelFileNotFoundError(f"{what} weights not found: {p} does not exist; {how_to_get}")
    if env_var:
        value = os.environ.get(env_var)
        if value:
            p = Path(value).expanduser()
            if p.is_file():
                return p
            looked.append(f"${env_var}={p}")
        else:
            looked.append(f"${env_var} (unset)")
    for package, parts in packaged:
        p = package_file(package, *parts)
        if p is not None:
            return p
        looked.append(f"package {package}/{'/'.join(parts)}")
    raise ModelFileNotFoundError(f"{what} weights not found (looked in: {', '.join(looked)}); {how_to_get}")
