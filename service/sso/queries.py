"""What the identity-provider pages and the sign-in read: connections and reviewers."""

from __future__ import annotations

from sqlmodel import col, select

from service.bureaus.models import ClientBureau
from service.database.ids import id_of
from service.reviewers.models import Reviewer
from service.sso.models import SsoConnection
from tenants.isolation import TenantSession


def connections_with_bureaus(db: TenantSession) -> list[tuple[SsoConnection, str]]:
    """Every connection with the name of the bureau it serves."""
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(SsoConnection, ClientBureau.name)
            .join(
                ClientBureau,
                (col(ClientBureau.tenant_id) == SsoConnection.tenant_id) & (col(ClientBureau.id) == SsoConnection.bureau_id),
            )
            .where(SsoConnection.tenant_id == tenant_id)
            .order_by(col(SsoConnection.id))
        ).all()
    )


def connection(db: TenantSession, connection_id: int) -> SsoConnection | None:
    tenant_id = db.tenant_id
    return db.exec(select(SsoConnection).where(SsoConnection.tenant_id == tenant_id, SsoConnection.id == connection_id)).first()


def enabled_connection(db: TenantSession, connection_id: int) -> SsoConnection | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(SsoConnection).where(
            SsoConnection.tenant_id == tenant_id, SsoConnection.id == connection_id, SsoConnection.enabled
        )
    ).first()


def enabled_connections(db: TenantSession) -> list[SsoConnection]:
    """The sign-in page's buttons, by name."""
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(SsoConnection)
            .where(SsoConnection.tenant_id == tenant_id, SsoConnection.enabled)
            .order_by(SsoConnection.name)
        )
    )


def connection_of_reviewer(db: TenantSession, reviewer_id: int) -> SsoConnection | None:
    """The connection the reviewer last signed in through."""
    tenant_id = db.tenant_id
    return db.exec(
        select(SsoConnection)
        .join(
            Reviewer, (col(Reviewer.tenant_id) == SsoConnection.tenant_id) & (col(Reviewer.connection_id) == SsoConnection.id)
        )
        .where(SsoConnection.tenant_id == tenant_id, Reviewer.id == reviewer_id)
    ).first()


def reviewers_with_bureaus(db: TenantSession) -> list[tuple[Reviewer, str]]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(Reviewer, ClientBureau.name)
            .join(
                ClientBureau, (col(ClientBureau.tenant_id) == Reviewer.tenant_id) & (col(ClientBureau.id) == Reviewer.bureau_id)
            )
            .where(Reviewer.tenant_id == tenant_id)
            .order_by(ClientBureau.name, Reviewer.display_name)
        ).all()
    )


def reviewer(db: TenantSession, reviewer_id: int) -> Reviewer | None:
    tenant_id = db.tenant_id
    return db.exec(select(Reviewer).where(Reviewer.tenant_id == tenant_id, Reviewer.id == reviewer_id)).first()


def reviewers_of_connection(db: TenantSession, connection_id: int) -> list[int]:
    tenant_id = db.tenant_id
    reviewers = db.exec(select(Reviewer).where(Reviewer.tenant_id == tenant_id, Reviewer.connection_id == connection_id))
    return [id_of(r) for r in reviewers]
