"""Where a webhook may go: never inside the server's own network unless allowed.

A job's ``webhook_url`` comes from a client, so the server would otherwise POST wherever it is
told: its loopback, the LAN, a cloud metadata service. Every address the host resolves to
must be public unless ``webhook_allow_hosts`` names the host or a network holding the address.
The check runs when the job is submitted (a clear 400) and again at every delivery, which
then connects to the very address it checked, so DNS that changes its answer in between
(rebinding) cannot aim the request inside.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stt_engine.errors import InvalidRequestError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (literal addresses resolve to themselves)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """Hosts and networks (``10.0.0.0/8``, ``hooks.internal``) a webhook may reach inside."""

    allow: tuple[str, ...] = ()
    resolver: Resolver = system_resolver

    def address(self, host: str, port: int) -> str:
        """The address to connect to; InvalidRequestError when the host is not allowed."""
        try:
            found = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise _refused(f"its host {host} does not resolve ({exc})") from exc
        if not found:
            raise _refused(f"its host {host} does not resolve")
        if host.lower() in {a.lower() for a in self.allow}:
            return found[0]
        for text in found:
            reason = _internal(ipaddress.ip_address(text.split("%")[0]))
            if reason and not self._allowed(text):
                raise _refused(f"{host} resolves to {text}, {reason}")
        return found[0]

    def _allowed(self, text: str) -> bool:
        address = ipaddress.ip_address(text.split("%")[0])
        return any(address in network for network in _networks(self.allow))


def _networks(allow: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in allow:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # a host name, matched by name
    return networks


def _internal(address: Address) -> str | None:
    """Why an address is inside (None for a public one)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA:
        return "a cloud metadata address"
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    return next((why for attr, why in checks if getattr(address, attr)), None)


def _refused(why: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"webhook_url is refused: {why}",
        hint="webhooks go to public addresses; name internal receivers in the "
        "webhook_allow_hosts setting (STT_ENGINE_WEBHOOK_ALLOW_HOSTS)",
        param="webhook_url",
    )
