"""Webhook secrets: shown once, kept encrypted with a key derived from ``SECRET_KEY``.

Deliveries must be signed with the secret itself, so it cannot be kept as a hash.
Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key that HKDF
derives from ``SECRET_KEY``: a database dump alone does not give the secrets away.
Rotating ``SECRET_KEY`` makes the stored secrets unreadable: make the webhooks again.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "whsec_"


def new_secret() -> str:
    """``whsec_`` and base64 of 32 random bytes, as Standard Webhooks libraries take it."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _fernet() -> Fernet:
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portfolio-service webhook secrets")
    key = derive.derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode()


def key_bytes(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret stands for."""
    return base64.b64decode(secret.removeprefix(PREFIX))
