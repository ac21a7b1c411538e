"""The connection's client secret at rest: AES-256-GCM under a key derived for this purpose only,
bound to the tenant and the connection (a blob copied to another row does not decrypt)."""

from __future__ import annotations

import uuid
from functools import lru_cache

from service.crypto import FieldCipher, derive_key, load_master_key
from service.settings import Settings


@lru_cache(maxsize=4)
def _cipher(master_key: str) -> FieldCipher:
    return FieldCipher(derive_key(load_master_key(master_key), "sso-client-secret"))


def _bound_to(tenant_id: uuid.UUID, client_id: str) -> bytes:
    return tenant_id.bytes + b"|" + client_id.encode()


def seal(settings: Settings, tenant_id: uuid.UUID, client_id: str, secret: str) -> bytes:
    return _cipher(settings.master_key).encrypt(secret, associated_data=_bound_to(tenant_id, client_id))


def reveal(settings: Settings, tenant_id: uuid.UUID, client_id: str, blob: bytes) -> str:
    return _cipher(settings.master_key).decrypt(blob, associated_data=_bound_to(tenant_id, client_id))
