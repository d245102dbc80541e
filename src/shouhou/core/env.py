"""Strict parsers for settings that come from the environment.

A typo in a deployment's environment should stop the process at start-up with a clear message,
not run with a silently different value (compare healthchecks' ``envbool``).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int) -> int:
    raw = env(name, str(default)).strip()
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


def envnetworks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (`10.0.0.1, 172.16.0.0/12, ::1`); a bad entry is named."""
    networks = []
    for part in envlist(name):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {part!r} is not an IP address or network ({exc})") from exc
    return tuple(networks)


def insecure_secret(key: str) -> bool:
    """Django's own deploy check rules: short, few distinct characters, or the dev prefix."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


def data_dir() -> Path:
    return Path(env("SHOUHOU_DATA_DIR", "./var")).expanduser().resolve()


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir (0600)."""
    given = env("SECRET_KEY")
    if given:
        return given
    path = directory / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def served_base_url(host: str, port: int) -> str:
    """The address `serve`/`web` listen on, as the base of links (emails, QR codes on labels).

    A wildcard host (0.0.0.0, ::) means "every interface": links then use this machine's address
    on the network it routes through, which colleagues and phones on the intranet can reach.
    """
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104  (recognising a wildcard, not binding)
        host = _primary_address() or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"


def _primary_address() -> str | None:
    # Connecting a UDP socket sends nothing; it only asks the kernel which source address it
    # would use to reach a non-local address (here a TEST-NET-2 one, RFC 5737).
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("198.51.100.1", 9))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def base_url_from_server(host: str, port: int) -> str | None:
    """Set SHOUHOU_BASE_URL to the address being served when the operator has not set it (before
    Django reads its settings; the web and worker children inherit it). Returns the URL it set."""
    if os.environ.get("SHOUHOU_BASE_URL") or os.environ.get("SHOUHOU_BASE_URL_FILE"):
        return None
    url = served_base_url(host, port)
    os.environ["SHOUHOU_BASE_URL"] = url
    return url


def is_loopback_url(url: str) -> bool:
    """True when URL's host is this machine only (127.0.0.0/8, ::1, localhost): a link to it
    opens nowhere else, e.g. a printed QR code scanned with a phone."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
