"""The README's Python snippet runs as written (paths pointed at the bundled photo and a temporary folder)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_snippet_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"## Python\s+```python\n(.*?)```", text, re.S).group(1)
    code = code.replace('"photo.jpg"', '"tests/data/biden.jpg"').replace('avatar.save("out")',
                                                                         f'avatar.save({str(tmp_path)!r})')
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert (tmp_path / "avatar.png").is_file() and (tmp_path / "avatar.recipe.json").is_file()
    assert scope["edited"].recipe.colors["hair"] == "pink"
    assert scope["edited"].recipe.parts["glasses"] == "glasses_round_01"
    assert scope["again"].recipe.parts["hair"] == "buzz_01"
    assert scope["again"].recipe.parts["face"] == scope["avatar"].recipe.parts["face"]  # the rest is kept
    assert scope["faces"] and scope["attrs"].skin_tone is not None
