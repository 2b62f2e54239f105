"""Supervisor review web app: ``create_app(db)``; see ``qa_audit/web/app.py``."""
from qa_audit.web.app import create_app

__all__ = ["create_app"]
