"""The OpenID Connect relying party: discovery, the authorization request, the
code exchange and the checks on the ID token.

Authlib's OAuth2 client builds the authorization request (code flow, PKCE
S256) and exchanges the code; the ID token is verified with joserfc (Authlib's
JOSE library) against the issuer's JWKS with the algorithms pinned here:
never ``none``, never an HMAC whose "secret" would be a public key.  Every
refusal raises ``SignInRefused`` with a reason code for the log; the person
sees one message, not which check failed.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from service.errors import N_, Refused

log = logging.getLogger("paiqian.sso")

# The only signature algorithms an ID token may use (asymmetric, so the JWKS
# holds public keys only).  Pinned here, never taken from the token's header.
ID_TOKEN_ALGORITHMS = ("RS256", "ES256")
KEY_TYPES = frozenset({"RSA", "EC"})
LEEWAY_SECONDS = 60  # clock skew allowed on exp / iat / nbf
MAX_ID_TOKEN_AGE_SECONDS = 10 * 60  # an iat older than this is a token minted for another sign-in
HTTP_TIMEOUT = httpx.Timeout(10.0)
MAX_DOCUMENT_BYTES = 512 * 1024
METADATA_TTL_SECONDS = 10 * 60
JWKS_TTL_SECONDS = 10 * 60
JWKS_REFETCH_SECONDS = 30  # an unknown kid refetches the JWKS at most this often (key rotation)


GENERIC_REFUSAL = N_(
    "Signing in through your organisation's identity provider did not succeed."
    " Start again; if it keeps failing, ask the dispatch company."
)


class SignInRefused(Refused):
    """The sign-in fails.  ``reason`` is a code for the log; the person sees ``message``
    (a msgid): the generic one unless telling them helps and reveals nothing.  The sign-in pages answer
    it themselves (403, or 502 when the provider cannot be reached); a Refused elsewhere is a 400."""

    def __init__(self, reason: str, detail: str = "", *, message: str = GENERIC_REFUSAL) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    token_auth_methods: tuple[str, ...]

    @property
    def token_auth_method(self) -> str:
        """client_secret_basic unless the provider supports only client_secret_post (RFC 8414 default: basic)."""
        methods = self.token_auth_methods
        if methods and "client_secret_basic" not in methods and "client_secret_post" in methods:
            return "client_secret_post"
        return "client_secret_basic"


# --- URLs the server is asked to fetch ---------------------------------------------------------------


def check_issuer_url(issuer: str, *, production: bool) -> str | None:
    """Why an issuer URL is unacceptable (a reason code), or None.

    https always in production; plain http only for a provider on this
    machine outside production (the test provider).  No query, fragment or
    credentials (OIDC Discovery 1.0 §2: the issuer is a bare https URL).
    """
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "not_a_url"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "issuer_has_extras"
    if parts.scheme == "http" and (production or not _is_loopback_name(parts.hostname)):
        return "issuer_not_https"
    return None


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_fetch_url(url: str, *, production: bool) -> None:
    """Refuse to fetch anything but https (production) on a public address.

    The issuer is typed by a tenant admin, so discovery could otherwise make
    the server reach into its own network (SSRF).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SignInRefused("bad_endpoint_url", url)
    if not production:
        if parts.scheme == "http" and not _is_loopback_name(parts.hostname):
            raise SignInRefused("endpoint_not_https", url)
        return
    if parts.scheme != "https":
        raise SignInRefused("endpoint_not_https", url)
    try:
        # An IP address (the first item of an AF_INET or AF_INET6 socket address) is a str.
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError as error:
        raise SignInRefused("endpoint_unresolvable", f"{url}: {error}") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise SignInRefused("endpoint_not_public", url)


def _get_json(url: str, *, production: bool) -> dict[str, Any]:
    _check_fetch_url(url, production=production)
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
            response = client.get(url, headers={"accept": "application/json"})
    except httpx.HTTPError as error:
        raise SignInRefused("fetch_failed", f"{url}: {error}") from None
    if response.status_code != 200 or len(response.content) > MAX_DOCUMENT_BYTES:
        raise SignInRefused("fetch_failed", f"{url}: HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError:
        raise SignInRefused("fetch_not_json", url) from None
    if not isinstance(document, dict):
        raise SignInRefused("fetch_not_json", url)
    return document


# --- discovery and keys, cached per issuer -----------------------------------------------------------

_lock = threading.Lock()
_metadata_cache: dict[str, tuple[float, ProviderMetadata]] = {}
_jwks_cache: dict[str, tuple[float, KeySet]] = {}


def clear_caches() -> None:
    with _lock:
        _metadata_cache.clear()
        _jwks_cache.clear()


def discover(issuer: str, *, production: bool) -> ProviderMetadata:
    """The provider's metadata from ``{issuer}/.well-known/openid-configuration``.

    The document must name exactly the configured issuer (Discovery §4.3),
    otherwise a provider could speak for another.
    """
    reason = check_issuer_url(issuer, production=production)
    if reason:
        raise SignInRefused(reason, issuer)
    now = time.monotonic()
    with _lock:
        cached = _metadata_cache.get(issuer)
    if cached and cached[0] > now:
        return cached[1]
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration", production=production)
    if document.get("issuer") != issuer:
        raise SignInRefused("discovery_issuer_mismatch", f"{document.get('issuer')!r} != {issuer!r}")
    try:
        methods = document.get("token_endpoint_auth_methods_supported") or ()
        metadata = ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=_url(document, "authorization_endpoint"),
            token_endpoint=_url(document, "token_endpoint"),
            jwks_uri=_url(document, "jwks_uri"),
            userinfo_endpoint=_optional_url(document, "userinfo_endpoint"),
            end_session_endpoint=_optional_url(document, "end_session_endpoint"),
            token_auth_methods=tuple(m for m in methods if isinstance(m, str)),
        )
    except ValueError as error:
        raise SignInRefused("discovery_incomplete", str(error)) from None
    with _lock:
        _metadata_cache[issuer] = (now + METADATA_TTL_SECONDS, metadata)
    return metadata


def _url(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or urlsplit(value).scheme not in ("https", "http"):
        raise ValueError(f"{name} is missing or not a URL")
    return value


def _optional_url(document: dict[str, Any], name: str) -> str | None:
    return None if document.get(name) is None else _url(document, name)


def _key_set(metadata: ProviderMetadata, *, production: bool, refresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _lock:
        cached = _jwks_cache.get(metadata.jwks_uri)
    if cached and not refresh and cached[0] + JWKS_TTL_SECONDS > now:
        return cached[1]
    if cached and refresh and cached[0] + JWKS_REFETCH_SECONDS > now:
        return cached[1]
    document = _get_json(metadata.jwks_uri, production=production)
    keys = [
        key
        for key in document.get("keys", [])
        if isinstance(key, dict)
        and key.get("kty") in KEY_TYPES
        and key.get("use", "sig") == "sig"
        and "d" not in key  # a private key published by mistake is not used
    ]
    if not keys:
        raise SignInRefused("jwks_empty", metadata.jwks_uri)
    try:
        key_set = KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as error:
        raise SignInRefused("jwks_invalid", str(error)) from None
    with _lock:
        _jwks_cache[metadata.jwks_uri] = (now, key_set)
    return key_set


# --- the authorization request and the code exchange -------------------------------------------------


def _client(client_id: str, client_secret: str, scopes: str, redirect_uri: str, method: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        scope=scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        timeout=HTTP_TIMEOUT,
        follow_redirects=False,
    )


def authorization_url(
    metadata: ProviderMetadata,
    *,
    client_id: str,
    scopes: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    with _client(client_id, "", scopes, redirect_uri, metadata.token_auth_method) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=code_verifier
        )
    return url


def exchange_code(
    metadata: ProviderMetadata,
    *,
    client_id: str,
    client_secret: str,
    scopes: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    production: bool,
) -> dict[str, Any]:
    """The token response for an authorization code (the provider refuses a code used twice)."""
    _check_fetch_url(metadata.token_endpoint, production=production)
    try:
        with _client(client_id, client_secret, scopes, redirect_uri, metadata.token_auth_method) as client:
            token = client.fetch_token(
                metadata.token_endpoint, grant_type="authorization_code", code=code, code_verifier=code_verifier
            )
    except OAuthError as error:
        raise SignInRefused("token_error", f"{error.error}: {error.description}") from None
    except (httpx.HTTPError, ValueError, TypeError, KeyError) as error:
        raise SignInRefused("token_request_failed", repr(error)) from None
    if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
        raise SignInRefused("token_without_id_token")
    return dict(token)


def fetch_userinfo(metadata: ProviderMetadata, access_token: str, *, production: bool) -> dict[str, Any]:
    if not metadata.userinfo_endpoint:
        return {}
    _check_fetch_url(metadata.userinfo_endpoint, production=production)
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
            response = client.get(
                metadata.userinfo_endpoint,
                headers={"authorization": f"Bearer {access_token}", "accept": "application/json"},
            )
        claims = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        claims = None
    if not isinstance(claims, dict):
        raise SignInRefused("userinfo_failed", metadata.userinfo_endpoint)
    return claims


# --- the ID token ------------------------------------------------------------------------------------


def verify_id_token(
    id_token: str,
    metadata: ProviderMetadata,
    *,
    client_id: str,
    nonce: str,
    production: bool,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims once its signature and claims pass (OIDC Core §3.1.3.7)."""
    try:
        header = extract_compact(id_token.encode()).protected
    except (JoseError, ValueError, TypeError):
        raise SignInRefused("id_token_malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ID_TOKEN_ALGORITHMS:
        raise SignInRefused("id_token_algorithm", repr(algorithm))
    key_set = _key_set(metadata, production=production)
    if header.get("kid") and not _has_kid(key_set, header["kid"]):
        key_set = _key_set(metadata, production=production, refresh=True)
    try:
        token = jwt.decode(id_token, key_set, algorithms=list(ID_TOKEN_ALGORITHMS))
    except JoseError as error:
        raise SignInRefused("id_token_signature", repr(error)) from None
    except (ValueError, TypeError) as error:
        raise SignInRefused("id_token_malformed", repr(error)) from None
    claims = token.claims
    moment = int(time.time()) if now is None else now
    registry = jwt.JWTClaimsRegistry(
        now=moment,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise SignInRefused("id_token_claims", repr(error)) from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise SignInRefused("id_token_azp", repr(claims.get("azp")))
    if "azp" in claims and claims["azp"] != client_id:
        raise SignInRefused("id_token_azp", repr(claims.get("azp")))
    if claims["iat"] < moment - MAX_ID_TOKEN_AGE_SECONDS - LEEWAY_SECONDS:
        raise SignInRefused("id_token_too_old", str(claims["iat"]))
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
        raise SignInRefused("id_token_subject")
    return dict(claims)


def _has_kid(key_set: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in key_set.keys)


def end_session_url(metadata: ProviderMetadata, *, client_id: str, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when the provider offers it."""
    if not metadata.end_session_endpoint:
        return None
    query = urlencode({"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return f"{metadata.end_session_endpoint}{separator}{query}"
