"""A proxy URL for a channel's requests: checked once, never shown with its password."""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("http", "https", "socks5", "socks5h")
_EXAMPLE = "e.g. socks5://user:password@127.0.0.1:1080 or http://127.0.0.1:8080"


class ProxyError(ValueError):
    """The proxy URL cannot be used; the message says how to write it."""


def parse_proxy(raw: str) -> str | None:
    """`raw` as given when it is a usable proxy URL, None when empty."""
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ProxyError(f"{shown(raw)} is not a proxy URL; {_EXAMPLE}") from None
    if parts.scheme not in SCHEMES:
        raise ProxyError(
            f"{shown(raw)} must start with {', '.join(s + '://' for s in SCHEMES)}; {_EXAMPLE}"
        )
    if not parts.hostname or port is None:
        raise ProxyError(f"{shown(raw)} needs a host and a port; {_EXAMPLE}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyError(f"{shown(raw)} must end after the port; {_EXAMPLE}")
    return raw


def shown(url: str) -> str:
    """The URL as it may be printed or logged: its password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()
