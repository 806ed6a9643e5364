"""Rate limits per client, kept only as salted hashes of addresses in a short-lived shared cache.

The address never leaves this module: it is hashed with a salt derived from the secret key, and
the hash lives in the ``ratelimit`` cache (files under the workspace, shared by every worker) for
two minutes at most. ``URBANSAFETY_RATE_LIMIT`` (``settings.RATE_LIMIT``) sets the limits:
``"20/m"`` allows 20 submissions and 200 page posts per minute and client, ``"20/m,100/m"`` sets
both, ``off`` disables them (load tests on loopback).
"""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

_RULE = re.compile(r"\s*(\d+)\s*/\s*(s|m|h)\s*\Z")
_SECONDS = {"s": 1, "m": 60, "h": 3600}
PAGE_FACTOR = 10  # page posts allowed per submission when only one rule is given


def limits(spec: str | None = None) -> dict[str, tuple[int, int]] | None:
    """Return {kind: (count, seconds)} for 'submit' and 'page', or None when limits are off."""
    spec = (settings.RATE_LIMIT if spec is None else spec).strip().lower()
    if spec in ("", "off", "0", "none"):
        return None
    rules = []
    for part in spec.split(","):
        match = _RULE.match(part)
        if not match:
            raise ValueError(f"URBANSAFETY_RATE_LIMIT: {spec!r} is not like '20/m' or 'off'")
        rules.append((int(match[1]), _SECONDS[match[2]]))
    submit = rules[0]
    page = rules[1] if len(rules) > 1 else (submit[0] * PAGE_FACTOR, submit[1])
    return {"submit": submit, "page": page}


def client_hash(request: HttpRequest) -> str:
    """Return a salted hash of the client's address (the address itself is never kept)."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "BEHIND_PROXY", False) and forwarded:
        # The proxy appends the address it saw: earlier entries are the client's own claims.
        address = forwarded.split(",")[-1].strip()
    salt = hashlib.sha256(f"ratelimit:{settings.SECRET_KEY}".encode()).digest()
    return hashlib.blake2b(address.encode(), key=salt[:32], digest_size=16).hexdigest()


def allow(request: HttpRequest, kind: str) -> bool:
    """Count one request of kind ('submit' or 'page'); return False when over the limit."""
    rules = limits()
    if rules is None:
        return True
    count, seconds = rules[kind]
    window = int(time.time() // seconds)
    key = f"rl:{kind}:{client_hash(request)}:{window}"
    cache = caches["ratelimit"]
    # add() then incr(): two workers may race on the first hit, costing one extra request at most.
    if cache.add(key, 1, timeout=seconds * 2):
        return True
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        return True
    return used <= count
