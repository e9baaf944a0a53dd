"""``memoji make PHOTO... -o OUTDIR`` and ``memoji batch INPUT.csv -o OUTDIR|URI``."""
from __future__ import annotations

from pathlib import Path

import click

from parts_library.outfits import DEFAULT_OUTFIT, OUTFITS

from . import main


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE (e.g. hair=bun_02, hair_color=pink, glasses=none)",
                                     param_hint="--override")
        out[key.strip()] = None if value.strip().lower() in ("", "none") else value.strip()
    return out


@main.command("make")
@click.argument("photos", nargs=-1, required=True, type=click.Path(dir_okay=False, readable=False, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for avatar.png, avatar.svg and avatar.recipe.json.")
@click.option("--size", type=click.IntRange(16, 4096), default=512, show_default=True, help="PNG size in pixels.")
@click.option("--override", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Replace a part or colour, keep the rest: hair=bun_02, hair_color=pink, glasses=none.")
@click.option("--method", type=click.Choice(["search", "attributes", "greedy", "random"]), default="search",
              show_default=True, help="How parts are chosen (the others are evaluation baselines).")
@click.option("--face-index", type=click.IntRange(0, None), default=0, show_default=True,
              help="Which face in each photo (0 = largest).")
@click.option("--classifier", default="measured", show_default=True,
              help="Attribute backend: measured, resnext50-celeba, combined.")
@click.option("--classifier-weights", type=click.Path(path_type=Path), default=None,
              help="Run folder of a trained classifier (resnext50-celeba / combined), or a skin-band head .npz "
                   "(measured).")
@click.option("--stylize", "stylize_config", default=None,
              type=click.Path(dir_okay=False, readable=False, path_type=Path),
              help="Stylize with SDXL using this TOML/JSON config (GPU).")
@click.option("--name", default=None, help="File stem (default: the first photo's name).")
@click.option("--format", "image_format", type=click.Choice(["png", "webp"], case_sensitive=False), default="png",
              show_default=True, help="The avatar's (and group picture's) image file; the SVG is always written.")
@click.option("--all-faces", is_flag=True,
              help="One avatar per face of a group PHOTO (<name>_face<N>.*) and <name>_group.png placing them "
                   "where the faces were.")
@click.option("--min-face-px", type=click.FloatRange(1, 10000), default=None, metavar="PX",
              help="With --all-faces: faces narrower than this are reported, not drawn  [default: 60].")
@click.option("--exaggerate", type=click.FloatRange(0, 1), default=0.0, show_default=True, metavar="0..1",
              help="A caricature: push the face's deviations from the average face further out (1 = strongest).")
@click.option("--outfit", default=None, metavar="NAME",
              help=f"What the avatar wears (chosen, never read from the photo): {', '.join(OUTFITS)} (default "
                   f"{DEFAULT_OUTFIT}); coloured by clothes_color.")
@click.option("--background", default=None, metavar="none|COLOR|COLOR1,COLOR2",
              help="none (transparent, the default), a colour (#rgb, #rrggbb or a clothes palette name) or two "
                   "colours for a top-to-bottom gradient.")
@click.pass_context
def make_command(ctx, photos, out_dir, size, overrides, method, face_index, classifier, classifier_weights,
                 stylize_config, name, image_format, all_faces, min_face_px, exaggerate, outfit, background) -> None:
    """Make an avatar from one or more PHOTOS of one person (or, with --all-faces, of everyone in a group
    PHOTO)."""
    from ..avatar import check_request, make
    from ..outputs import check_stem, ensure_writable_dir

    parsed = parse_overrides(overrides)
    if outfit is not None:
        parsed["outfit"] = outfit
    if background is not None:
        parsed["background"] = background
    stem = check_stem(name) if name is not None else _photo_stem(photos[0])
    image_format = image_format.lower()
    if all_faces:
        _make_all_faces(ctx, photos, out_dir, size, parsed, method, face_index, classifier, classifier_weights,
                        stylize_config, stem, image_format, min_face_px, exaggerate)
        return
    if min_face_px is not None:
        raise click.UsageError("--min-face-px goes with --all-faces")
    check_request(method=method, size=size, face_index=face_index, photos=list(photos), overrides=parsed,
                  exaggerate=exaggerate)
    ensure_writable_dir(out_dir)
    avatar = make(list(photos), size=size, method=method, face_index=face_index, classifier=classifier,
                  classifier_weights=str(classifier_weights) if classifier_weights else None,
                  stylize=str(stylize_config) if stylize_config else None, exaggerate=exaggerate, **parsed)
    paths = avatar.save(out_dir, stem=stem, image_format=image_format)
    for face, photo in zip(avatar.faces, photos):
        if face.faces_found > 1:
            click.echo(f"{photo}: used face {face.index + 1} of {face.faces_found} found "
                       f"({'the largest' if face.index == 0 else f'--face-index {face.index}'}; "
                       "--face-index picks another)")
    a = avatar.face.attributes if avatar.face else None
    if a is not None:
        click.echo(a.summary())
    parts = ", ".join(f"{k}={v}" for k, v in avatar.recipe.parts.items() if v)
    click.echo(f"parts: {parts}")
    click.echo(f"made in {avatar.timings.get('total', 0):.2f} s")
    for kind, path in paths.items():
        click.echo(f"wrote {path}")


def _make_all_faces(ctx, photos, out_dir, size, parsed, method, face_index, classifier, classifier_weights,
                    stylize_config, stem, image_format, min_face_px, exaggerate) -> None:
    from ..group import MIN_FACE_PX, make_all
    from ..avatar import check_request
    from ..outputs import ensure_writable_dir

    if len(photos) != 1:
        raise click.UsageError("--all-faces takes one group photo")
    src = ctx.get_parameter_source("face_index")
    if src is not None and src.name != "DEFAULT":
        raise click.UsageError("--all-faces draws every face: leave out --face-index")
    check_request(method=method, size=size, photos=list(photos), overrides=parsed, exaggerate=exaggerate)
    ensure_writable_dir(out_dir)
    group = make_all(photos[0], min_face_px=MIN_FACE_PX if min_face_px is None else min_face_px, size=size,
                     method=method, classifier=classifier,
                     classifier_weights=str(classifier_weights) if classifier_weights else None,
                     stylize=str(stylize_config) if stylize_config else None, exaggerate=exaggerate, **parsed)
    paths = group.save(out_dir, stem=stem, image_format=image_format)
    click.echo(f"{photos[0]}: {group.summary()}")
    for avatar in group:
        parts = ", ".join(f"{k}={v}" for k, v in avatar.recipe.parts.items() if v)
        click.echo(f"face {avatar.face.index + 1}: {parts}")
    for path in paths.values():
        click.echo(f"wrote {out_dir / path.name}")


def _photo_stem(photo: Path) -> str:
    """The default file stem: the photo's name made safe (a photo called ``..jpg`` still gives a usable name)."""
    from ..outputs import safe_name

    return safe_name(photo.stem) or "avatar"


class OutTarget(click.ParamType):
    """A folder (checked as ``click.Path(file_okay=False)``) or, kept as text, a URI with a scheme (``s3://…``)."""

    name = "OUTDIR|URI"

    def convert(self, value, param, ctx):
        from ..sink import is_uri

        if is_uri(value):
            return value  # a Path would fold its '//'; the sink opens it
        return click.Path(file_okay=False, path_type=Path).convert(value, param, ctx)


@main.command("batch")
@click.argument("csv_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=OutTarget(), required=True,
              help="Output folder, or a URI pyarrow writes (s3://bucket/prefix, gs://…, file:///…; the distributed "
                   "extra): one sub-folder per row id, and results.csv.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--resume", is_flag=True,
              help="Keep the rows already done in OUTDIR (after an interruption); rows that failed are tried again.")
@click.option("--size", type=click.IntRange(16, 4096), default=512, show_default=True)
@click.option("--stylize", "stylize_config", default=None,
              type=click.Path(dir_okay=False, readable=False, path_type=Path),
              help="Stylize every avatar with this config (GPU).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool here; ray: Ray Data actors (the distributed extra).")
@click.option("--address", default=None, metavar="auto|ray://HOST:PORT",
              help="The Ray cluster to run on (default: start a local Ray with --workers actors).")
@click.option("--results-format", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="parquet also writes results.parquet (results.csv is always written).")
@click.pass_context
def batch_command(ctx, csv_path, out_dir, workers, resume, size, stylize_config, engine, address,
                  results_format) -> None:
    """Make avatars for every row of INPUT: a CSV (columns: id, photo[, photo2…][, override columns]), a Parquet
    file with the same columns, or a folder of photos (one avatar each, named after the file).

    Exit code 0 when every row succeeded, 7 when the batch finished but some rows failed (see results.csv)."""
    from ..batch import run_batch
    from . import EXIT_ROWS_FAILED

    if address and engine != "ray":
        raise click.UsageError("--address needs --engine ray")
    summary = run_batch(csv_path, out_dir, workers=workers, resume=resume, size=size,
                        stylize=str(stylize_config) if stylize_config else None, engine=engine, address=address,
                        results_format=results_format)
    click.echo(summary["line"])
    if summary["error"]:
        ctx.exit(EXIT_ROWS_FAILED)
