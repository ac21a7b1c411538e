"""Password hashing with argon2id (argon2-cffi's defaults are argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from service.errors import N_, DomainError

_hasher = PasswordHasher()

MIN_LENGTH = 10

# Verifying against this keeps a sign-in for an unknown account as slow as
# one for a known account, so timing does not tell which emails exist.
_DUMMY_HASH = _hasher.hash("paiqian-timing-equaliser")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(N_("The password must have at least {count} characters."), field="password", count=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        raise DomainError(N_("The password must mix letters and digits."), field="password")
