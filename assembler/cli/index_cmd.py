"""``memoji index build [--avatars N] [--out DIR]`` and ``memoji index info [DIR]``."""
from __future__ import annotations

from pathlib import Path

import click

from . import main


@main.group("index")
def index_group() -> None:
    """Build and inspect the FAISS indices (part descriptors, rendered avatars)."""


def build_avatar_index(n: int, *, library=None, embedder: str = "dlib-resnet128", size: int = 256, seed: int = 0,
                       progress: bool = True):
    """The avatar index wired with the real renderer and embedder: ``n`` random specs rendered at ``size`` px and
    embedded from the renderer's own landmarks."""
    from index import AvatarIndex
    from index.random_spec import spec_sampler
    from parts_library import load_library
    from parts_library import render

    from ..embed import create_embedder

    lib = load_library() if library is None else library
    emb = create_embedder(embedder)
    return AvatarIndex.build(
        n, spec_sampler(lib), lambda spec: render(spec, size=size, fmt="png", library=lib), emb.embed, seed=seed,
        progress=progress, meta={"embedder": embedder, "manifest_hash": lib.manifest_hash, "size": size})


@index_group.command("build")
@click.option("--avatars", "n_avatars", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also render and embed this many random avatars into the avatar index.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the index files (default: parts_library/assets/index beside the manifest).")
@click.option("--embedder", default="dlib-resnet128", show_default=True, help="Identity embedder of the avatar index.")
@click.option("--size", type=click.IntRange(64, 1024), default=256, show_default=True, help="Avatar render size (px).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random avatars.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_command(n_avatars: int, out: Path | None, embedder: str, size: int, seed: int, quiet: bool) -> None:
    """Build the per-category part indices (and, with --avatars N, the avatar index)."""
    import time

    from index import PartIndex, default_index_dir
    from parts_library import load_library

    lib = load_library()
    out = out if out is not None else default_index_dir()
    t = time.perf_counter()
    parts = PartIndex.build(lib)
    parts.save(out)
    counts = ", ".join(f"{c} {parts.count(c)}" for c in parts.categories)
    click.echo(f"part index: {len(parts)} parts in {len(parts.categories)} categories ({counts}) "
               f"in {time.perf_counter() - t:.2f} s -> {out}")
    if n_avatars:
        t = time.perf_counter()
        avatars = build_avatar_index(n_avatars, library=lib, embedder=embedder, size=size, seed=seed,
                                     progress=not quiet)
        avatars.save(out)
        click.echo(f"avatar index: {len(avatars)} avatars ({embedder}, {avatars.dim}-D) "
                   f"in {time.perf_counter() - t:.1f} s -> {out}")


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
