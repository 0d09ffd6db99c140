"""The SSRF guard: a webhook's host must resolve to public addresses only, checked when the
webhook is saved and again when each delivery connects (to the very address checked)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

#: IPv6 networks whose last 32 bits are an IPv4 address: NAT64, and the old IPv4-compatible form.
EMBEDDING = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))


class UnsafeURL(ValueError):
    pass


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Anything but a global unicast address: loopback, private, shared (100.64/10), link-local,
    unique-local, reserved... An IPv4 address carried inside IPv6 (mapped, 6to4, Teredo) is judged
    as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = any(address in network for network in EMBEDDING) and ipaddress.IPv4Address(
            int(address) & 0xFFFFFFFF
        )
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo and address.teredo[1]) or embedded
        if address.is_site_local or (inner and _private(inner)):
            return True
    return not address.is_global or address.is_multicast


def addresses(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, in the resolver's order, all of them allowed;
    ``UnsafeURL`` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("Enter an http or https URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except ValueError:
        raise UnsafeURL("The port must be between 0 and 65535.") from None
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(f"The host {parts.hostname} does not resolve.") from None
    resolved = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        refused = [address for address in resolved if _private(ipaddress.ip_address(address.split("%")[0]))]
        if refused:
            raise UnsafeURL(
                f"The host resolves to a loopback, private or link-local address ({refused[0]}); "
                "set WEBHOOK_ALLOW_PRIVATE=1 to allow it in development."
            )
    return resolved


def shown(url: str) -> str:
    """``url`` as logs may show it: scheme, host and port, with no user, path or query (a deploy
    hook's path is its secret)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"
