"""Password hashing (argon2id), bearer tokens (random, stored as SHA-256) and sealing.

Sealing exists for one case: an idempotent replay of `POST /auth/token` must return the token
that the first call issued, but OFB keeps no token in the clear. The stored response holds the
token XORed with a key that argon2id derives from the caller's password and a random salt:
only a replay that presents the same password can open it, and a key is used for one token only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type, hash_secret_raw

from ofb.settings import Argon2Params

TOKEN_PREFIX = "ofb_"
_SEALED_PREFIX = "sealed:"
SEAL_MAX_BYTES = 64


class Passwords:
    """Hashes and verifies passwords with the instance's argon2id parameters."""

    def __init__(self, params: Argon2Params) -> None:
        self._params = params
        self._hasher = PasswordHasher(
            time_cost=params.time_cost, memory_cost=params.memory_kib, parallelism=params.parallelism
        )
        # Verified against when a username is unknown, so that a login takes as long either way
        # (made on first need: it costs a hash, and startup should not pay for it).
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; always does the work of one verification."""
        if stored_hash is None and self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def sealer(self, password: str) -> Sealer:
        """A one-use key for sealing one secret of at most 64 bytes under `password`."""
        salt = secrets.token_bytes(16)
        return Sealer(salt, self._derive(password, salt))

    def unseal(self, sealed: str, password: str) -> str:
        """The text that a sealer made from the same password sealed."""
        salt_b64, cipher_b64 = sealed.removeprefix(_SEALED_PREFIX).split(":")
        salt, cipher = _unb64(salt_b64), _unb64(cipher_b64)
        key = self._derive(password, salt)
        return bytes(a ^ b for a, b in zip(cipher, key, strict=False)).decode()

    def _derive(self, password: str, salt: bytes) -> bytes:
        p = self._params
        return hash_secret_raw(
            password.encode(), salt, p.time_cost, p.memory_kib, p.parallelism, SEAL_MAX_BYTES, Type.ID
        )


class Sealer:
    """Seals one secret (derive it outside the write lock: argon2 is slow on purpose)."""

    def __init__(self, salt: bytes, key: bytes) -> None:
        self._salt = salt
        self._key: bytes | None = key

    def seal(self, secret_text: str) -> str:
        plain = secret_text.encode()
        key, self._key = self._key, None  # a key seals one secret, never two
        if key is None or len(plain) > len(key):
            raise ValueError("a sealer seals one secret of at most 64 bytes")
        cipher = bytes(a ^ b for a, b in zip(plain, key, strict=False))
        return f"{_SEALED_PREFIX}{_b64(self._salt)}:{_b64(cipher)}"


def new_token() -> str:
    """A fresh bearer token: 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database stores of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def digest(data: bytes) -> str:
    """SHA-256 hex digest (request fingerprints)."""
    return hashlib.sha256(data).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
