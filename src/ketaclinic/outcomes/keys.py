"""The research-export key: from KETACLINIC_RESEARCH_KEY, else generated once into var/.

The key makes pseudonyms and date shifts reproducible across exports and unguessable without
it. It never leaves the server: exports carry only a short fingerprint of it.
"""

from __future__ import annotations

import hashlib
import hmac

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


def organization_key(key: bytes, organization_id) -> bytes:
    """The key of one organization's network export, derived from the installation's key.

    Every location of the organization is exported with it, so an id (a member of staff who
    works at two locations, a protocol version) has the same pseudonym in every location's
    tables; another organization's export cannot be linked to it."""
    label = b"ketaclinic-organization:" + str(organization_id).replace("-", "").encode()
    return hmac.new(key, label, hashlib.sha256).digest()
