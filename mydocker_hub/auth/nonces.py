"""A bounded, expiring memory of the nonces already seen: a replayed launch is refused."""

import time
from collections import OrderedDict


class NonceStore:
    """Remembers up to `size` nonces for `ttl` seconds each.

    When full, the oldest nonce is forgotten first; `ttl` should cover the
    accepted timestamp window, so that a forgotten nonce is also too old to be
    accepted again.
    """

    def __init__(self, size=10000, ttl=600, clock=time.monotonic):
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._seen = OrderedDict()

    def _expire(self, now):
        while self._seen:
            key, seen_at = next(iter(self._seen.items()))
            if now - seen_at <= self.ttl and len(self._seen) <= self.size:
                break
            self._seen.pop(key)

    def use(self, nonce):
        """Record `nonce`; False when it was already used (a replay)."""
        now = self.clock()
        self._expire(now)
        if nonce in self._seen:
            return False
        self._seen[nonce] = now
        self._expire(now)
        return True

    def __len__(self):
        return len(self._seen)
