"""The password hashing profile: standard by default, cheap only where asked for, never in production."""

from __future__ import annotations

import pytest

from service.accounts.passwords import PROFILES, hasher_for
from service.settings import load_settings

MASTER_KEY = "A" * 43 + "="


def test_the_standard_profile_is_argon2id_with_64_mib_and_three_passes() -> None:
    encoded = hasher_for("standard").hash("Paiqian2026demo")
    assert encoded.startswith("$argon2id$") and "m=65536,t=3,p=4" in encoded
    assert load_settings({"PAIQIAN_MASTER_KEY": MASTER_KEY}).password_hashing == "standard"


def test_a_hash_made_with_one_profile_verifies_under_the_other() -> None:
    cheap = hasher_for("test").hash("Paiqian2026demo")
    assert cheap.startswith("$argon2id$")
    assert hasher_for("standard").verify(cheap, "Paiqian2026demo")
    assert set(PROFILES) == {"standard", "test"}


@pytest.mark.parametrize("profile", ["test", "md5"])
def test_production_refuses_anything_but_the_standard_profile(profile: str) -> None:
    env = {"PAIQIAN_ENV": "production", "PAIQIAN_MASTER_KEY": MASTER_KEY, "DATABASE_URL": "postgresql://x/y"}
    with pytest.raises(RuntimeError, match="PAIQIAN_PASSWORD_HASHING"):
        load_settings(env | {"PAIQIAN_PASSWORD_HASHING": profile})


def test_development_refuses_an_unknown_profile() -> None:
    with pytest.raises(RuntimeError):
        load_settings({"PAIQIAN_MASTER_KEY": MASTER_KEY, "PAIQIAN_PASSWORD_HASHING": "none"})
