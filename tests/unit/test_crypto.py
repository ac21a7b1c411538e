"""Field encryption, blind indexes and key handling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shlex
import subprocess
import sys

import pytest

from service.crypto import (
    GENERATE_KEY_COMMAND,
    FieldCipher,
    blind_index,
    derive_key,
    load_master_key,
)

MASTER = bytes(range(32))
KEY = derive_key(MASTER, "field:worker.id_number")
INDEX_KEY = derive_key(MASTER, "index:worker.id_number")


def hkdf_sha256_one_block(master: bytes, info: bytes) -> bytes:
    """RFC 5869 with no salt, written out independently of the library."""
    prk = hmac.new(b"\x00" * 32, master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


# --- key derivation -------------------------------------------------------------


def test_derive_key_is_hkdf_sha256_with_the_purpose_as_info() -> None:
    # Pinned: changing the derivation would make every stored blob unreadable.
    assert hkdf_sha256_one_block(MASTER, b"paiqian/field:worker.id_number") == KEY
    assert len(KEY) == 32


def test_derive_key_is_deterministic_and_separates_purposes_and_masters() -> None:
    assert derive_key(MASTER, "field:worker.id_number") == KEY
    assert KEY != INDEX_KEY
    assert derive_key(bytes(32), "field:worker.id_number") != KEY


@pytest.mark.parametrize("master", [b"", bytes(16), bytes(31), bytes(33)])
def test_derive_key_wants_a_32_byte_master(master: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        derive_key(master, "field:x")


def test_derive_key_wants_a_purpose() -> None:
    with pytest.raises(ValueError, match="purpose"):
        derive_key(MASTER, "")


# --- field encryption -------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["11010519491231002X", "张伟", "", "成都市锦江区 🏠"])
def test_round_trip(plaintext: str) -> None:
    cipher = FieldCipher(KEY)
    assert cipher.decrypt(cipher.encrypt(plaintext)) == plaintext


def test_blob_layout_is_version_nonce_ciphertext_tag() -> None:
    blob = FieldCipher(KEY).encrypt("张伟")
    assert blob[0] == 1
    assert len(blob) == 1 + 12 + len("张伟".encode()) + 16


def test_two_encryptions_of_one_value_differ() -> None:
    # Fresh nonces: equal ciphertexts would reveal equal values in a column.
    cipher = FieldCipher(KEY)
    first, second = cipher.encrypt("13812345678"), cipher.encrypt("13812345678")
    assert first != second
    assert first[1:13] != second[1:13]


def test_every_flipped_byte_is_detected() -> None:
    cipher = FieldCipher(KEY)
    blob = cipher.encrypt("11010519491231002X")
    for position in range(len(blob)):  # version, nonce, ciphertext and tag
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(ValueError):
            cipher.decrypt(bytes(tampered))


def test_tampering_error_is_clear() -> None:
    cipher = FieldCipher(KEY)
    blob = bytearray(cipher.encrypt("11010519491231002X"))
    blob[-1] ^= 0x80
    with pytest.raises(ValueError, match="failed authentication"):
        cipher.decrypt(bytes(blob))


def test_unknown_version_is_refused() -> None:
    cipher = FieldCipher(KEY)
    blob = cipher.encrypt("x")
    with pytest.raises(ValueError, match="unknown encrypted field version 2"):
        cipher.decrypt(b"\x02" + blob[1:])


@pytest.mark.parametrize("length", [0, 1, 13, 28])
def test_truncated_blob_is_refused(length: int) -> None:
    blob = FieldCipher(KEY).encrypt("")
    assert len(blob) == 29
    with pytest.raises(ValueError, match="truncated"):
        FieldCipher(KEY).decrypt(blob[:length])


def test_wrong_key_is_refused() -> None:
    blob = FieldCipher(KEY).encrypt("13812345678")
    with pytest.raises(ValueError, match="failed authentication"):
        FieldCipher(INDEX_KEY).decrypt(blob)


def test_associated_data_binds_a_blob_to_its_tenant() -> None:
    cipher = FieldCipher(KEY)
    blob = cipher.encrypt("11010519491231002X", associated_data=b"tenant:17")
    assert cipher.decrypt(blob, associated_data=b"tenant:17") == "11010519491231002X"
    for other in (b"tenant:18", b"tenant:1", b""):
        with pytest.raises(ValueError, match="failed authentication"):
            cipher.decrypt(blob, associated_data=other)


def test_blob_without_associated_data_does_not_open_with_some() -> None:
    cipher = FieldCipher(KEY)
    with pytest.raises(ValueError):
        cipher.decrypt(cipher.encrypt("x"), associated_data=b"tenant:17")


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(24), bytes(64)])
def test_cipher_wants_a_32_byte_key(key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FieldCipher(key)


# --- blind index ------------------------------------------------------------------


def test_blind_index_is_hmac_sha256_of_the_value() -> None:
    expected = hmac.new(INDEX_KEY, b"11010519491231002x", hashlib.sha256).digest()
    assert blind_index(INDEX_KEY, "11010519491231002X") == expected


def test_blind_index_is_deterministic() -> None:
    assert blind_index(INDEX_KEY, "13812345678") == blind_index(INDEX_KEY, "13812345678")
    assert len(blind_index(INDEX_KEY, "13812345678")) == 32


def test_blind_index_separates_values_and_keys() -> None:
    assert blind_index(INDEX_KEY, "13812345678") != blind_index(INDEX_KEY, "13812345679")
    other_key = derive_key(MASTER, "index:worker.phone")
    assert blind_index(INDEX_KEY, "13812345678") != blind_index(other_key, "13812345678")


def test_blind_index_is_not_a_plain_hash() -> None:
    # An unkeyed hash of an ID number falls to a dictionary of all valid numbers.
    assert blind_index(INDEX_KEY, "13812345678") != hashlib.sha256(b"13812345678").digest()


@pytest.mark.parametrize(
    "spelling",
    ["11010519491231002x", " 11010519491231002X ", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_blind_index_matches_trivial_respellings(spelling: str) -> None:
    assert blind_index(INDEX_KEY, spelling) == blind_index(INDEX_KEY, "11010519491231002X")


def test_blind_index_wants_a_32_byte_key() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        blind_index(b"short", "x")


# --- master key -------------------------------------------------------------------


def test_load_master_key_reads_urlsafe_base64() -> None:
    raw = b"\xfb\xff" * 16  # encodes with both urlsafe characters, - and _
    text = base64.urlsafe_b64encode(raw).decode()
    assert "-" in text and "_" in text
    assert load_master_key(text) == raw
    assert load_master_key(f"  {text}\n") == raw  # as read from an env file
    assert load_master_key(text.rstrip("=")) == raw  # padding stripped by a config tool


@pytest.mark.parametrize(
    "text",
    [
        "",
        base64.urlsafe_b64encode(bytes(16)).decode(),  # too short
        base64.urlsafe_b64encode(bytes(31)).decode(),
        base64.urlsafe_b64encode(bytes(33)).decode(),  # too long
        "not a key at all, just words!",
        base64.urlsafe_b64encode(bytes(32)).decode()[:-2] + "!=",  # a stray character
        "ключ" * 11,
        bytes(32).hex(),  # hex is not base64 of 32 bytes
    ],
)
def test_load_master_key_refuses_and_explains(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        load_master_key(text)
    message = str(caught.value)
    assert "32 random bytes in urlsafe base64" in message
    assert GENERATE_KEY_COMMAND in message
    if text:
        assert text not in message  # a mistyped real key must not reach the logs


def test_the_suggested_command_makes_a_loadable_key() -> None:
    argv = shlex.split(GENERATE_KEY_COMMAND)
    assert argv[0] == "python"
    output = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, check=True).stdout
    assert len(load_master_key(output)) == 32
