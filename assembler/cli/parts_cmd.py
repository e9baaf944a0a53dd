"""``memoji parts list [CATEGORY]``, ``memoji parts gallery -o gallery.png``,
``memoji render RECIPE.json -o out.png``."""
from __future__ import annotations

from pathlib import Path

import click

from parts_library.outfits import OUTFITS

from . import main


@main.group("parts")
def parts_group() -> None:
    """Browse the parts library (faces, eyes, hair, glasses …)."""


@parts_group.command("list")
@click.argument("category", required=False)
@click.option("--tag", "tags", multiple=True, help="Only parts with this tag (repeatable: all must match).")
def parts_list(category: str | None, tags: tuple[str, ...]) -> None:
    """List the parts of CATEGORY (or the categories and their counts)."""
    from parts_library import load_library

    lib = load_library()
    if category is None:
        for cat in lib.categories:
            click.echo(f"{cat:12s} {len(lib.parts(cat)):3d}")
        click.echo(f"{len(lib)} parts; `memoji parts list CATEGORY` lists one category")
        return
    parts = [p for p in lib.parts(category) if all(t in p.tags for t in tags)]
    for p in parts:
        click.echo(f"{p.id:24s} {p.name:28s} {', '.join(p.tags)}")
    click.echo(f"{len(parts)} {category.replace('_', ' ')} parts" + (f" tagged {', '.join(tags)}" if tags else ""))


@parts_group.command("gallery")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("gallery.png"),
              show_default=True, help="Where to write the contact sheet (PNG).")
@click.option("--cell", type=click.IntRange(48, 512), default=150, show_default=True, help="Cell size in pixels.")
def parts_gallery(output: Path, cell: int) -> None:
    """Write a contact sheet of every part on a neutral head and every palette swatch."""
    from parts_library import gallery
    from parts_library.renderer import output_format

    from ..outputs import check_output_file

    if output_format(output) == "svg":  # checked before seconds of rendering
        raise click.BadParameter(f"{output}: the gallery is a picture: use .png, .webp or .jpg", param_hint="-o")
    check_output_file(output)
    click.echo(f"wrote {gallery(output, cell=cell)}")


@main.command("render")
@click.argument("recipe", type=click.Path(dir_okay=False, readable=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file; the suffix picks the format: .png, .svg, .webp, .jpg.")
@click.option("--size", type=click.IntRange(16, 4096), default=512, show_default=True, help="Output size in pixels.")
@click.option("--outfit", default=None, metavar="NAME",
              help=f"Outfit instead of the recipe's: {', '.join(OUTFITS)}.")
@click.option("--background", default=None, metavar="none|COLOR|COLOR1,COLOR2",
              help="Background instead of the recipe's: none (transparent), a colour (#rgb, #rrggbb or a clothes "
                   "palette name) or two colours for a top-to-bottom gradient; default the recipe's (transparent).")
def render_command(recipe: Path, output: Path, size: int, outfit: str | None, background: str | None) -> None:
    """Render RECIPE.json (parts, colours, params, outfit, background) to an image."""
    from parts_library import render
    from parts_library.renderer import output_format, resolve_background, resolve_outfit

    from ..outputs import check_output_file
    from ..recipe import check_recipe_dict, migrate, read_recipe_file

    fmt = output_format(output)  # an unknown suffix is refused before any work
    if background is not None:
        resolve_background(background)  # checked before any work; passed on as given
    if outfit is not None:
        resolve_outfit(outfit)
    check_output_file(output)
    spec = read_recipe_file(recipe)
    if "schema_version" in spec:  # a saved recipe is checked as one; a bare render spec {"parts": …} is drawn as is
        check_recipe_dict(spec, str(recipe))
        spec = migrate(spec)
    if outfit is not None:
        spec = dict(spec, outfit=outfit)
    result = render(spec, size=size, fmt="svg" if fmt == "svg" else "png", background=background)
    output.parent.mkdir(parents=True, exist_ok=True)
    result.save(output)
    click.echo(f"wrote {output} ({size}x{size} {fmt})")
