"""Protection of personal data at rest: ID numbers, phones, bank accounts.

One master key (from the deployment's secrets) yields a separate key per
purpose.  Sensitive columns hold AES-256-GCM ciphertext, and a keyed hash of
the value beside it (a blind index) lets a lookup by exact value find a row
without decrypting the table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
# The first byte of every blob, so a later scheme can be told apart and old
# blobs still decrypted during a migration.
VERSION = b"\x01"

GENERATE_KEY_COMMAND = 'python -c "import secrets,base64;print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'


def _require_key(key: bytes, what: str) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"{what} must be {KEY_SIZE} bytes, got {len(key)}")


def derive_key(master: bytes, purpose: str) -> bytes:
    """Derive the 32-byte key for one purpose (HKDF-SHA256).

    Each purpose, e.g. "field:worker.id_number" or "index:worker.id_number",
    gets an independent key, so a key leaked or misused in one place says
    nothing about the others.
    """
    _require_key(master, "master key")
    if not purpose:
        raise ValueError("a key purpose is required")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=b"paiqian/" + purpose.encode(),
    )
    return hkdf.derive(master)


class FieldCipher:
    """Encrypts one column's values; blob = version + nonce + ciphertext and tag.

    ``associated_data`` (say, the tenant id) is authenticated but not stored:
    a blob copied into another tenant's row then fails to decrypt instead of
    showing one tenant's worker to another.
    """

    def __init__(self, key: bytes) -> None:
        _require_key(key, "field key")
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: str, *, associated_data: bytes = b"") -> bytes:
        # Random 96-bit nonces are safe for 2**32 encryptions under one key
        # (NIST SP 800-38D), far more than one column will ever see.
        # The version byte is authenticated with the associated data, so a
        # blob cannot be relabelled as another scheme's.
        nonce = os.urandom(NONCE_SIZE)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), VERSION + associated_data)
        return VERSION + nonce + sealed

    def decrypt(self, blob: bytes, *, associated_data: bytes = b"") -> str:
        if len(blob) < 1 + NONCE_SIZE + TAG_SIZE:
            raise ValueError("encrypted field is truncated")
        if blob[:1] != VERSION:
            raise ValueError(f"unknown encrypted field version {blob[0]}")
        nonce, sealed = blob[1 : 1 + NONCE_SIZE], blob[1 + NONCE_SIZE :]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, VERSION + associated_data)
        except InvalidTag:
            raise ValueError("encrypted field failed authentication: tampered, or wrong key or associated data") from None
        return plaintext.decode()


def blind_index(key: bytes, value: str) -> bytes:
    """Keyed hash of a value, stored beside its ciphertext for exact-match search.

    The value is NFKC-normalized, stripped and case-folded so that full-width
    or differently cased spellings of one value find the same row; callers
    should still pass canonical forms (``parse_national_id(...).number``).
    Use a key derived for indexing, never the field's encryption key.
    """
    _require_key(key, "index key")
    normalized = unicodedata.normalize("NFKC", value).strip().casefold()
    return hmac.new(key, normalized.encode(), hashlib.sha256).digest()


def load_master_key(text: str) -> bytes:
    """Read the master key from its configured text: urlsafe base64 of 32 bytes.

    Missing ``=`` padding is restored, as config tools sometimes strip it.
    The error never repeats the text, which may be a real key mistyped.
    """
    cleaned = text.strip()
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        key = base64.b64decode(cleaned, altchars=b"-_", validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        key = b""
    if len(key) != KEY_SIZE:
        raise ValueError(
            f"the master key must be {KEY_SIZE} random bytes in urlsafe base64; generate one with: {GENERATE_KEY_COMMAND}"
        )
    return key
