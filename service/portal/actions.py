"""The only code that writes assistants' accounts, invitations, confirmations and questions.

Every change is audited in the same transaction.  A worker's own actions
(accepting an invitation, confirming a payslip, asking about it) are audited
with actor kind "assistant"; an HR or payroll clerk's with their staff actor.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import col, select

from service.accounts.passwords import hash_password, verify_password
from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.keys import Keys
from service.payroll.runs.payslip_feedback import PayslipConfirmation, PayslipQuestion
from service.portal.models import PRINCIPAL_KIND, AssistantAccount, AssistantInvitation
from service.portal.queries import account_of
from service.settings import Settings
from service.workforce.identity import normalize_phone, parse_national_id
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.actions import id_number_index
from tenants import throttle
from tenants.isolation import TenantSession, control_session

INVITATION_VALID_FOR = timedelta(days=7)
QUESTION_MAX = 1000
ANSWER_MAX = 2000

_FULL_WIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x"})


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def assistant_actor(worker: Worker, request_id: str | None = None) -> Actor:
    return Actor(PRINCIPAL_KIND, worker.id, worker.name, request_id)


# --- invitations ---------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    token: str  # shown once, never stored
    invitation: AssistantInvitation


def _revoke_open(db: TenantSession, worker_id: int, now: datetime) -> int:
    result = db.execute(  # an UPDATE's result: a CursorResult, with its row count
        update(AssistantInvitation)
        .where(
            col(AssistantInvitation.tenant_id) == db.tenant_id,
            col(AssistantInvitation.worker_id) == worker_id,
            col(AssistantInvitation.used_at).is_(None),
            col(AssistantInvitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    return cast("CursorResult[Any]", result).rowcount or 0


def invite(db: TenantSession, worker: Worker, now: datetime | None = None, *, actor: Actor) -> NewInvitation:
    """A new one-time link for the worker; any earlier open link stops working."""
    tenant_id = db.tenant_id
    now = now or datetime.now(UTC)
    if worker.status is WorkerStatus.LEFT:
        raise DomainError(N_("This worker has left: they cannot be invited to the portal."), field="worker")
    account = account_of(db, id_of(worker))
    if account is not None and not account.active:
        raise DomainError(N_("This portal account is disabled. Enable it before inviting the worker again."), field="worker")
    if account is None:
        account = AssistantAccount(tenant_id=tenant_id, worker_id=id_of(worker))
        db.add(account)
        db.flush()
    revoked = _revoke_open(db, id_of(worker), now)
    token = secrets.token_urlsafe(32)
    invitation = AssistantInvitation(
        tenant_id=tenant_id,
        worker_id=id_of(worker),
        token_hash=token_hash(token),
        created_at=now,
        created_by=actor.label[:120],
        expires_at=now + INVITATION_VALID_FOR,
    )
    db.add(invitation)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "assistant_invitation.create",
        "assistant_account",
        worker.id,
        after={"invitation_id": invitation.id, "expires_at": invitation.expires_at.isoformat(), "revoked_earlier": revoked},
    )
    return NewInvitation(token, invitation)


def find_invitation(
    db: TenantSession, token: str, now: datetime | None = None, *, lock: bool = False
) -> tuple[AssistantInvitation, AssistantAccount, Worker]:
    """The open, unexpired invitation a link's token names, or a DomainError saying it is no longer valid."""
    now = now or datetime.now(UTC)
    statement = (
        select(AssistantInvitation, AssistantAccount, Worker)
        .join(
            AssistantAccount,
            (col(AssistantAccount.tenant_id) == AssistantInvitation.tenant_id)
            & (AssistantAccount.worker_id == AssistantInvitation.worker_id),
        )
        .join(
            Worker, (col(Worker.tenant_id) == AssistantInvitation.tenant_id) & (col(Worker.id) == AssistantInvitation.worker_id)
        )
        .where(AssistantInvitation.tenant_id == db.tenant_id, AssistantInvitation.token_hash == token_hash(token))
    )
    if lock:
        statement = statement.with_for_update(of=AssistantInvitation)
    found = db.exec(statement).first() if 20 <= len(token) <= 100 else None
    if found is None:
        raise DomainError(N_("This invitation link is not valid. Ask your HR office for a new one."), field="token")
    invitation, account, worker = found
    if invitation.used_at is not None:
        raise DomainError(
            N_("This invitation link has already been used. Sign in with your password, or ask your HR office for a new link."),
            field="token",
        )
    if invitation.revoked_at is not None:
        raise DomainError(
            N_("This invitation link was replaced by a newer one. Use the latest link you received."), field="token"
        )
    if invitation.expires_at <= now:
        raise DomainError(N_("This invitation link has expired. Ask your HR office for a new one."), field="token")
    if not account.active or worker.status is WorkerStatus.LEFT:
        raise DomainError(N_("This portal account is disabled. Contact your HR office."), field="token")
    return invitation, account, worker


def open_invitation(db: TenantSession, token: str) -> tuple[AssistantInvitation, AssistantAccount, Worker] | DomainError:
    """``find_invitation`` for the link's own page, where a link no longer valid is a page of its
    own (410, saying why) rather than a refused form: the refusal is returned, not raised."""
    try:
        return find_invitation(db, token)
    except DomainError as refusal:
        return refusal


def accept_invitation(
    db: TenantSession,
    token: str,
    *,
    password: str,
    password_again: str,
    request_id: str | None = None,
    now: datetime | None = None,
) -> Worker:
    """Set the worker's password from an invitation link; the link is used up."""
    now = now or datetime.now(UTC)
    invitation, account, worker = find_invitation(db, token, now, lock=True)
    if password != password_again:
        raise DomainError(N_("The two passwords are not the same."), field="password_again")
    before = account.snapshot()
    account.password_hash = hash_password(password)
    account.activated_at = account.activated_at or now
    account.last_sign_in_at = now
    account.updated_at = now
    invitation.used_at = now
    db.add(account)
    db.add(invitation)
    db.flush()
    record(
        db,
        db.tenant_id,
        assistant_actor(worker, request_id),
        "assistant_account.accept_invitation",
        "assistant_account",
        worker.id,
        before=before,
        after=account.snapshot() | {"invitation_id": invitation.id},
    )
    return worker


def set_active(
    db: TenantSession, worker: Worker, active: bool, now: datetime | None = None, *, actor: Actor
) -> AssistantAccount:
    now = now or datetime.now(UTC)
    account = account_of(db, id_of(worker))
    if account is None:
        raise DomainError(N_("This worker has no portal account yet. Create an invitation first."), field="worker")
    before = account.snapshot()
    account.active = active
    account.updated_at = now
    db.add(account)
    revoked = 0 if active else _revoke_open(db, id_of(worker), now)
    db.flush()
    action = "assistant_account.enable" if active else "assistant_account.disable"
    record(
        db,
        db.tenant_id,
        actor,
        action,
        "assistant_account",
        worker.id,
        before=before,
        after=account.snapshot() | {"invitations_revoked": revoked},
    )
    return account


# --- signing in ------------------------------------------------------------------


def _login_key(tenant_id: uuid.UUID, login: str) -> str:
    return f"assistant:{tenant_id}:{login}"


def _candidates(db: TenantSession, keys: Keys, login: str) -> tuple[str, list[tuple[AssistantAccount, Worker]]]:
    """(the canonical spelling of what was typed, the accounts it may name)."""
    tenant_id = db.tenant_id
    compact = "".join(ch for ch in "".join(login.translate(_FULL_WIDTH).split()).upper() if ch.isprintable())
    base = (
        select(AssistantAccount, Worker)
        .join(Worker, (col(Worker.tenant_id) == AssistantAccount.tenant_id) & (col(Worker.id) == AssistantAccount.worker_id))
        .where(AssistantAccount.tenant_id == tenant_id, col(AssistantAccount.password_hash).is_not(None))
    )
    if len(compact) == 18:
        try:
            number = parse_national_id(compact).number
        except DomainError:
            return compact[:40], []
        index = id_number_index(keys, tenant_id, number)
        return number, list(db.exec(base.where(Worker.id_number_index == index)).all())
    try:
        phone = normalize_phone(compact)
    except DomainError:
        return compact[:40], []
    return phone, list(db.exec(base.where(Worker.phone == phone).order_by(col(Worker.id)).limit(5)).all())


def sign_in(
    db: TenantSession,
    settings: Settings,
    keys: Keys,
    *,
    login: str,
    password: str,
    client_address: str,
    now: datetime | None = None,
) -> Worker:
    """Check an assistant's sign-in by phone number or ID number.  Failures are
    counted in their own transaction (``tenants.throttle``), as for staff."""
    now = now or datetime.now(UTC)
    canonical, candidates = _candidates(db, keys, login[:60])
    throttle_keys = [_login_key(db.tenant_id, canonical), f"addr:{client_address}"]
    with control_session() as control:
        lock = throttle.locked_until(control, throttle_keys, now)
    if lock is not None:
        minutes = max(1, int((lock - now).total_seconds() // 60) + 1)
        raise DomainError(N_("Too many failed sign-ins. Try again in {minutes} minutes."), field="login", minutes=minutes)
    matched = None
    for account, worker in candidates:
        if verify_password(account.password_hash, password):
            matched = account, worker
            break
    if not candidates:
        verify_password(None, password)  # as slow as a real check: timing does not tell who has an account
    if matched is None:
        lock_for = timedelta(minutes=settings.sign_in_lock_minutes)
        with control_session() as control:
            throttle.register_failure(control, throttle_keys[0], now, settings.sign_in_max_failures, lock_for)
            throttle.register_failure(
                control, throttle_keys[1], now, settings.sign_in_max_failures * throttle.ADDRESS_FACTOR, lock_for
            )
        raise DomainError(N_("The phone number, ID number or password is not correct."), field="login")
    account, worker = matched
    if not account.active:  # a leaver still signs in, to read their final payslip (``principal``)
        raise DomainError(N_("This portal account is disabled. Contact your HR office."), field="login")
    with control_session() as control:
        throttle.clear(control, throttle_keys[0])
    account.last_sign_in_at = now
    db.add(account)
    return worker


# --- payslip confirmations and questions -----------------------------------------


def confirm_payslip(db: TenantSession, worker_id: int, payslip_id: int, *, actor: Actor) -> bool:
    """Mark the worker's own published payslip as confirmed (the caller has checked it is theirs).
    Confirming twice changes nothing; returns whether this call confirmed it."""
    tenant_id = db.tenant_id
    existing = db.exec(
        select(PayslipConfirmation).where(
            PayslipConfirmation.tenant_id == tenant_id, PayslipConfirmation.payslip_id == payslip_id
        )
    ).first()
    if existing is not None:
        return False
    confirmation = PayslipConfirmation(tenant_id=tenant_id, payslip_id=payslip_id, worker_id=worker_id)
    db.add(confirmation)
    db.flush()
    record(db, tenant_id, actor, "payslip.confirm", "payslip", payslip_id, after={"worker_id": worker_id})
    return True


def ask_question(db: TenantSession, worker_id: int, payslip_id: int, text: str, *, actor: Actor) -> PayslipQuestion:
    tenant_id = db.tenant_id
    text = text.replace("\x00", "").strip()
    if not text:
        raise DomainError(N_("Write your question."), field="question")
    if len(text) > QUESTION_MAX:
        raise DomainError(N_("A question may have at most {count} characters."), field="question", count=QUESTION_MAX)
    question = PayslipQuestion(tenant_id=tenant_id, payslip_id=payslip_id, worker_id=worker_id, question=text)
    db.add(question)
    db.flush()
    record(db, tenant_id, actor, "payslip_question.create", "payslip_question", question.id, after=question.snapshot())
    return question


def answer_question(
    db: TenantSession, question: PayslipQuestion, text: str, now: datetime | None = None, *, actor: Actor
) -> PayslipQuestion:
    text = text.replace("\x00", "").strip()
    if not text:
        raise DomainError(N_("Write an answer."), field="answer")
    if len(text) > ANSWER_MAX:
        raise DomainError(N_("An answer may have at most {count} characters."), field="answer", count=ANSWER_MAX)
    before = question.snapshot()
    question.answer = text
    question.answered_at = now or datetime.now(UTC)
    question.answered_by = actor.label[:120]
    db.add(question)
    db.flush()
    record(
        db,
        db.tenant_id,
        actor,
        "payslip_question.answer",
        "payslip_question",
        question.id,
        before=before,
        after=question.snapshot(),
    )
    return question
