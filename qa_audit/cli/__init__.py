"""The ``qa-audit`` command line.

Each command lives in ``qa_audit/cli/<name>.py`` as a thin Typer wrapper over an importable
function of the stage it drives (spaCy-CLI style).  Command modules import heavy libraries (torch,
whisper, spaCy, pandas) inside the command body, so ``qa-audit --help`` stays fast.
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="qa-audit",
    help="Compliance audit of recorded Chinese debt-collection calls (催收通话质检).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def version() -> str:
    """The installed distribution's version (importlib.metadata), else ``qa_audit.__version__``."""
    from importlib import metadata

    try:
        return metadata.version("qa-audit")
    except metadata.PackageNotFoundError:  # run from a clone that is not installed
        from qa_audit import __version__

        return __version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"qa-audit {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                  help="Print the version and exit."),
) -> None:
    """Compliance audit of recorded Chinese debt-collection calls (催收通话质检)."""


# command modules, each with ``register(app)``; order = order in --help
_COMMANDS = ["init", "transcribe", "scan", "rules", "eval", "score", "run", "serve", "users", "excerpts",
             "verify", "db", "retention", "check", "train", "sample"]

for _name in _COMMANDS:
    importlib.import_module(f"qa_audit.cli.{_name}").register(app)


def main() -> None:  # pragma: no cover
    app(prog_name="qa-audit")


if __name__ == "__main__":  # pragma: no cover
    main()
