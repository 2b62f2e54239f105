"""Coded compliance rules (sqlfluff style): see ``base.Rule`` and ``registry``."""
from .base import Rule, RuleContext, RuleError  # noqa: F401
from .registry import all_rules, get, register, select  # noqa: F401
