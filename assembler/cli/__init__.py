"""The ``memoji`` command line: a thin click layer over the library.

Each command group lives in its own module of this package and registers itself on :data:`main`. Library errors
(:class:`~assembler.errors.MemojiError`) become one line on stderr and a non-zero exit code, never a traceback.
"""
from __future__ import annotations

import click

from ..errors import MemojiError

__all__ = ["main"]


class MemojiGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MemojiError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)


@click.group(cls=MemojiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="memoji-assembler")
def main() -> None:
    """Turn photos of a person into a memoji-style avatar that looks like them."""


def _register() -> None:
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register()
