"""Token generation and hashing: random 256-bit tokens, stored as SHA-256 only."""

import hashlib
import secrets

TOKEN_PREFIX = "kc_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is safe and allows an indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()
