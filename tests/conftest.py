from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"


def _find_shared_faces() -> Path:
    """``../shared/faces`` beside the checkout, as the path reads (a symlinked checkout) or as it resolves."""
    repo = Path(__file__).absolute().parent.parent
    candidates = [repo.parent / "shared" / "faces", repo.resolve().parent / "shared" / "faces"]
    return next((c for c in candidates if (c / "manifest.csv").is_file()), candidates[0])


SHARED_FACES = _find_shared_faces()

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
def shared_faces() -> Path:
    """The development photos in ``../shared/faces`` (read at test time, never committed; CI clones the repository
    with ../shared beside it). Missing, the tests that need them skip on a developer's machine and fail under CI
    (``$CI`` set), where a skip would hide them."""
    if not (SHARED_FACES / "manifest.csv").is_file():
        message = f"{SHARED_FACES} not present (the development photos of ../shared/faces)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{message}: CI must check the repository out with ../shared beside it", pytrace=False)
        pytest.skip(message)
    return SHARED_FACES


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
