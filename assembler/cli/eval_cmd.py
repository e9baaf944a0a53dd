"""``memoji eval DIR [-o OUTDIR] [--methods search,attributes,greedy,random]`` (identity retrieval) and
``memoji eval --labels labels.csv [DIR] [--relight] [--degrade] [--lineup] [--methods search,greedy] [-o OUTDIR]``
(glance attributes)."""
from __future__ import annotations

from pathlib import Path

import click

from . import main

IDENTITY_METHODS = "search,attributes,greedy,random"
LABEL_METHODS = "search,attributes,random"  # greedy renders hundreds of avatars per photo (~30 s): ask for it


@main.command("eval")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder [default: out/eval; with --labels out/eval_labels].")
@click.option("--methods", default=None,
              help=f"Comma-separated methods: the full method and the baselines [default: {IDENTITY_METHODS}; "
                   f"with --labels {LABEL_METHODS}].")
@click.option("--labels", "labels", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="labels.csv: score measured attributes and recipes against what a person sees; photos are read "
                   "from DIRECTORY (default: the labels file's folder).")
@click.option("--relight", is_flag=True,
              help="With --labels: also score the public-domain photos under 8 relightings (warm, stage, cool, dim, "
                   "bright, green, magenta, haze).")
@click.option("--relight-folders", default="barack_obama,joe_biden", show_default=True,
              help="With --relight: the photo folders that are relit.")
@click.option("--degrade", is_flag=True,
              help="With --labels: also score every photo re-encoded as JPEG (quality 75, 50, 30) and shrunk to a "
                   "half and a third, with the first method.")
@click.option("--lineup", is_flag=True,
              help="With --labels: the judge also picks each photo's avatar among it and 3 avatars of other people "
                   "with the same skin band (a machine-judged lineup, per method).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With --labels: photos analysed in this many processes.")
@click.option("--resume", is_flag=True,
              help="With --labels: reuse the results an interrupted run left in OUT/eval_labels.progress.jsonl "
                   "(same photos, methods and seed; only on the same code).")
@click.option("--exclude", default="hard", show_default=True,
              help="Comma-separated person folders to skip (folders starting with '_' are always skipped).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-detect", is_flag=True, help="Skip running the judge's MTCNN on the avatars.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def eval_command(directory: Path | None, out: Path | None, methods: str | None, labels: Path | None, relight: bool,
                 relight_folders: str, degrade: bool, lineup: bool, workers: int, resume: bool, exclude: str,
                 seed: int, no_detect: bool, quiet: bool) -> None:
    """Evaluate the avatars made from DIRECTORY/<person>/<photos> with an independent judging embedder:
    identity retrieval, attribute agreement and timings, per method.

    With --labels FILE: agreement of the measured attributes and of each method's recipe with the labels (skin
    band, hair colour, length, texture, facial hair, glasses, headwear, expression), per group, with confusion
    tables (--lineup: and the machine-judged lineup); writes eval_labels.md and eval_labels.csv (and, photo by
    photo, eval_labels.progress.jsonl, which --resume reuses after an interruption)."""
    from ..errors import UnknownNameError, did_you_mean
    from ..search import METHODS
    from ..outputs import ensure_writable_dir

    chosen = [m.strip() for m in (methods or (LABEL_METHODS if labels else IDENTITY_METHODS)).split(",")
              if m.strip()]
    for m in chosen:
        if m not in METHODS:
            raise UnknownNameError(f"unknown method '{m}'{did_you_mean(m, METHODS)} (methods: {', '.join(METHODS)})")
    if not chosen:
        raise click.UsageError("--methods is empty")
    if labels is None:
        if directory is None:
            raise click.UsageError("give a DIRECTORY of <person>/<photos>, or --labels labels.csv")
        if relight or degrade or lineup or workers != 1 or resume:
            raise click.UsageError("--relight, --degrade, --lineup, --workers and --resume go with --labels")
        _identity_eval(directory, out or Path("out/eval"), chosen, exclude, seed, no_detect, quiet)
        return
    from ..evaluation import evaluate_labels, read_labels
    from ..outputs import inside

    lf = read_labels(labels, directory)  # a bad labels file fails here, before any model loads
    if directory is not None and not directory.is_dir():
        raise click.UsageError(f"photos folder {directory} is not a folder")
    out = out or Path("out/eval_labels")
    ensure_writable_dir(out)  # before minutes of evaluation
    report = evaluate_labels(lf, chosen, relight=relight, degrade=degrade, lineup=lineup, seed=seed, workers=workers,
                             progress=not quiet,
                             relight_folders=[f.strip() for f in relight_folders.split(",") if f.strip()],
                             progress_file=inside(out, "eval_labels.progress.jsonl"), resume=resume)
    paths = report.save(out)
    click.echo(report.to_markdown())
    click.echo(f"wrote {', '.join(str(p) for p in paths.values())} ({report.total_s:.0f} s)")


def _identity_eval(directory: Path, out: Path, chosen: list[str], exclude: str, seed: int, no_detect: bool,
                   quiet: bool) -> None:
    from ..evaluation import evaluate
    from ..outputs import ensure_writable_dir

    ensure_writable_dir(out)  # before minutes of evaluation
    report = evaluate(directory, chosen, seed=seed, detect=not no_detect, progress=not quiet,
                      exclude=[e.strip() for e in exclude.split(",") if e.strip()], avatar_dir=out / "avatars")
    paths = report.save(out)
    click.echo(report.to_markdown())
    click.echo(f"wrote {', '.join(str(p) for p in paths.values())} ({report.total_s:.0f} s)")
