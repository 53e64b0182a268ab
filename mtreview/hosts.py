"""Which listening addresses keep the app on this machine (a local app needs no accounts,
anything reachable from elsewhere does), and which names the app answers to: a Host header
outside the allow-list is a page that rebound its own name to this machine (DNS rebinding)."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from mtreview.errors import SettingsError

LOCAL_NAMES = ("localhost",)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")  # what the app answers to by default
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")  # listening everywhere: names no host


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`; False for None (Streamlit then listens on
    every interface), 0.0.0.0, :: and any other address or name."""
    if not host:
        return False
    if host.strip().lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str | None) -> str | None:
    """The name a Host header (or an allow-list entry) gives: port dropped, lower case, no
    trailing dot, IPv6 without brackets; None when it is not exactly one host (empty, a
    user part, a path, a bad port)."""
    if not header or header != header.strip():
        return None
    try:
        parts = urlsplit(f"//{header}")
        _ = parts.port  # a port that is not a number in range raises here
    except ValueError:
        return None
    name = parts.hostname
    if not name or parts.username is not None or parts.path or parts.query or parts.fragment:
        return None
    if "@" in header or any(char.isspace() for char in name):
        return None
    return name.rstrip(".") or None


@dataclasses.dataclass(frozen=True)
class HostAllowList:
    """Names the app answers to; `*.example.org` entries allow every name under it."""

    names: frozenset[str]
    suffixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str], *, origin: str = "allowed_hosts") -> HostAllowList:
        """The loopback names plus `entries`; an entry that is not a host name (a URL, a
        lone `*`, a space) is a `SettingsError` naming it."""
        names = set(LOOPBACK_HOSTS)
        suffixes: list[str] = []
        for entry in entries:
            wildcard = entry.startswith("*.")
            name = host_name(entry[2:] if wildcard else entry)
            if name is None or "*" in name:
                raise SettingsError(
                    f"{origin}: {entry!r} is not a host name (give names such as "
                    "review.example.org or *.example.org, without scheme or path)"
                )
            if wildcard:
                suffixes.append("." + name)
            else:
                names.add(name)
        return cls(frozenset(names), tuple(sorted(suffixes)))

    def allows(self, header: str | None) -> bool:
        """Whether a request with this Host header is for this app (its port ignored)."""
        name = host_name(header)
        if name is None:
            return False
        return name in self.names or any(name.endswith(suffix) for suffix in self.suffixes)
