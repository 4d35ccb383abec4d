"""Provider secrets encrypted at rest with AES-256-GCM (A6).

Ciphertexts are ``<version>:<base64(nonce | ciphertext+tag)>``. The associated data binds a
ciphertext to its company and purpose, so a token copied into another company's row does
not decrypt. Keys are versioned: the newest encrypts, every listed one decrypts, so a key
can be rotated without re-encrypting everything at once.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class DecryptionError(Exception):
    pass


class SecretBox:
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        for version, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"encryption key {version} must be 32 bytes")
        self._keys = keys
        self._current_version = list(keys)[-1]

    @classmethod
    def from_config(cls, encryption_keys: str, secret_key: str) -> SecretBox:
        """Parse ``"v1:<b64>,v2:<b64>"``; with none, derive one from the secret key."""
        if not encryption_keys.strip():
            derived = hashlib.sha256(b"nexus-secret-box:" + secret_key.encode()).digest()
            return cls({"v0": derived})
        keys: dict[str, bytes] = {}
        for item in encryption_keys.split(","):
            version, _, encoded = item.strip().partition(":")
            if not version or not encoded:
                raise ValueError("NEXUS_ENCRYPTION_KEYS must look like 'v1:<base64 key>,…'")
            keys[version] = base64.b64decode(encoded)
        return cls(keys)

    def encrypt(self, plaintext: str, *, associated_data: str) -> str:
        nonce = os.urandom(12)
        key = self._keys[self._current_version]
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), associated_data.encode())
        return f"{self._current_version}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, associated_data: str) -> str:
        version, _, encoded = token.partition(":")
        key = self._keys.get(version)
        if key is None:
            raise DecryptionError(f"unknown key version {version!r}")
        try:
            raw = base64.b64decode(encoded)
            plain = AESGCM(key).decrypt(raw[:12], raw[12:], associated_data.encode())
        except (InvalidTag, ValueError) as exc:
            raise DecryptionError("ciphertext does not decrypt with its key") from exc
        return plain.decode()
