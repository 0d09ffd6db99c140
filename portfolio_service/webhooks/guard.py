"""The SSRF guard: a webhook's host must resolve to public addresses only, checked when the
webhook is saved and again when each delivery connects (to the very address checked)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app


class UnsafeURL(ValueError):
    pass


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private  # 10/8, 172.16/12, 192.168/16, fc00::/7 (unique-local) and the like
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def addresses(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, all of them allowed; ``UnsafeURL`` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Enter an http or https URL.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"The host {parts.hostname} does not resolve.") from None
    resolved = sorted({str(info[4][0]) for info in found})
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        refused = [address for address in resolved if _private(ipaddress.ip_address(address.split("%")[0]))]
        if refused:
            raise UnsafeURL(
                f"The host resolves to a loopback, private or link-local address ({refused[0]}); "
                "set WEBHOOK_ALLOW_PRIVATE=1 to allow it in development."
            )
    return resolved
