"""What a request knows about itself once the middleware has run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.audit import Actor
from service.i18n import Translator
from tenants.models import Tenant


@dataclass(frozen=True)
class Principal:
    """Who is signed in."""

    kind: str  # which loader made it (service.app.PRINCIPAL_LOADERS): staff, support, assistant, reviewer, operator
    id: int
    tenant_id: uuid.UUID | None  # None for the platform's own operators
    label: str
    role: str | None  # a StaffRole for staff; each other kind names its own roles for allow()


@dataclass
class RequestContext:
    request_id: str
    translate: Translator
    csrf_token: str
    csrf_binding: str
    tenant: Tenant | None = None
    principal: Principal | None = None
    session_token: str | None = None

    @property
    def tenant_id(self) -> uuid.UUID:
        if self.tenant is None:
            raise RuntimeError("not a tenant request")
        return self.tenant.id

    def tenant_path(self, path: str = "/") -> str:
        return f"/t/{self.tenant.slug}{path}" if self.tenant else path

    @property
    def signed_in(self) -> Principal:
        """Who is signed in, for a handler whose guard lets only the signed-in through."""
        if self.principal is None:
            raise RuntimeError("no one is signed in")
        return self.principal

    @property
    def actor(self) -> Actor:
        principal = self.signed_in
        return Actor(principal.kind, principal.id, principal.label, self.request_id)

    def has_role(self, *roles: str) -> bool:
        return self.principal is not None and self.principal.role in roles
