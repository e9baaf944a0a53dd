from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
SHARED_FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces"

# Where a run may keep caches and indexes, pointed under one tmp folder per session (STYLE.md: tests write only
# under tmp; no home-dir caches). MEMOJI_INDEX_DIR replaces the part index's default folder
# (parts_library/assets/index/, inside the package), MEMOJI_CACHE_DIR its fallback (~/.cache/memoji); the rest
# are the third-party caches a run can touch (matplotlib's font list, torch hub, Hugging Face).
ISOLATED_ENV = {"MEMOJI_INDEX_DIR": "index", "MEMOJI_CACHE_DIR": "cache/memoji", "XDG_CACHE_HOME": "cache",
                "MPLCONFIGDIR": "mplconfig", "TORCH_HOME": "cache/torch", "HF_HOME": "cache/huggingface"}


@pytest.fixture(scope="session", autouse=True)
def isolated_caches(tmp_path_factory) -> Path:
    """Every cache and index of the session under one tmp folder (the variables reach CLI subprocesses too)."""
    root = tmp_path_factory.mktemp("caches")
    with pytest.MonkeyPatch.context() as mp:
        for var, sub in ISOLATED_ENV.items():
            mp.setenv(var, str(root / sub))
        yield root


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def obama_path() -> Path:
    return DATA / "obama.jpg"


@pytest.fixture(scope="session")
def biden_path() -> Path:
    return DATA / "biden2.jpg"
