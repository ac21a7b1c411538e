"""The tenant's rule for paying a part month (a worker's first or last), kept in ``payroll_settings``.

By 21.75 monthly pay days unless a tenant admin chose calendar days
(``leavers.proration``); the choice applies to runs calculated from then on,
each payslip keeping the rule it was prorated by.  Choosing is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from service.audit import Actor, record
from service.payroll.proration import DEFAULT_RULE, ProrationRule
from service.payroll.runs.models import PayrollSetting
from tenants.isolation import TenantSession


def proration_rule(db: TenantSession) -> ProrationRule:
    """The tenant's rule (the default without a settings row)."""
    setting = db.get(PayrollSetting, db.tenant_id)
    return DEFAULT_RULE if setting is None else ProrationRule(setting.proration_rule)


def set_proration_rule(db: TenantSession, rule: ProrationRule, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    setting = db.get(PayrollSetting, tenant_id)
    before = None if setting is None else {"proration_rule": setting.proration_rule}
    if setting is None:
        setting = PayrollSetting(tenant_id=tenant_id)
    elif setting.proration_rule == rule.value:
        return
    setting.proration_rule = rule.value
    setting.updated_at = datetime.now(UTC)
    db.add(setting)
    db.flush()
    after = {"proration_rule": rule.value}
    record(db, tenant_id, actor, "payroll_settings.update", "payroll_settings", None, before=before, after=after)
