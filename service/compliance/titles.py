"""The alert codes the compliance page shows: their titles and severities (msgids)."""

from __future__ import annotations

from service.compliance.rules import Rule, Severity
from service.errors import N_
from service.workforce.contracts.terms import TermRule

RULE_TITLES: dict[str, str] = {
    Rule.WRITTEN_CONTRACT_MISSING: N_("No written contract"),
    TermRule.PROBATION_TOO_LONG: N_("Probation too long"),
    TermRule.SECOND_PROBATION: N_("Second probation"),
    TermRule.PROBATION_PAY_TOO_LOW: N_("Probation pay too low"),
    TermRule.DISPATCH_TERM_TOO_SHORT: N_("Dispatch contract under two years"),
    Rule.CONTRACT_ENDING: N_("Contract ending, no renewal decision"),
    Rule.OPEN_ENDED_DUE: N_("Open-ended contract due at renewal"),
    Rule.DISPATCH_CAP: N_("Dispatched workers above 10%"),
    Rule.SOCIAL_INSURANCE_UNREGISTERED: N_("Social insurance not registered"),
    Rule.CERTIFICATE_EXPIRING: N_("Certificate to work expiring"),
    Rule.ASSESSMENT_FAILED_TWICE: N_("Assessment failed twice in a row"),
}

SEVERITIES: tuple[str, ...] = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)  # the page's order

SEVERITY_LABELS: dict[str, str] = {
    Severity.HIGH: N_("High"),
    Severity.MEDIUM: N_("Medium"),
    Severity.LOW: N_("Low"),
}
