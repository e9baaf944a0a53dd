"""Tests keep their side effects under tmp (STYLE.md): the autouse ``isolated_caches`` fixture in conftest.py points
every cache and index folder there. These fail when a test run would write into the package folder or ~/.cache."""
from __future__ import annotations

import os
from pathlib import Path

import parts_library
from index import PartIndex
from index.parts import cache_index_dir, default_index_dir

PACKAGE = Path(parts_library.__file__).resolve().parent
HOME_CACHE = Path.home() / ".cache"


def _listing(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def test_cache_and_index_folders_resolve_under_the_session_tmp(isolated_caches):
    root = isolated_caches.resolve()
    for folder in (default_index_dir(), cache_index_dir("0" * 64)):
        assert folder.resolve().is_relative_to(root), folder
        assert not folder.resolve().is_relative_to(PACKAGE) and not folder.resolve().is_relative_to(HOME_CACHE)
    for var in ("XDG_CACHE_HOME", "MPLCONFIGDIR", "TORCH_HOME", "HF_HOME"):
        assert Path(os.environ[var]).resolve().is_relative_to(root), var


def test_building_the_part_index_writes_only_under_tmp(isolated_caches):
    package_index = PACKAGE / "assets" / "index"
    before = _listing(package_index), _listing(HOME_CACHE / "memoji")
    built = PartIndex.open(rebuild=True)  # what make() does on a stale index: build and save to the default folder
    assert built.directory is not None and built.directory.resolve().is_relative_to(isolated_caches.resolve())
    assert (built.directory / "parts.json").is_file()
    assert (_listing(package_index), _listing(HOME_CACHE / "memoji")) == before
