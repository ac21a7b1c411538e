"""Password hashing with argon2id.

The standard profile is argon2-cffi's default (RFC 9106's low-memory choice: 64 MiB, t=3, p=4).  Tests set
``PAIQIAN_PASSWORD_HASHING=test`` for argon2id at its cheapest; production refuses that (service/settings.py).
A hash records its own parameters, so verifying never depends on the profile in force.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from service.errors import N_, DomainError
from service.settings import get_settings

MIN_LENGTH = 10

PROFILES = {"standard": profiles.RFC_9106_LOW_MEMORY, "test": profiles.CHEAPEST}


@cache
def hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(PROFILES[profile])


@cache
def _dummy_hash(profile: str) -> str:
    # Verifying against this keeps a sign-in for an unknown account as slow as
    # one for a known account, so timing does not tell which emails exist.
    return hasher_for(profile).hash("paiqian-timing-equaliser")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return hasher_for(get_settings().password_hashing).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    profile = get_settings().password_hashing
    try:
        return hasher_for(profile).verify(password_hash or _dummy_hash(profile), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise DomainError(N_("The password must have at least {count} characters."), field="password", count=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        raise DomainError(N_("The password must mix letters and digits."), field="password")
