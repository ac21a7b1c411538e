"""CSRF tokens bound to the browser's session.

A token is an HMAC of the session token (or, before sign-in, of a random
pre-session cookie) under a key derived from the master key.  It changes
when the session does, so a token seen before sign-in is useless after it.
Forms send it as ``_csrf``; scripts send it in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hashlib
import hmac

PRE_COOKIE = "pq_pre"
FORM_FIELD = "_csrf"
HEADER = "x-csrf-token"


def token_for(key: bytes, binding: str) -> str:
    return hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def is_valid(key: bytes, binding: str | None, submitted: str | None) -> bool:
    if not binding or not submitted:
        return False
    return hmac.compare_digest(token_for(key, binding), submitted)
