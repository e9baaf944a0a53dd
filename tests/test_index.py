"""index/: VectorIndex, PartIndex (per-category, z-scored, saved with the manifest hash), AvatarIndex (callables)."""
from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from index import AvatarIndex, PartIndex, StaleIndexError, VectorIndex


# ---------------------------------------------------------------------------------------------------------------
# a fake parts library with the shape of parts_library.load_library()
def fake_library(descriptors: dict[str, dict[str, list[float]]], manifest_hash: str = "a" * 64):
    parts = [SimpleNamespace(id=pid, category=cat, descriptor=np.asarray(d, np.float32))
             for cat, items in descriptors.items() for pid, d in items.items()]
    return SimpleNamespace(categories=list(descriptors), parts=parts, manifest_hash=manifest_hash)


def random_library(seed=0, manifest_hash="a" * 64):
    rng = np.random.default_rng(seed)
    spec = {"face": (20, 21), "eyes": (30, 14), "hair": (60, 147), "glasses": (8, 144)}
    return fake_library({cat: {f"{cat}_{i:02d}": rng.normal(size=dim) * rng.uniform(0.1, 10, size=dim)
                               for i in range(n)} for cat, (n, dim) in spec.items()}, manifest_hash)


# ---------------------------------------------------------------------------------------------------------------
def test_vector_index_l2_finds_nearest_and_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 16)).astype(np.float32)
    vi = VectorIndex(16, "l2")
    vi.add([f"v{i}" for i in range(50)], x)
    q = x[[7, 30]] + 0.01
    ids, dist = vi.search(q, k=3)
    assert ids.shape == (2, 3) and list(ids[:, 0]) == ["v7", "v30"]
    brute = ((x[None] - q[:, None]) ** 2).sum(-1)
    np.testing.assert_allclose(dist, np.sort(brute, axis=1)[:, :3], rtol=1e-4)
    vi.save(tmp_path, "demo")
    back = VectorIndex.load(tmp_path, "demo")
    ids2, dist2 = back.search(q, k=3)
    assert (ids2 == ids).all() and np.array_equal(dist2, dist)
    assert back.metric == "l2" and len(back) == 50


def test_vector_index_ip_is_cosine_and_k_is_clipped():
    vi = VectorIndex(3, "ip")
    vi.add([10, 11, 12], [[1, 0, 0], [0, 5, 0], [1, 1, 0]])
    ids, sims = vi.search([0, 100, 0], k=10)  # query scale does not matter; k > n returns all n
    assert list(ids[0]) == [11, 12, 10]
    np.testing.assert_allclose(sims[0], [1.0, np.sqrt(0.5), 0.0], atol=1e-6)


def test_vector_index_rejects_bad_input():
    vi = VectorIndex(4)
    with pytest.raises(ValueError, match="3 dimensions, the index has 4"):
        vi.add(["a"], np.zeros((1, 3)))
    with pytest.raises(ValueError, match="2 ids for 1 vectors"):
        vi.add(["a", "b"], np.zeros((1, 4)))
    with pytest.raises(ValueError, match="NaN"):
        vi.add(["a"], [[0, np.nan, 0, 0]])
    with pytest.raises(ValueError, match="unknown metric 'cos'"):
        VectorIndex(4, "cos")


def test_vector_index_moves_to_the_gpu_when_faiss_sees_one(monkeypatch, tmp_path):
    """faiss-gpu is never installed here: fake its API and check the index goes to the GPU and saves from a CPU copy."""
    import faiss

    from index import gpu_available

    assert not gpu_available()  # faiss-cpu
    calls = []
    monkeypatch.setattr(faiss, "get_num_gpus", lambda: 1, raising=False)
    monkeypatch.setattr(faiss, "StandardGpuResources", lambda: "res", raising=False)
    monkeypatch.setattr(faiss, "index_cpu_to_gpu", lambda res, dev, ix: calls.append(("to_gpu", res, dev)) or ix,
                        raising=False)
    monkeypatch.setattr(faiss, "index_gpu_to_cpu", lambda ix: calls.append(("to_cpu",)) or ix, raising=False)
    assert gpu_available()
    vi = VectorIndex(4)
    assert vi.on_gpu and calls == [("to_gpu", "res", 0)]
    vi.add(["a", "b"], np.eye(4)[:2])
    vi.save(tmp_path)
    assert calls[-1] == ("to_cpu",)
    back = VectorIndex.load(tmp_path)
    assert back.on_gpu and calls[-1] == ("to_gpu", "res", 0) and list(back.search(np.eye(4)[1], 1)[0][0]) == ["b"]
    assert not VectorIndex(4, use_gpu=False).on_gpu


# ---------------------------------------------------------------------------------------------------------------
def test_part_index_query_returns_the_part_itself_first():
    lib = random_library()
    pi = PartIndex.build(lib)
    assert pi.categories == ["face", "eyes", "hair", "glasses"] and len(pi) == 20 + 30 + 60 + 8
    for p in lib.parts[::7]:
        res = pi.query(p.category, p.descriptor, k=5)
        assert len(res) == 5 and res[0][0] == p.id and res[0][1] == pytest.approx(0.0, abs=1e-3)
        assert all(a[1] <= b[1] for a, b in zip(res, res[1:]))  # nearest first
        assert all(pid.startswith(p.category) for pid, _ in res)  # never another category's part
    assert len(pi.query("glasses", lib.parts[-1].descriptor, k=None)) == 8


def test_part_index_standardises_dimensions_so_a_large_one_does_not_dominate():
    lib = fake_library({"nose": {"A": [0, 0.0], "B": [10, 1.0], "C": [1000, 0.0], "D": [990, 1.0]}})
    q = [30, 0.0]
    # plain L2 picks B (|dim0| differences dominate); in z-scores dim1 counts as much and A wins
    raw = {k: np.linalg.norm(np.subtract(v, q)) for k, v in
           {"A": [0, 0.0], "B": [10, 1.0], "C": [1000, 0.0], "D": [990, 1.0]}.items()}
    assert min(raw, key=raw.get) == "B"
    res = PartIndex.build(lib).query("nose", q, k=4)
    assert res[0][0] == "A"
    x = np.array([[0, 0.0], [10, 1.0], [1000, 0.0], [990, 1.0]])
    z = (x - x.mean(0)) / x.std(0)
    zq = (np.array(q) - x.mean(0)) / x.std(0)
    expected = sorted(zip("ABCD", np.linalg.norm(z - zq, axis=1)), key=lambda t: t[1])
    assert [r[0] for r in res] == [e[0] for e in expected]
    np.testing.assert_allclose([r[1] for r in res], [e[1] for e in expected], rtol=1e-4)


def test_part_index_constant_dimension_is_harmless():
    lib = fake_library({"mouth": {"m0": [1.0, 5.0], "m1": [2.0, 5.0], "m2": [3.0, 5.0]}})
    res = PartIndex.build(lib).query("mouth", [2.1, 5.0], k=1)
    assert res[0][0] == "m1" and np.isfinite(res[0][1])


def test_part_index_errors_name_what_exists():
    from assembler.errors import UnknownNameError

    pi = PartIndex.build(random_library())
    with pytest.raises(UnknownNameError, match=r"unknown part category 'eye'; did you mean 'eyes'\? "
                                               r"\(indexed: face, eyes, hair, glasses\)"):
        pi.query("eye", np.zeros(14))
    with pytest.raises(ValueError, match="descriptor for 'eyes' has 3 values, its index expects 14"):
        pi.query("eyes", np.zeros(3))


def test_part_index_saves_with_hash_loads_when_fresh_and_rebuilds_when_stale(tmp_path, monkeypatch):
    lib = random_library(seed=0, manifest_hash="1" * 64)
    built = PartIndex.open(lib, tmp_path)
    info = json.loads((tmp_path / "parts.json").read_text())
    assert info["manifest_hash"] == "1" * 64 and info["categories"]["hair"] == 60
    assert (tmp_path / "parts_hair.faiss").is_file()
    q = lib.parts[25].descriptor

    # fresh: loaded, not rebuilt, same answers
    monkeypatch.setattr(PartIndex, "build", classmethod(lambda *a, **k: pytest.fail("rebuilt a fresh index")))
    loaded = PartIndex.open(lib, tmp_path)
    assert loaded.query("eyes", q) == built.query("eyes", q)
    monkeypatch.undo()

    # stale: the manifest changed → load() refuses, open() rebuilds from the new descriptors and re-saves
    lib2 = random_library(seed=5, manifest_hash="2" * 64)
    with pytest.raises(StaleIndexError, match="rebuild it"):
        PartIndex.load(tmp_path, manifest_hash=lib2.manifest_hash)
    fresh = PartIndex.open(lib2, tmp_path)
    assert json.loads((tmp_path / "parts.json").read_text())["manifest_hash"] == "2" * 64
    p = lib2.parts[40]
    assert fresh.query(p.category, p.descriptor, k=1)[0][0] == p.id
    assert PartIndex.load(tmp_path, manifest_hash="2" * 64).query(p.category, p.descriptor, k=1)[0][0] == p.id


def test_part_index_rebuilds_over_a_damaged_save(tmp_path):
    lib = random_library()
    PartIndex.open(lib, tmp_path)
    (tmp_path / "parts_eyes.faiss").write_bytes(b"not an index")
    (tmp_path / "parts_face.json").unlink()
    pi = PartIndex.open(lib, tmp_path)
    p = lib.parts[3]
    assert pi.query(p.category, p.descriptor, k=1)[0][0] == p.id
    assert PartIndex.load(tmp_path, manifest_hash=lib.manifest_hash).count("face") == 20


def test_part_index_query_is_fast():
    import time

    lib = random_library()
    pi = PartIndex.build(lib)
    q = lib.parts[70].descriptor
    times = []
    for _ in range(200):
        t = time.perf_counter()
        pi.query("hair", q, k=8)
        times.append(time.perf_counter() - t)
    assert np.median(times) < 2e-3  # target ≤1 ms (benchmarks/bench_index.py); loose here for a busy CI


def test_index_package_imports_no_face_code():
    code = ("import sys, numpy as np; from types import SimpleNamespace as S; import index; "
            "lib = S(categories=['a'], parts=[S(id='x', category='a', descriptor=np.ones(3, np.float32))], "
            "manifest_hash='0'*64); index.PartIndex.build(lib).query('a', np.ones(3)); "
            "bad = [m for m in ('assembler.analysis', 'assembler.embed', 'assembler.detect', 'dlib', 'torch', "
            "'facenet_pytorch', 'cv2') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# ---------------------------------------------------------------------------------------------------------------
# AvatarIndex with fake callables: the "face" is a flat colour the spec chooses; the embedder reads it back
class _Render:
    def __init__(self):
        self.calls = 0

    def __call__(self, spec):
        self.calls += 1
        rgba = Image.new("RGBA", (32, 32), tuple(spec["colors"]["skin"]) + (255,))
        return SimpleNamespace(image=rgba, landmarks=np.full((68, 2), 16.0))


def _make_spec(rng):
    return {"parts": {"hair": f"hair_{int(rng.integers(0, 9)):02d}"},
            "colors": {"skin": [int(v) for v in rng.integers(0, 256, size=3)]}}


def _embed(rgb, landmarks68):
    assert rgb.dtype == np.uint8 and rgb.shape == (32, 32, 3) and landmarks68.shape == (68, 2)
    v = rgb.reshape(-1, 3).mean(0) - 127.5
    return v / np.linalg.norm(v)


def test_avatar_index_builds_queries_and_round_trips(tmp_path):
    render = _Render()
    ai = AvatarIndex.build(40, _make_spec, render, _embed, seed=3, progress=False, meta={"embedder": "fake"})
    assert len(ai) == 40 and render.calls == 40 and ai.dim == 3
    target = ai.specs[17]
    res = ai.query(_embed(np.asarray(render(target).image.convert("RGB")), np.zeros((68, 2))), k=5)
    assert len(res) == 5 and res[0][0] == target and res[0][1] == pytest.approx(1.0, abs=1e-5)
    assert all(a[1] >= b[1] for a, b in zip(res, res[1:]))
    res[0][0]["parts"]["hair"] = "edited"  # returned dicts are copies
    assert ai.specs[17] == target and target["parts"]["hair"] != "edited"

    ai.save(tmp_path)
    lines = (tmp_path / "avatars.jsonl").read_text().splitlines()
    assert len(lines) == 40 and json.loads(lines[17]) == target
    back = AvatarIndex.load(tmp_path)
    assert back.specs == ai.specs and back.meta == {"embedder": "fake", "n": 40, "seed": 3}
    q = np.array([0.3, -0.2, 0.9])
    assert back.query(q, 4) == ai.query(q, 4)


def test_avatar_index_is_deterministic_per_seed():
    a = AvatarIndex.build(12, _make_spec, _Render(), _embed, seed=1, progress=False)
    b = AvatarIndex.build(12, _make_spec, _Render(), _embed, seed=1, progress=False)
    c = AvatarIndex.build(12, _make_spec, _Render(), _embed, seed=2, progress=False)
    assert a.specs == b.specs and a.specs != c.specs
    assert a.specs[:5] == AvatarIndex.build(5, _make_spec, _Render(), _embed, seed=1, progress=False).specs


def test_avatar_index_composites_transparency_and_checks_landmarks():
    seen = []

    def render(spec):
        return SimpleNamespace(image=Image.new("RGBA", (32, 32), (0, 0, 0, 0)), landmarks=np.zeros((68, 2)))

    def embed(rgb, lm):
        seen.append(rgb[0, 0].tolist())
        return np.array([1.0, 0.0])

    AvatarIndex.build(1, _make_spec, render, embed, progress=False)
    assert seen == [[255, 255, 255]]  # transparent pixels become the white background
    bad = lambda spec: SimpleNamespace(image=Image.new("RGB", (8, 8)), landmarks=np.zeros((5, 2)))  # noqa: E731
    with pytest.raises(ValueError, match=r"\(68, 2\) landmarks, got \(5, 2\)"):
        AvatarIndex.build(2, _make_spec, bad, embed, progress=False)


def test_a_dimension_the_parts_do_not_vary_on_cannot_drown_the_others():
    """The mouth's height below the nose is set by placement, not by the mouth part: every part has (nearly) the same
    value. A photo far off on such a dimension must still get the part that matches it on the dimensions that vary."""
    vals = {"A": [0.0, 0.260], "B": [1.0, 0.2601], "C": [2.0, 0.2599]}
    lib = fake_library({"mouth": vals})
    pi = PartIndex.build(lib)
    for q0, want in ((0.1, "A"), (0.9, "B"), (2.2, "C")):
        res = pi.query("mouth", [q0, 0.19], k=3)  # 0.19: far below every part on the dead dimension
        assert res[0][0] == want
        assert res[0][1] < 0.5  # the dead dimension adds nothing
