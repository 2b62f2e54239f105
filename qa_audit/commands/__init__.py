"""Typer command modules; see qa_audit/cli.py."""
