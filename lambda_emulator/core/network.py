"""Addresses and firewall arithmetic: picking IPs, parsing port ranges, checking CIDRs.

Pure functions; the random stream and the set of addresses in use are handed in, so the same
seed and the same history give the same addresses.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Collection

__all__ = [
    "PRIVATE_RESERVED",
    "PUBLIC_POOL",
    "VPN_ENDPOINT_POOL",
    "NetworkValueError",
    "format_ports",
    "parse_cidr",
    "parse_ports",
    "pick_address",
]

#: Instances' public addresses: TEST-NET-3 (RFC 5737), as in the reference's SSH example.
PUBLIC_POOL = "203.0.113.0/24"
#: VPN gateways' public endpoints: TEST-NET-2, so they never collide with instances.
VPN_ENDPOINT_POOL = "198.51.100.0/24"
#: Addresses a private subnet keeps for itself at its start (network, gateway, DNS, spare).
PRIVATE_RESERVED = 4


class NetworkValueError(ValueError):
    """A port range or CIDR that is not acceptable; ``constraint`` says which rule failed."""

    def __init__(self, message: str, constraint: str) -> None:
        super().__init__(message)
        self.constraint = constraint


def pick_address(
    cidr: str, rng: random.Random, taken: Collection[str], *, reserved_low: int = 1
) -> str:
    """A host address of ``cidr`` not in ``taken`` when one is free, chosen by ``rng``.

    ``taken`` holds addresses of this pool only (its size tells when the pool is full).

    The network address, the broadcast address and the first ``reserved_low`` - 1 hosts are
    never handed out. When every address is taken, the random choice is returned anyway: a
    public pool shared by more instances than it has addresses cannot stay unique.
    """
    network = ipaddress.ip_network(cidr)
    first = max(1, reserved_low)
    count = network.num_addresses - first - 1
    if count <= 0:
        raise ValueError(f"{cidr} has no host addresses to hand out")
    start = rng.randrange(count)
    base = int(network.network_address) + first
    if len(taken) >= count:
        return str(ipaddress.ip_address(base + start))  # full: no need to probe
    for step in range(count):
        address = str(ipaddress.ip_address(base + (start + step) % count))
        if address not in taken:
            return address
    return str(ipaddress.ip_address(base + start))


def parse_ports(text: str) -> tuple[int, int]:
    """``"22"`` → (22, 22); ``"8000-8100"`` → (8000, 8100); each port 1–65535, low ≤ high."""
    parts = text.split("-")
    if len(parts) > 2 or not all(p.isdigit() and p.isascii() for p in parts):
        raise NetworkValueError(
            f"'{text}' is not a port or a port range like '22' or '8000-8100'",
            "a port or range 'N' or 'N-M'",
        )
    low, high = int(parts[0]), int(parts[-1])
    for port in (low, high):
        if not 1 <= port <= 65535:
            raise NetworkValueError(f"port {port} is outside 1-65535", "ports within 1-65535")
    if low > high:
        raise NetworkValueError(
            f"the range '{text}' starts above its end", "range start <= range end"
        )
    return low, high


def format_ports(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network in CIDR notation with no host bits set (``10.0.0.0/8``, ``::/0``)."""
    if "/" not in text:
        raise NetworkValueError(
            f"'{text}' has no prefix length; write it like '203.0.113.0/24'",
            "CIDR notation address/prefix",
        )
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise NetworkValueError(f"'{text}' is not a valid CIDR: {exc}", "a valid CIDR") from None
