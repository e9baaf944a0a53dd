"""FAISS index timings: part-index build/save/load from the real parts manifest, per-category query latency
(target ≤ 1 ms per category query), avatar-index query latency and build throughput (render + embed)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ms, write_fragment  # noqa: E402


def us(values) -> str:
    import numpy as np

    v = np.asarray(values) * 1e6
    return f"{np.median(v):.0f} µs (p10 {np.percentile(v, 10):.0f}, p90 {np.percentile(v, 90):.0f})"


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2000, help="queries per category")
    ap.add_argument("--avatars", type=int, default=40, help="avatars rendered + embedded for the build throughput")
    args = ap.parse_args()

    import faiss
    import numpy as np

    from index import AvatarIndex, PartIndex, VectorIndex, gpu_available
    from parts_library import load_library

    lib = load_library()
    rng = np.random.default_rng(0)
    lines = [f"faiss {faiss.__version__} ({'GPU' if gpu_available() else 'CPU'}), OpenMP threads "
             f"{faiss.omp_get_max_threads()}; parts manifest {lib.manifest_hash[:12]}.", ""]

    with tempfile.TemporaryDirectory() as tmp:
        build = timed(lambda: PartIndex.build(lib), 20)
        pi = PartIndex.build(lib)
        save = timed(lambda: pi.save(tmp), 10)
        load = timed(lambda: PartIndex.load(tmp, manifest_hash=lib.manifest_hash), 20)
    lines += ["| part index | median (p10, p90) |", "|---|---|",
              f"| build from the manifest ({len(pi)} parts, {len(pi.categories)} categories) | {ms(build)} |",
              f"| save | {ms(save)} |", f"| load (hash checked) | {ms(load)} |", ""]

    lines += ["| `PartIndex.query(category, descriptor, k=8)` | parts | dim | median (p10, p90) |", "|---|---|---|---|"]
    all_q = []
    for cat in pi.categories:
        parts = lib.parts(cat)
        desc = np.stack([p.descriptor for p in parts])
        queries = desc[rng.integers(len(desc), size=args.runs)] + rng.normal(
            scale=desc.std(0) + 1e-3, size=(args.runs, desc.shape[1])).astype(np.float32)
        it = iter(queries)
        t = timed(lambda: pi.query(cat, next(it), k=8), args.runs)
        all_q += t
        lines.append(f"| {cat} | {pi.count(cat)} | {desc.shape[1]} | {us(t)} |")
    lines.append(f"| **every category** | | | **{us(all_q)}** |")

    def all_categories():
        for cat in pi.categories:
            pi.query(cat, lib.parts(cat)[0].descriptor, k=8)

    t_all = timed(all_categories, 300)
    lines += ["", f"One retrieval over all {len(pi.categories)} categories (sequential queries): {us(t_all)}.", ""]

    lines += ["| avatar index `query(embedding, k=8)` (synthetic unit vectors) | OpenMP threads | median (p10, p90) |",
              "|---|---|---|"]
    threads = faiss.omp_get_max_threads()
    for n, dim in [(1000, 128), (10000, 128), (10000, 512)]:
        x = rng.normal(size=(n, dim)).astype(np.float32)
        vi = VectorIndex(dim, "ip")
        vi.add(list(range(n)), x)
        ai = AvatarIndex(vi, [{"i": i} for i in range(n)])
        for th in sorted({1, threads}):
            faiss.omp_set_num_threads(th)
            q = iter(rng.normal(size=(args.runs, dim)).astype(np.float32))
            lines.append(f"| {n} × {dim} | {th} | {us(timed(lambda: ai.query(next(q), k=8), args.runs))} |")
        faiss.omp_set_num_threads(threads)

    if args.avatars:
        from assembler.embed import create_embedder
        from assembler.cli.index_cmd import build_avatar_index

        create_embedder("dlib-resnet128")  # load the model outside the timing
        build_avatar_index(2, library=lib, progress=False)
        t0 = time.perf_counter()
        build_avatar_index(args.avatars, library=lib, progress=False)
        dt = time.perf_counter() - t0
        lines += ["", f"Avatar index build (render 256 px + dlib-resnet128 embed, one process): {args.avatars} "
                      f"avatars in {dt:.1f} s = {args.avatars / dt:.1f} avatars/s."]
    write_fragment("index", "FAISS indices (issue 8)", "\n".join(lines))


if __name__ == "__main__":
    main()
