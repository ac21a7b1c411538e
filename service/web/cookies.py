"""Every cookie Paiqian sets: HttpOnly, SameSite=Lax, Secure over https."""

from __future__ import annotations

from litestar import Response

from service.settings import Settings


def cookie_header(settings: Settings, name: str, value: str, max_age: int | None = None) -> bytes:
    """A raw Set-Cookie value, for the middleware that writes ASGI headers."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.public_https:
        parts.append("Secure")
    return "; ".join(parts).encode()


def set_cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> Response:
    response.set_cookie(
        key=name,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_https,
    )
    return response
