"""``memoji stylize IMAGE_OR_RECIPE --config stylize.toml -o out.png``."""
from __future__ import annotations

import io
from pathlib import Path

import click

from . import main


class _SvgRender:
    """An avatar-like object for a recipe rendered to SVG (the stylizer rasterises it at the target size)."""

    image = None

    def __init__(self, svg: str):
        self.svg = svg


def render_recipe_svg(path: Path, size: int) -> _SvgRender:
    """Render a recipe JSON to SVG through ``parts_library.render`` (read and checked as ``memoji render`` does)."""
    from parts_library import render

    from ..recipe import read_recipe_file

    recipe = read_recipe_file(path)
    rendered = render(recipe, size=size, fmt="svg")
    svg = getattr(rendered, "data", rendered)
    if isinstance(svg, bytes):
        svg = svg.decode("utf-8")
    return _SvgRender(svg)


@main.command("stylize")
@click.argument("source", metavar="IMAGE_OR_RECIPE", type=click.Path(dir_okay=False, readable=False, path_type=Path))
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, readable=False, path_type=Path),
              help="stylize.toml / .json with model paths and settings.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output PNG (default: <input>_stylized.png).")
@click.option("--base", help="SDXL base: diffusers folder or .safetensors (overrides the config).")
@click.option("--controlnet", help="ControlNet canny: folder or .safetensors.")
@click.option("--refiner", help="SDXL refiner: folder or .safetensors.")
@click.option("--lora", "loras", multiple=True, help="LoRA .safetensors (repeatable); PATH or PATH:SCALE.")
@click.option("--preset", type=click.Choice(["fast", "quality", "lightning"]), default=None, help="Speed preset.")
@click.option("--mode", type=click.Choice(["img2img", "txt2img"]), default=None,
              help="img2img: the render is the init image; txt2img: ControlNet only.")
@click.option("--steps", type=int, default=None)
@click.option("--strength", type=float, default=None)
@click.option("--seed", type=int, default=None)
@click.option("--size", type=int, default=None)
@click.option("--style", default=None, help="Prompt preset: memoji, clay, toon, plush.")
@click.option("--prompt-extra", default=None, help="Put in front of the prompt, e.g. 'red hair, glasses'.")
@click.option("--device", default=None, help="auto, cuda, cuda:1, cpu.")
@click.option("--dtype", default=None, help="auto, float16, bfloat16, float32.")
@click.option("--offload", type=click.Choice(["none", "model", "sequential"]), default=None,
              help="CPU offload for small GPUs.")
@click.option("--compile/--no-compile", "compile_", default=None, help="torch.compile the UNet and ControlNet.")
@click.option("--control-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the control image (canny edges) here.")
def stylize_command(source: Path, config_path: Path | None, output: Path | None, loras: tuple[str, ...],
                    compile_: bool | None, control_out: Path | None, **options) -> None:
    """Stylize a rendered avatar (PNG) or a recipe (.json) with SDXL + ControlNet + refiner."""
    from ..stylization import Stylizer, StylizeConfig

    overrides = {k: v for k, v in options.items() if v is not None}
    if compile_ is not None:
        overrides["compile"] = compile_
    if loras:
        specs = []
        for item in loras:
            path, _, scale = item.rpartition(":") if _has_scale(item) else (item, "", "")
            specs.append({"path": path, "scale": float(scale)} if scale else {"path": item})
        overrides["loras"] = specs
    config = StylizeConfig.load(config_path, **overrides)
    from parts_library.renderer import output_format

    from ..outputs import check_output_file

    for target in (output, control_out):
        if target is not None:
            output_format(target)
            check_output_file(target)
    if source.suffix.lower() == ".json":
        item = render_recipe_svg(source, config.size)
    else:
        item = source
        if not source.is_file():
            from ..errors import ImageReadError

            raise ImageReadError(f"cannot read image {source}: file does not exist")
    stylizer = Stylizer(config)
    if control_out is not None:
        control_out.parent.mkdir(parents=True, exist_ok=True)
        _save_image(stylizer.control_for(item), control_out)
        click.echo(f"wrote {control_out}")
    picture = stylizer(item)
    output = output or source.with_name(f"{source.stem}_stylized.png")
    output.parent.mkdir(parents=True, exist_ok=True)
    _save_image(picture, output)
    click.echo(f"wrote {output} ({picture.width}x{picture.height}, {config.num_steps} steps, "
               f"{stylizer.device.type}, {str(stylizer.dtype).removeprefix('torch.')})")


def _has_scale(item: str) -> bool:
    head, sep, tail = item.rpartition(":")
    if not sep or not head:
        return False
    try:
        float(tail)
    except ValueError:
        return False
    return True


def _save_image(image, path: Path) -> None:
    """A PIL image written in its suffix's format, atomically, with the umask's mode."""
    from index.vector import atomic_write
    from parts_library.renderer import encode_image, output_format

    fmt = output_format(path)
    if fmt == "png":  # keep the picture's own mode (a stylized image is RGB)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        data = buf.getvalue()
    else:
        data = encode_image(image, fmt)
    atomic_write(path, data)
