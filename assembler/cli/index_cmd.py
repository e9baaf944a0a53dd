"""``memoji index build [--avatars N] [--out DIR]``, ``memoji index reference PHOTOS…``, ``memoji index info [DIR]``.
"""
from __future__ import annotations

import functools
from pathlib import Path

import click

from . import main


@main.group("index")
def index_group() -> None:
    """Build and inspect the FAISS indices (part descriptors, rendered avatars)."""


@functools.lru_cache(maxsize=2)
def _wiring(embedder: str, size: int, root: str | None = None):
    """(make_spec, render, embed) for the parts library in ``root`` (default: the packaged one) and ``embedder``;
    cached, so a worker process loads the embedder once for all its chunks."""
    from index.random_spec import spec_sampler
    from parts_library import load_library, render

    from ..embed import create_embedder

    lib = load_library(root)
    return (spec_sampler(lib), lambda spec: render(spec, size=size, fmt="png", library=lib),
            create_embedder(embedder).embed)


def _avatar_chunk(job: tuple[int, int, str, int, int, str]):
    """Worker: render and embed avatars ``start..stop-1``."""
    from index.avatars import render_and_embed

    from ..search import IDENTITY_BACKGROUND

    start, stop, embedder, size, seed, root = job
    return render_and_embed(range(start, stop), *_wiring(embedder, size, root), seed=seed,
                            background=IDENTITY_BACKGROUND)


def build_avatar_index(n: int, *, library=None, embedder: str = "dlib-resnet128", size: int = 256, seed: int = 0,
                       progress: bool = True, workers: int = 1, chunk: int = 100):
    """The avatar index wired with the real renderer and embedder: ``n`` random specs rendered at ``size`` px over
    the search's identity background and embedded from the renderer's own landmarks. ``workers`` > 1 splits the
    avatars over that many processes (``chunk`` avatars at a time, in order); the index is the same as with one."""
    import numpy as np

    from index import AvatarIndex
    from parts_library import load_library

    from ..search import IDENTITY_BACKGROUND

    lib = load_library() if library is None else library
    meta = {"embedder": embedder, "manifest_hash": lib.manifest_hash, "size": size}
    root = str(lib.root)
    if workers <= 1:
        return AvatarIndex.build(n, *_wiring(embedder, size, root), seed=seed, progress=progress,
                                 background=IDENTITY_BACKGROUND, meta=meta)
    import multiprocessing

    from tqdm.auto import tqdm

    jobs = [(a, min(a + chunk, n), embedder, size, seed, root) for a in range(0, n, chunk)]
    specs, vecs = [], []
    with multiprocessing.get_context("spawn").Pool(workers) as pool, \
            tqdm(total=n, desc="avatar index", unit="avatar", disable=not progress) as bar:
        for chunk_specs, chunk_vecs in pool.imap(_avatar_chunk, jobs):
            specs += chunk_specs
            vecs.append(chunk_vecs)
            bar.update(len(chunk_specs))
    return AvatarIndex.from_arrays(specs, np.concatenate(vecs), meta={**meta, "n": n, "seed": seed})


def fit_identity_model(avatars, library=None):
    """The identity model (index.identity) fitted on an avatar index's specs and embeddings."""
    from index import IdentityModel
    from parts_library import load_library

    lib = load_library() if library is None else library
    x = avatars.index.vectors()  # in id order: row i is the embedding of avatars.specs[i]
    meta = {k: avatars.meta.get(k) for k in ("embedder", "manifest_hash", "size", "seed")}
    return IdentityModel.fit(avatars.specs, x, list(lib.categories), meta=meta)


@index_group.command("build")
@click.option("--avatars", "n_avatars", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also render and embed this many random avatars into the avatar index.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the index files (default: parts_library/assets/index beside the manifest).")
@click.option("--embedder", default="dlib-resnet128", show_default=True, help="Identity embedder of the avatar index.")
@click.option("--size", type=click.IntRange(64, 1024), default=256, show_default=True, help="Avatar render size (px).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random avatars.")
@click.option("--identity-out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the avatar index and the identity model fitted on it (default: --out).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes that render and embed the avatars (the index is the same for any number).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_command(n_avatars: int, out: Path | None, embedder: str, size: int, seed: int, identity_out: Path | None,
                  workers: int, quiet: bool) -> None:
    """Build the per-category part indices (and, with --avatars N, the avatar index and the identity model that the
    search uses to score combinations without rendering)."""
    import time

    from index import PartIndex, default_index_dir
    from parts_library import load_library

    from ..outputs import ensure_writable_dir

    lib = load_library()
    out = out if out is not None else default_index_dir()
    for folder in (out, identity_out):
        if folder is not None:
            ensure_writable_dir(folder)  # before minutes of rendering
    t = time.perf_counter()
    parts = PartIndex.build(lib)
    parts.save(out)
    counts = ", ".join(f"{c} {parts.count(c)}" for c in parts.categories)
    click.echo(f"part index: {len(parts)} parts in {len(parts.categories)} categories ({counts}) "
               f"in {time.perf_counter() - t:.2f} s -> {out}")
    if n_avatars:
        t = time.perf_counter()
        avatars = build_avatar_index(n_avatars, library=lib, embedder=embedder, size=size, seed=seed,
                                     progress=not quiet, workers=workers)
        identity_out = identity_out if identity_out is not None else out
        avatars.save(identity_out)
        click.echo(f"avatar index: {len(avatars)} avatars ({embedder}, {avatars.dim}-D) "
                   f"in {time.perf_counter() - t:.1f} s -> {identity_out}")
        model = fit_identity_model(avatars, lib)
        model.save(identity_out)
        q = model.meta.get("holdout", {})
        click.echo(f"identity model: {len(model.features)} features; held-out cosine {q.get('cosine')}, "
                   f"centred R² {q.get('r2_centred')} -> {identity_out}")


@index_group.command("reference")
@click.argument("photos", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for reference.json (default: the index folder).")
def reference_command(photos: tuple[Path, ...], out: Path | None) -> None:
    """Mean identity embedding of every face in PHOTOS (files or folders): the reference population that the
    search measures a person's identity against. Use many different people, none of them whom you evaluate on."""
    from index import default_index_dir
    from index.identity import save_reference

    from ..analysis import analyze
    from ..errors import MemojiError
    from ..evaluation import IMAGE_EXTS

    files = sorted({f for p in photos for f in ([p] if p.is_file() else p.rglob("*"))
                    if f.is_file() and f.suffix.lower() in IMAGE_EXTS})
    embs, used = [], []
    for f in files:
        try:
            faces = analyze(f)
        except MemojiError as err:
            click.echo(f"skipped {f.name}: {err}", err=True)
            continue
        good = [fc for fc in faces if "small_face" not in fc.flags and fc.embedding is not None]
        embs += [fc.embedding for fc in good]
        used.append(f"{f.name} ({len(good)})")
    if len(embs) < 2:
        raise click.ClickException(f"found {len(embs)} usable face(s) in {len(files)} file(s); need at least 2")
    import numpy as np

    path = save_reference(out if out is not None else default_index_dir(), np.stack(embs), embedder="dlib-resnet128",
                          meta={"photos": used})
    click.echo(f"reference: mean of {len(embs)} faces from {len(used)} photos -> {path}")


@index_group.command("info")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def info_command(directory: Path | None) -> None:
    """Show what the saved indices in DIRECTORY hold and whether they match the parts manifest."""
    from index import AvatarIndex, PartIndex, default_index_dir
    from parts_library import load_library

    directory = directory if directory is not None else default_index_dir()
    lib = load_library()
    try:
        parts = PartIndex.load(directory)
    except FileNotFoundError:
        click.echo(f"no part index in {directory} (memoji index build)")
    except (ValueError, KeyError) as err:
        click.echo(f"part index in {directory} is unreadable ({err}): memoji index build")
    else:
        state = "fresh" if parts.is_fresh(lib) else "STALE (memoji index build)"
        click.echo(f"part index: {len(parts)} parts, {len(parts.categories)} categories, manifest "
                   f"{parts.manifest_hash[:12]}: {state}")
    try:
        avatars = AvatarIndex.load(directory)
    except FileNotFoundError:
        click.echo("no avatar index (memoji index build --avatars N)")
    except (ValueError, KeyError) as err:
        click.echo(f"avatar index in {directory} is unreadable ({err}): memoji index build --avatars N")
    else:
        fresh = avatars.meta.get("manifest_hash") == lib.manifest_hash
        click.echo(f"avatar index: {len(avatars)} avatars, {avatars.meta.get('embedder')} {avatars.dim}-D: "
                   f"{'fresh' if fresh else 'STALE (memoji index build --avatars N)'}")
    from index import IdentityModel

    try:
        model = IdentityModel.open(lib.manifest_hash, "dlib-resnet128")
    except (FileNotFoundError, ValueError) as err:
        click.echo(f"identity model: none usable ({str(err).splitlines()[0]}): memoji index build --avatars N")
    else:
        q = model.meta.get("holdout", {})
        ref = "with" if model.reference is not None else "WITHOUT"
        click.echo(f"identity model: {len(model.features)} features from {model.meta.get('n')} avatars, held-out "
                   f"cosine {q.get('cosine')}, centred R² {q.get('r2_centred')}, {ref} a reference mean: fresh")
