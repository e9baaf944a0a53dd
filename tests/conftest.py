from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
SHARED_FACES = Path(__file__).resolve().parents[1].parent / "shared" / "faces"


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
