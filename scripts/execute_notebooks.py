"""Run notebooks in place so the committed files keep their outputs (images included) for readers on GitHub.

    .venv/bin/python scripts/execute_notebooks.py notebooks/quickstart.ipynb

Each notebook runs in its own folder with the ``python3`` kernel (the venv's), like ``make test`` (nbmake) runs it.
Widget state is not kept (the editor's widgets only work in a live kernel; their models would add hundreds of kB),
so a widget cell shows its text form and the cells after it show the pictures. A PIL image is shown as both PNG and
JPEG; only the smaller of the two is kept.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path


def execute(path: Path, timeout: int = 600) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data and "image/jpeg" in data:
                del data["image/png" if len(data["image/png"]) > len(data["image/jpeg"]) else "image/jpeg"]
    nbformat.write(nb, path)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    for path in args.notebooks:
        print(f"{path}: {execute(path):.1f} s")


if __name__ == "__main__":
    main()
