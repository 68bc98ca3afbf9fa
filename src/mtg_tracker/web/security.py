"""Pure helpers for the page security model: CSRF tokens and the Content-Security-Policy.

CSRF uses a signed double submit: a random value in an HttpOnly, SameSite=Lax cookie, and in every
form an HMAC of that value under the server secret. A page of another site can neither read the cookie
nor compute the HMAC, and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CSRF_COOKIE = "mtg_csrf"
ACCESS_COOKIE = "mtg_access"
REFRESH_COOKIE = "mtg_refresh"
CSRF_FIELD = "csrf_token"

# No 'unsafe-inline' anywhere: scripts and styles come from our own files only. Images are served
# same-origin through /img (which falls back to a placeholder), so img-src needs no foreign host.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def new_csrf_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + cookie_value.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, cookie_value: str | None, submitted: str | None) -> bool:
    if not cookie_value or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret_key, cookie_value), submitted)
