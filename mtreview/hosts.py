"""Which listening addresses keep the app on this machine: a local app needs no accounts,
anything reachable from elsewhere does."""

from __future__ import annotations

import ipaddress

LOCAL_NAMES = ("localhost",)


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
