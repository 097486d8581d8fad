"""The research-export key: from KETACLINIC_RESEARCH_KEY, else generated once into var/.

The key makes pseudonyms and date shifts reproducible across exports and unguessable without
it. It never leaves the server: exports carry only a short fingerprint of it.
"""

from __future__ import annotations

import hashlib

from ketaclinic.core.keys import ServerKey

ENV = "KETACLINIC_RESEARCH_KEY"
FILE_NAME = "research_key"


class ResearchKeyError(ValueError):
    """The configured key is unusable (too short)."""


KEY = ServerKey(ENV, FILE_NAME, ResearchKeyError)
key_path = KEY.path
research_key = KEY.load


def fingerprint(key: bytes) -> str:
    """Names the key an export was made with, without revealing it."""
    return hashlib.sha256(b"ketaclinic-research-key:" + key).hexdigest()[:12]
