"""Every table the models declare, in one ``MetaData``.

A model's table joins ``SQLModel.metadata`` only when its module is imported;
importing them all here gives Alembic (``migrations/env.py``) and the schema
drift test the whole picture, not whichever modules happened to load first.
A module left off this list shows up in the drift test as a table the
database has and the models lack.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy import MetaData
from sqlmodel import SQLModel

MODEL_MODULES = (
    "tenants.models",
    "service.accounts.models",
    "service.assessment.appeals.models",
    "service.assessment.models",
    "service.audit",
    "service.billing.models",
    "service.bureaus.models",
    "service.cities.models",
    "service.compliance.models",
    "service.grades.models",
    "service.insurance.models",
    "service.payroll.bands.models",
    "service.payroll.components.models",
    "service.payroll.leavers.models",
    "service.payroll.runs.payments.models",
    "service.payroll.runs.payslip_feedback",
    "service.payroll.runs.models",
    "service.payroll.tax.models",
    "service.portal.models",
    "service.reviewers.models",
    "service.sso.models",
    "service.workforce.bank_accounts.models",
    "service.workforce.daily_models",
    "service.workforce.imports.models",
    "service.workforce.models",
)


def model_metadata() -> MetaData:
    """``SQLModel.metadata`` with every model module imported."""
    for module in MODEL_MODULES:
        import_module(module)
    return SQLModel.metadata


_OWNED_BY_THE_MIGRATIONS = frozenset({"index", "unique_constraint", "foreign_key_constraint"})


# The job queue's own tables (migration 0022 applies the schema procrastinate ships): no model describes them.
_JOB_QUEUE_PREFIX = "procrastinate_"


def _database_may_have_more(object_: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out indexes, unique constraints and foreign keys that only the
    database has (the migrations own them), and the job queue's tables; keep everything else."""
    if type_ == "table" and reflected and compare_to is None and (name or "").startswith(_JOB_QUEUE_PREFIX):
        return False
    return not (reflected and compare_to is None and type_ in _OWNED_BY_THE_MIGRATIONS)


# How the models are compared with the database (the drift test's docstring says why).
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True, "include_object": _database_may_have_more}
