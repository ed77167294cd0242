"""Address picking, port ranges and CIDRs (pure)."""

from __future__ import annotations

import ipaddress
import random

import pytest

from lambda_emulator.core.network import (
    PRIVATE_RESERVED,
    PUBLIC_POOL,
    NetworkValueError,
    format_ports,
    parse_cidr,
    parse_ports,
    pick_address,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("22", (22, 22)), ("1", (1, 1)), ("65535", (65535, 65535)), ("8000-8100", (8000, 8100))],
)
def test_ports_accepted(text: str, expected: tuple[int, int]) -> None:
    assert parse_ports(text) == expected
    assert format_ports(*expected) == text


@pytest.mark.parametrize(
    ("text", "constraint"),
    [
        ("0", "ports within 1-65535"),
        ("65536", "ports within 1-65535"),
        ("100-99", "range start <= range end"),
        ("1-2-3", "a port or range 'N' or 'N-M'"),
        ("http", "a port or range 'N' or 'N-M'"),
        ("", "a port or range 'N' or 'N-M'"),
        ("22-", "a port or range 'N' or 'N-M'"),
        ("１２", "a port or range 'N' or 'N-M'"),
    ],
)
def test_ports_refused(text: str, constraint: str) -> None:
    with pytest.raises(NetworkValueError) as exc:
        parse_ports(text)
    assert exc.value.constraint == constraint


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("2001:DB8::/32", "2001:db8::/32"),
    ],
)
def test_cidr_accepted(text: str, normal: str) -> None:
    assert str(parse_cidr(text)) == normal


@pytest.mark.parametrize("text", ["10.0.0.1/24", "10.0.0.0", "300.0.0.0/8", "10.0.0.0/33", "x/8"])
def test_cidr_refused(text: str) -> None:
    with pytest.raises(NetworkValueError):
        parse_cidr(text)


def test_public_addresses_are_unique_hosts_of_the_pool_until_it_is_full() -> None:
    taken: set[str] = set()
    pool = ipaddress.ip_network(PUBLIC_POOL)
    for i in range(254):
        ip = pick_address(PUBLIC_POOL, random.Random(i), taken)
        assert ip not in taken
        assert ipaddress.ip_address(ip) in pool
        assert ip not in ("203.0.113.0", "203.0.113.255")
        taken.add(ip)
    # Full: an address is still handed out (shared), never an error.
    assert pick_address(PUBLIC_POOL, random.Random(999), taken) in taken


def test_pick_is_deterministic_and_skips_reserved_addresses() -> None:
    a = pick_address("10.10.0.0/16", random.Random(7), set(), reserved_low=PRIVATE_RESERVED)
    b = pick_address("10.10.0.0/16", random.Random(7), set(), reserved_low=PRIVATE_RESERVED)
    assert a == b
    small = [
        pick_address("10.0.0.0/29", random.Random(i), set(), reserved_low=PRIVATE_RESERVED)
        for i in range(50)
    ]
    assert set(small) <= {"10.0.0.4", "10.0.0.5", "10.0.0.6"}
