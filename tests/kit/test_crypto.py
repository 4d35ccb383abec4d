from __future__ import annotations

import base64
import os

import pytest

from nexus.kit.crypto import DecryptionError, SecretBox


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_round_trip_binds_the_company() -> None:
    box = SecretBox.from_config(f"v1:{_key()}", "unused")
    sealed = box.encrypt("EAAG-token", associated_data="company-a:connection")
    assert "EAAG" not in sealed and sealed.startswith("v1:")
    assert box.decrypt(sealed, associated_data="company-a:connection") == "EAAG-token"
    # Copied into another company's row, the ciphertext does not decrypt.
    with pytest.raises(DecryptionError):
        box.decrypt(sealed, associated_data="company-b:connection")


def test_rotation_keeps_old_ciphertexts_readable() -> None:
    old_key, new_key = _key(), _key()
    old_box = SecretBox.from_config(f"v1:{old_key}", "unused")
    sealed_before = old_box.encrypt("secret", associated_data="x")
    rotated = SecretBox.from_config(f"v1:{old_key},v2:{new_key}", "unused")
    assert rotated.decrypt(sealed_before, associated_data="x") == "secret"
    assert rotated.encrypt("secret", associated_data="x").startswith("v2:")


def test_bad_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        SecretBox.from_config("v1:" + base64.b64encode(b"short").decode(), "unused")
    with pytest.raises(ValueError):
        SecretBox.from_config("no-version", "unused")


def test_tampered_ciphertext_fails() -> None:
    box = SecretBox.from_config("", "a-secret-key-that-is-long-enough-000000")
    sealed = box.encrypt("secret", associated_data="x")
    version, _, body = sealed.partition(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(DecryptionError):
        box.decrypt(f"{version}:{base64.b64encode(bytes(raw)).decode()}", associated_data="x")
