"""Failed local logins, counted per account name and per client address.

After too many failures in a sliding window, further attempts are refused
until the oldest failure leaves the window, even with the right password: a
password cannot be guessed at the speed of the network. A success clears the
name's count (not the address's: one shared computer room may fail often).
Kept in memory: a hub restart forgives, which is acceptable for a slow-down.
"""

import time
from collections import OrderedDict, deque


class FailureCounter:
    """Failure times per key, at most `limit` per `window` seconds, for `max_keys` keys."""

    def __init__(self, limit, window, max_keys=10000, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.clock = clock
        self._failures = OrderedDict()  # key -> deque of times, least recently failed first

    def _recent(self, key, now):
        times = self._failures.get(key)
        if times is None:
            return ()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, key):
        """Seconds before `key` may try again (0: now)."""
        now = self.clock()
        times = self._recent(key, now)
        if len(times) < self.limit:
            return 0
        return times[-self.limit] + self.window - now

    def fail(self, key):
        now = self.clock()
        self._recent(key, now)
        times = self._failures.setdefault(key, deque(maxlen=self.limit))
        times.append(now)
        self._failures.move_to_end(key)
        # Random names must not grow memory without bound: forget the quietest keys.
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def clear(self, key):
        self._failures.pop(key, None)


class LoginLimits:
    """A name's and an address's failure counters, checked together."""

    def __init__(
        self, per_name=5, per_address=20, window=300, max_keys=10000, clock=time.monotonic
    ):
        self.names = FailureCounter(per_name, window, max_keys, clock)
        self.addresses = FailureCounter(per_address, window, max_keys, clock)

    def retry_after(self, name, address):
        """Seconds before this name from this address may try again (0: now)."""
        return max(self.names.retry_after(name), self.addresses.retry_after(address))

    def failed(self, name, address):
        self.names.fail(name)
        self.addresses.fail(address)

    def succeeded(self, name):
        self.names.clear(name)
