"""``memoji stickers PHOTO|RECIPE.json -o OUTDIR``: a sticker pack (12 expressions) and its contact sheet."""
from __future__ import annotations

from pathlib import Path

import click

from . import main


def _is_recipe(path: Path) -> bool:
    return path.name.lower().endswith(".json")


def _default_stem(path: Path) -> str:
    from ..outputs import safe_name

    name = path.name
    for suffix in (".recipe.json", ".json"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    else:
        name = path.stem
    return safe_name(name) or "sticker"


def read_recipe_input(path: Path):
    """A saved recipe (``schema_version``) or a bare render spec (``{"parts": …, "colors": …}``) → Recipe; every
    failure is one line naming the file."""
    from ..io import display_path
    from ..recipe import SCHEMA_VERSION, Recipe, read_recipe_file

    data = read_recipe_file(path)
    if "schema_version" not in data:
        data = {"schema_version": SCHEMA_VERSION, "parts": data.get("parts"), "colors": data.get("colors") or {},
                "params": data.get("params"), "outfit": data.get("outfit")}
    return Recipe.from_dict(data, source=display_path(path))


@main.command("stickers")
@click.argument("source", metavar="PHOTO|RECIPE.json", type=click.Path(dir_okay=False, readable=False,
                                                                          path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for <name>_<expression>.<format> and <name>_sheet.png.")
@click.option("--format", "fmt", type=click.Choice(["png", "webp", "svg"], case_sensitive=False), default="png",
              show_default=True, help="Sticker files: PNG or WebP (RGBA, transparent) or SVG.")
@click.option("--size", type=click.IntRange(16, 4096), default=512, show_default=True,
              help="Sticker size in pixels (messaging apps take 512).")
@click.option("--sheet/--no-sheet", default=True, show_default=True, help="Also write a labelled contact sheet.")
@click.option("-e", "--expression", "expressions", multiple=True, metavar="NAME[,NAME…]",
              help="Only these expressions (repeatable or comma-separated; default: all 12).")
@click.option("--name", default=None, help="File name stem (default: the photo's or recipe's name).")
def stickers_command(source: Path, out_dir: Path, fmt: str, size: int, sheet: bool, expressions: tuple[str, ...],
                     name: str | None) -> None:
    """Make a sticker pack from a PHOTO (analysed first) or a saved RECIPE.json (no analysis): neutral, smile,
    laugh, wink, surprised, sad, angry, love, thinking, sleepy, cool, tongue-out — the person's face, hair and
    colours in each."""
    from ..outputs import check_stem, ensure_writable_dir
    from ..sticker_pack import check_expressions, write_stickers

    names = check_expressions(",".join(expressions) if expressions else None)
    stem = check_stem(name) if name is not None else _default_stem(source)
    fmt = fmt.lower()
    if _is_recipe(source):
        recipe = read_recipe_input(source)
        ensure_writable_dir(out_dir)
    else:
        from ..avatar import check_request, make

        check_request(size=size, photos=[source])
        ensure_writable_dir(out_dir)  # before seconds of analysis
        avatar = make(source)
        recipe = avatar.recipe
        path = out_dir / f"{stem}.recipe.json"
        recipe.to_json(path)
        click.echo(f"wrote {path} (the avatar's recipe: `memoji stickers {path} -o …` makes the pack again)")
    written = write_stickers(recipe, out_dir, expressions=names, fmt=fmt, size=size, sheet=sheet, stem=stem)
    n = len(written) - ("sheet" in written)
    click.echo(f"wrote {n} stickers ({fmt}, {size}x{size}, transparent) to {out_dir}: {', '.join(names)}")
    if "sheet" in written:
        click.echo(f"wrote {out_dir / written['sheet'].name}")
