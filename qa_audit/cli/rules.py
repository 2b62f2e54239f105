"""``qa-audit rules list`` / ``qa-audit rules show CODE``: the rule registry as documentation."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    rules_app = typer.Typer(help="List and document the detection rules.", no_args_is_help=True)

    @rules_app.command("list")
    def list_rules(
        select: str = typer.Option("", "--select", help="Comma-separated codes/globs/categories."),
        ignore: str = typer.Option("", "--ignore", help="Comma-separated codes/globs to hide."),
    ) -> None:
        """One line per rule: code, category, severity, scope, summary."""
        from qa_audit.detect.rules import registry

        rules = registry.select([s for s in select.split(",") if s], [s for s in ignore.split(",") if s])
        for r in rules:
            typer.echo(f"{r.code:<14}{r.category:<24}{r.severity:<10}{r.scope:<9}{r.summary()}")

    @rules_app.command("show")
    def show(code: str = typer.Argument(..., help="Rule code, e.g. THREAT-001.")) -> None:
        """Full documentation of one rule: basis, severity, examples."""
        from qa_audit.detect.rules import registry

        try:
            r = registry.get(code)
        except KeyError as e:
            typer.echo(f"error: {e.args[0]}", err=True)
            raise typer.Exit(2)
        typer.echo(f"{r.code}  {r.name}")
        typer.echo(f"category: {r.category}    severity: {r.severity}    scope: {r.scope}")
        typer.echo(f"basis:    {r.basis}")
        typer.echo(f"message:  {r.message}")
        typer.echo("")
        typer.echo(r.doc())

    app.add_typer(rules_app, name="rules")
