"""Webhook signatures: HMAC-SHA256 over the raw body, as GitHub sends in X-Hub-Signature-256."""

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """Return the X-Hub-Signature-256 value GitHub would send for body."""
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when header is a valid sha256 signature of body; False for anything else."""
    if not secret or not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.encode("utf-8", "replace"))
