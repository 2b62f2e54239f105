"""Coded compliance rules (sqlfluff style): see ``base.Rule`` and ``registry``."""
from qa_audit.detect.rules.base import Rule, RuleContext, RuleError  # noqa: F401
from qa_audit.detect.rules.registry import all_rules, get, register, select  # noqa: F401
