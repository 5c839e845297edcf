"""Choices a teacher is about to make (which environment a link opens), kept in memory."""

import secrets
import time

PENDING_TTL = 3600


class PendingChoices:
    """Payloads waiting for one user's choice, for `ttl` seconds, each usable once."""

    def __init__(self, ttl=PENDING_TTL, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._pending = {}

    def add(self, user_name, kind, payload):
        """Keep `payload` (a choice of `kind`) for `user_name`; return the id for the page."""
        now = self.clock()
        for key in [k for k, v in self._pending.items() if v[0] < now]:
            del self._pending[key]
        request_id = secrets.token_urlsafe(24)
        self._pending[request_id] = (now + self.ttl, user_name, kind, payload)
        return request_id

    def peek(self, request_id, user_name, kind):
        entry = self._pending.get(request_id)
        if entry is None or entry[0] < self.clock() or entry[1:3] != (user_name, kind):
            return None
        return entry[3]

    def pop(self, request_id, user_name, kind):
        payload = self.peek(request_id, user_name, kind)
        if payload is not None:
            del self._pending[request_id]
        return payload
