"""IP address validation shared by the web app and the contributions module."""

from __future__ import annotations

import ipaddress

__all__ = ["valid_ip"]


def valid_ip(text: str) -> str | None:
    """Return ``text`` as a normalised IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
