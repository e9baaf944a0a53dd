"""The layers of ../shared/DESIGN.md, checked on the import graph of the source (no module is imported).

Every ``.py`` under ``assembler/``, ``parts_library/``, ``index/`` and ``classifiers/`` is parsed with :mod:`ast`;
every ``import`` counts, at module level or inside a function (a lazy import is still a dependency), except the
ones under ``if TYPE_CHECKING:``, which never run. Relative imports are resolved against the importing module, and
``from pkg import name`` is followed through ``pkg/__init__.py``'s own ``from .mod import name`` to the file that
defines ``name``. The rules:

* ``parts_library/`` imports nothing of the project: it is the bottom layer (its own errors live in
  ``parts_library/errors.py``; ``assembler.errors`` re-exports them).
* ``index/`` imports nothing of the project but ``parts_library`` (it indexes the parts): never ``assembler`` or
  ``classifiers``.
* ``classifiers/`` may use ``parts_library`` and ``index`` (lower layers) and, of ``assembler``, only the shared
  record types and their leaf helpers, :data:`CLASSIFIERS_MAY_USE`; those modules themselves import nothing of
  ``assembler`` outside that set, so the allowance cannot lead back into the pipeline.
* No file-level import cycle anywhere (``a.py`` imports ``b.py`` imports ``a.py``, however long the loop).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assembler", "parts_library", "index", "classifiers")

#: what classifiers/ may import from assembler/: the record types (FaceRecord, Attributes, the measurement
#: records) and the leaves every layer shares (the error types, the backend registry). Nothing of a stage.
CLASSIFIERS_MAY_USE = frozenset({"assembler.records", "assembler.measure.records", "assembler.errors",
                                 "assembler.registry"})

#: cycles that exist on purpose, each with its reason; the test fails on any other cycle and when one of these is
#: gone (then delete it here). ``Avatar.edit()`` (avatar) opens the editor and the editor renders recipes into
#: ``Avatar`` objects (avatar.render): a result type and its UI, both imports lazy (inside the functions).
ALLOWED_CYCLES = [["assembler.avatar", "assembler.editor"]]

#: what each package may import of the project (besides itself)
MAY_IMPORT = {
    "parts_library": frozenset(),
    "index": frozenset({"parts_library"}),
    "classifiers": frozenset({"parts_library", "index", "assembler"}),  # assembler: only CLASSIFIERS_MAY_USE
    "assembler": frozenset({"parts_library", "index", "classifiers"}),
}


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """``{"assembler.measure.hair": path, "assembler.measure": path/__init__.py, …}`` for every project file."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for stmt in node.body:
                    skip.update(id(n) for n in ast.walk(stmt))
    return skip


def _raw_imports(name: str, path: Path) -> list[tuple[str, str | None, int]]:
    """``(module, imported name or None, line)`` for every import statement in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((alias.name, None, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.extend((module, alias.name, node.lineno) for alias in node.names)
    return out


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """``{module: {imported project module: first line}}`` over the project's files."""
    files = module_files(root)
    raw = {name: _raw_imports(name, path) for name, path in files.items()}

    def reexported(package: str, attr: str) -> str | None:  # pkg/__init__.py: ``from .mod import attr``
        for module, imported, _ in raw.get(package, ()):
            if imported == attr and module in files and module != package:
                return module
        return None

    def resolve(module: str, attr: str | None) -> str | None:
        if attr is not None and f"{module}.{attr}" in files:
            return f"{module}.{attr}"
        while module and module not in files:  # ``import a.b.c`` of a name that is no file: its nearest package
            module = module.rpartition(".")[0]
        if not module:
            return None
        if attr is not None and module in files and files[module].name == "__init__.py":
            return reexported(module, attr) or module
        return module

    graph: dict[str, dict[str, int]] = {}
    for name, imports in raw.items():
        edges = graph.setdefault(name, {})
        for module, attr, line in imports:
            if module.split(".")[0] not in PACKAGES:
                continue
            target = resolve(module, attr)
            if target is not None and target != name:
                edges.setdefault(target, line)
    return graph


def layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    bad = []
    for source, edges in sorted(graph.items()):
        layer = source.split(".")[0]
        for target, line in sorted(edges.items()):
            other = target.split(".")[0]
            where = f"{source.replace('.', '/')} (line {line}) imports {target}"
            if other == layer:
                if layer == "assembler" and source in CLASSIFIERS_MAY_USE and target not in CLASSIFIERS_MAY_USE:
                    bad.append(f"{where}: a record module classifiers may use must stay a leaf")
                continue
            if other not in MAY_IMPORT[layer]:
                bad.append(f"{where}: {layer}/ must not import {other}/")
            elif layer == "classifiers" and other == "assembler" and target not in CLASSIFIERS_MAY_USE:
                bad.append(f"{where}: classifiers/ may use only {', '.join(sorted(CLASSIFIERS_MAY_USE))}")
    return bad


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one file (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


@pytest.fixture(scope="module")
def graph():
    return import_graph()


def test_the_graph_sees_the_project(graph):
    assert {"assembler.cli", "parts_library.renderer", "index.parts", "classifiers.measured"} <= set(graph)
    assert {"assembler.recipe", "assembler.search.joint"} <= set(graph["assembler.avatar"])  # via search/__init__.py
    assert "assembler.analysis" in graph["assembler.avatar"]  # inside make(): function-level imports count
    assert "parts_library.library" in graph["index.parts"]  # ``from parts_library import load_library``, re-exported


def test_no_layer_is_crossed(graph):
    assert layer_violations(graph) == []


def test_no_file_level_import_cycle(graph):
    cycles = import_cycles(graph)
    assert [c for c in cycles if c not in ALLOWED_CYCLES] == []
    assert [c for c in ALLOWED_CYCLES if c not in cycles] == [], "a cycle is gone: remove it from ALLOWED_CYCLES"


def test_the_judge_stays_out_of_the_search(graph):
    """judge.py: "Keep this module out of assembler.search: an embedder used in the objective cannot judge it"."""
    search = [m for m in graph if m == "assembler.search" or m.startswith("assembler.search.")]
    assert len(search) > 1 and all("assembler.judge" not in graph[m] for m in search)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_check_fails_on_each_kind_of_crossing(tmp_path):
    """The rules bite: a tiny fake project with one crossing of each kind (the ones issue 21 found)."""
    _write(tmp_path, {
        "assembler/__init__.py": "", "assembler/errors.py": "from parts_library.errors import MemojiError\n",
        "assembler/records.py": "", "assembler/measure/__init__.py": "from .hair import hair_family_probs\n",
        "assembler/measure/hair.py": "def hair_family_probs(): pass\n", "assembler/measure/records.py": "",
        "assembler/analysis.py": "from classifiers import pseudo\n",
        "parts_library/__init__.py": "", "parts_library/errors.py": "",
        "parts_library/palettes.py": "from assembler.errors import MemojiError\n",
        "parts_library/renderer.py": "def f():\n    from .contact_sheet import NEUTRAL\n",
        "parts_library/contact_sheet.py": "from . import renderer\n",
        "index/__init__.py": "", "index/vector.py": "def f():\n    from assembler.errors import MemojiError\n",
        "index/parts.py": "import parts_library.palettes\n",
        "classifiers/__init__.py": "from assembler.records import FaceRecord\n",
        "classifiers/measured.py": "from assembler.measure import hair_family_probs\n"
                                   "from assembler.measure.records import HairMeasure\n",
        "classifiers/pseudo.py": "def run():\n    from assembler import analysis\n",
    })
    graph = import_graph(tmp_path)
    assert graph["assembler.measure"] == {"assembler.measure.hair": 1}
    assert layer_violations(graph) == [
        "classifiers/measured (line 1) imports assembler.measure.hair: classifiers/ may use only "
        "assembler.errors, assembler.measure.records, assembler.records, assembler.registry",
        "classifiers/pseudo (line 2) imports assembler.analysis: classifiers/ may use only "
        "assembler.errors, assembler.measure.records, assembler.records, assembler.registry",
        "index/vector (line 2) imports assembler.errors: index/ must not import assembler/",
        "parts_library/palettes (line 1) imports assembler.errors: parts_library/ must not import assembler/",
    ]
    assert import_cycles(graph) == [["assembler.analysis", "classifiers.pseudo"],
                                    ["parts_library.contact_sheet", "parts_library.renderer"]]


def test_type_checking_imports_do_not_count(tmp_path):
    _write(tmp_path, {"parts_library/__init__.py": "", "assembler/__init__.py": "", "parts_library/a.py":
                      "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import assembler\n"})
    assert import_graph(tmp_path)["parts_library.a"] == {}


def test_no_public_function_shares_its_name_with_a_module():
    """``assembler.make`` & co. are functions; a module of the same name would replace the package attribute as
    soon as anything imports it (``import assembler.make`` rebinding ``assembler.make`` to the module), so every
    lazily exported name other than a module export names no module of the package."""
    import assembler

    modules = {p.stem if p.suffix == ".py" else p.name for p in (ROOT / "assembler").iterdir()
               if (p.suffix == ".py" or (p / "__init__.py").is_file()) and p.stem != "__init__"}
    exported = {name for name, where in assembler._LAZY.items() if name != where.lstrip(".")}
    assert exported & modules == set()
    assert {"make", "analyze", "classify", "stylize", "evaluate", "stickers"} <= exported
