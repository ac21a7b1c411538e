"""What a tenant admin types to register a bureau's identity provider: checked
here, every problem collected with its field, nothing written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.errors import N_, DomainError, InputErrors
from service.reviewers.models import ReviewerRole
from service.sso.oidc import check_issuer_url
from service.web.forms import field_text, whole_number

FIELDS = (
    "bureau_id",
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "scopes",
    "allowed_domains",
    "role_claim",
    "bureau_values",
    "establishment_values",
    "default_role",
    "enabled",
)

_SCOPE = re.compile(r"[A-Za-z0-9_:./-]{1,60}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_CLAIM = re.compile(r"[A-Za-z0-9_:./-]{1,80}")
_SPLIT = re.compile(r"[\s,;，；、]+")
MAX_VALUES = 50


@dataclass(frozen=True)
class ConnectionInput:
    bureau_id: int
    name: str
    issuer: str
    client_id: str
    client_secret: str | None  # None: keep the stored one (editing)
    scopes: str
    allowed_domains: list[str]
    role_claim: str
    role_mapping: list[dict[str, Any]]
    default_role: ReviewerRole | None
    enabled: bool


def parse_connection(data: dict[str, Any], *, production: bool, creating: bool) -> ConnectionInput:
    """Raise InputErrors with every problem, or return the connection as it will be stored."""
    errors: list[DomainError] = []

    def fail(message: str, field: str, **params: Any) -> None:
        errors.append(DomainError(message, field=field, **params))

    bureau_id = whole_number(field_text(data, "bureau_id"), below=2**63)
    if bureau_id is None:
        fail(N_("Choose the bureau this identity provider serves."), "bureau_id")

    name = field_text(data, "name")
    if not name:
        fail(N_("Enter a name people will recognise on the sign-in page."), "name")
    elif len(name) > 80:
        fail(N_("Keep the name to {limit} characters."), "name", limit=80)

    issuer = field_text(data, "issuer")
    if not issuer:
        fail(N_("Enter the issuer URL the identity provider publishes."), "issuer")
    elif len(issuer) > 300:
        fail(N_("Keep the issuer URL to {limit} characters."), "issuer", limit=300)
    else:
        reason = check_issuer_url(issuer, production=production)
        if reason == "issuer_not_https":
            fail(N_("The issuer must be an https:// address."), "issuer")
        elif reason:
            fail(N_("The issuer must be a plain https:// address, without a query or fragment."), "issuer")

    client_id = field_text(data, "client_id")
    if not client_id:
        fail(N_("Enter the client ID the identity provider gave this application."), "client_id")
    elif len(client_id) > 200:
        fail(N_("Keep the client ID to {limit} characters."), "client_id", limit=200)

    raw_secret = data.get("client_secret", "")
    secret = raw_secret.strip() if isinstance(raw_secret, str) else ""
    if not secret and creating:
        fail(N_("Enter the client secret."), "client_secret")
    elif len(secret) > 500:
        fail(N_("Keep the client secret to {limit} characters."), "client_secret", limit=500)

    scopes = _SPLIT.split(field_text(data, "scopes") or "openid email profile")
    scopes = list(dict.fromkeys(s for s in scopes if s))
    if "openid" not in scopes:
        fail(N_("The scopes must include openid."), "scopes")
    elif any(not _SCOPE.fullmatch(s) for s in scopes) or len(" ".join(scopes)) > 300:
        fail(N_("Scopes are words such as openid email profile, separated by spaces."), "scopes")

    domains = [d.lower().lstrip("@") for d in _SPLIT.split(field_text(data, "allowed_domains")) if d]
    domains = list(dict.fromkeys(domains))
    if not domains:
        fail(N_("Enter at least one e-mail domain whose people may sign in, such as cgj.example.gov.cn."), "allowed_domains")
    elif len(domains) > MAX_VALUES or any(not _DOMAIN.fullmatch(d) for d in domains):
        fail(N_("Enter e-mail domains such as cgj.example.gov.cn, separated by spaces or commas."), "allowed_domains")

    role_claim = field_text(data, "role_claim")
    if role_claim and not _CLAIM.fullmatch(role_claim):
        fail(N_("A claim name is one word, such as groups or roles."), "role_claim")
    mapping: list[dict[str, Any]] = []
    for field, role in (("establishment_values", ReviewerRole.ESTABLISHMENT), ("bureau_values", ReviewerRole.BUREAU)):
        values = [v.strip() for v in field_text(data, field).splitlines() if v.strip()]
        if len(values) > MAX_VALUES or any(len(v) > 200 for v in values):
            fail(N_("Enter at most {limit} values, one a line."), field, limit=MAX_VALUES)
        mapping.extend({"value": v, "role": role.value} for v in values)
    if mapping and not role_claim:
        fail(N_("Name the claim these values are read from."), "role_claim")

    default_text = field_text(data, "default_role")
    default_role = ReviewerRole(default_text) if default_text in ReviewerRole._value2member_map_ else None
    if default_text and default_role is None:
        fail(N_("Choose a role."), "default_role")
    if default_role is None and not mapping:
        fail(N_("Choose a default role, or list the claim values that give each role."), "default_role")

    if errors:
        raise InputErrors(errors)
    return ConnectionInput(
        bureau_id=bureau_id or 0,
        name=name,
        issuer=issuer,
        client_id=client_id,
        client_secret=secret or None,
        scopes=" ".join(scopes),
        allowed_domains=domains,
        role_claim=role_claim,
        role_mapping=mapping,
        default_role=default_role,
        enabled=field_text(data, "enabled") == "1",
    )


def form_values(connection: Any | None) -> dict[str, str]:
    """The form's fields for an existing connection (the secret is never shown)."""
    if connection is None:
        return {"scopes": "openid email profile", "enabled": "1", "default_role": ReviewerRole.BUREAU.value}
    by_role: dict[str, list[str]] = {role.value: [] for role in ReviewerRole}
    for entry in connection.role_mapping:
        by_role.setdefault(entry.get("role", ""), []).append(str(entry.get("value", "")))
    return {
        "bureau_id": str(connection.bureau_id),
        "name": connection.name,
        "issuer": connection.issuer,
        "client_id": connection.client_id,
        "client_secret": "",
        "scopes": connection.scopes,
        "allowed_domains": " ".join(connection.allowed_domains),
        "role_claim": connection.role_claim,
        "bureau_values": "\n".join(by_role[ReviewerRole.BUREAU.value]),
        "establishment_values": "\n".join(by_role[ReviewerRole.ESTABLISHMENT.value]),
        "default_role": connection.default_role or "",
        "enabled": "1" if connection.enabled else "",
    }
