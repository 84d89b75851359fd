"""Invite tokens: unguessable, fit a Telegram start payload, stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets

# 24 random bytes = 192 bits, 32 URL-safe characters: well inside Telegram's 64-character,
# [A-Za-z0-9_-] limit for a /start payload.
_TOKEN_BYTES = 24
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """SHA-256 is enough here: the token has 192 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(TOKEN_SHAPE.match(text))
