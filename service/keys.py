"""Purpose-bound keys derived from the one master key in the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from service.crypto import FieldCipher, derive_key, load_master_key
from service.settings import Settings


@dataclass(frozen=True)
class Keys:
    csrf: bytes
    id_number_cipher: FieldCipher
    id_number_index: bytes
    bank_account_cipher: FieldCipher
    bank_account_index: bytes


@lru_cache(maxsize=4)
def keys_for(settings: Settings) -> Keys:
    master = load_master_key(settings.master_key)
    return Keys(
        csrf=derive_key(master, "csrf"),
        id_number_cipher=FieldCipher(derive_key(master, "national-id-cipher")),
        id_number_index=derive_key(master, "national-id-index"),
        bank_account_cipher=FieldCipher(derive_key(master, "bank-account-cipher")),
        bank_account_index=derive_key(master, "bank-account-index"),
    )
