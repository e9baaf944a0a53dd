"""``memoji eval DIR [-o OUTDIR] [--methods search,attributes,greedy,random]``."""
from __future__ import annotations

from pathlib import Path

import click

from . import main


@main.command("eval")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/eval"),
              show_default=True, help="Folder for eval.md, eval.json, contact_sheet.png and the avatars.")
@click.option("--methods", default="search,attributes,greedy,random", show_default=True,
              help="Comma-separated methods: the full method and the baselines.")
@click.option("--exclude", default="hard", show_default=True,
              help="Comma-separated person folders to skip (folders starting with '_' are always skipped).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-detect", is_flag=True, help="Skip running the judge's MTCNN on the avatars.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def eval_command(directory: Path, out: Path, methods: str, exclude: str, seed: int, no_detect: bool,
                 quiet: bool) -> None:
    """Evaluate the avatars made from DIRECTORY/<person>/<photos> with an independent judging embedder:
    identity retrieval, attribute agreement and timings, per method."""
    from ..errors import UnknownNameError, did_you_mean
    from ..evaluate import METHODS, evaluate
    from ..outputs import ensure_writable_dir

    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    for m in chosen:
        if m not in METHODS:
            raise UnknownNameError(f"unknown method '{m}'{did_you_mean(m, METHODS)} (methods: {', '.join(METHODS)})")
    if not chosen:
        raise click.UsageError("--methods is empty")
    ensure_writable_dir(out)  # before minutes of evaluation
    report = evaluate(directory, chosen, seed=seed, detect=not no_detect, progress=not quiet,
                      exclude=[e.strip() for e in exclude.split(",") if e.strip()], avatar_dir=out / "avatars")
    paths = report.save(out)
    click.echo(report.to_markdown())
    click.echo(f"wrote {', '.join(str(p) for p in paths.values())} ({report.total_s:.0f} s)")
