"""``memoji analyze PHOTO``."""
from __future__ import annotations

import io
import json
from pathlib import Path

import click

from . import main

_IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def _check_image_suffix(path: Path, option: str) -> None:
    if path.suffix.lower() not in _IMAGE_SUFFIXES:
        raise click.BadParameter(f"{path}: unknown image format '{path.suffix}' (use {', '.join(_IMAGE_SUFFIXES)})",
                                 param_hint=option)


@main.command("analyze")
@click.argument("photo", type=click.Path(dir_okay=False, readable=False, path_type=Path))
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the face records (no pixels) as JSON.")
@click.option("--draw", type=click.Path(dir_okay=False, path_type=Path), help="Write the photo with boxes, landmarks and regions drawn.")
@click.option("--max-faces", type=click.IntRange(1, None), default=None,
              help="Analyse at most this many faces (largest first).")
def analyze_command(photo: Path, json_out: Path | None, draw: Path | None, max_faces: int | None) -> None:
    """Detect, landmark, embed and measure the faces in PHOTO."""
    from ..analysis import analyze
    from ..classification import classify
    from ..draw import draw_faces
    from index.vector import atomic_write

    from ..io import load_image
    from ..outputs import check_output_file

    if draw is not None:
        _check_image_suffix(draw, "--draw")
    for target in (json_out, draw):
        if target is not None:
            check_output_file(target)
    faces = analyze(photo, max_faces=max_faces)
    for face in faces:
        if face.measurements is not None:
            classify(face)
    click.echo(f"{len(faces)} face{'s' if len(faces) != 1 else ''} in {photo}")
    for face in faces:
        x0, y0, x1, y1 = (int(round(v)) for v in face.box)
        flags = f"  flags: {', '.join(face.flags)}" if face.flags else ""
        click.echo(f"  face {face.index}: box ({x0}, {y0}, {x1}, {y1})  score {face.score:.3f}  "
                   f"yaw {face.yaw:+.0f}°{flags}")
        if face.attributes is not None:
            click.echo("    " + face.attributes.summary())
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(json_out, json.dumps([f.to_dict() for f in faces], indent=1).encode())
        click.echo(f"wrote {json_out}")
    if draw is not None:
        draw.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        draw_faces(load_image(photo), faces).save(buf, format=_IMAGE_SUFFIXES[draw.suffix.lower()])
        atomic_write(draw, buf.getvalue())
        click.echo(f"wrote {draw}")
