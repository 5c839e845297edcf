"""A bounded number of starts at once; the others wait in order and know their place."""

import asyncio


class StartSlots:
    """Like a semaphore, but first come first served, with queue positions."""

    def __init__(self, size):
        self.size = size
        self.running = 0
        self._waiting = []

    @property
    def queued(self):
        """How many starts wait for a slot."""
        return len(self._waiting)

    def position(self, ticket):
        """1 for the next start to go, 2 for the one after, ..."""
        return self._waiting.index(ticket) + 1

    async def acquire(self, on_position=None, report_every=1.0):
        """Wait for a slot; call `on_position(n)` whenever the place in line changes."""
        if self.running < self.size and not self._waiting:
            self.running += 1
            return
        ticket = asyncio.get_running_loop().create_future()
        self._waiting.append(ticket)
        last = None
        try:
            while not ticket.done():
                place = self.position(ticket)
                if on_position and place != last:
                    on_position(place)
                    last = place
                await asyncio.wait([ticket], timeout=report_every)
        except BaseException:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            elif ticket.done() and not ticket.cancelled():
                # The slot was handed to us as we gave up: pass it on.
                self.release()
            raise

    def release(self):
        """Give the slot to the first in line, or free it."""
        while self._waiting:
            ticket = self._waiting.pop(0)
            if not ticket.done():
                ticket.set_result(None)
                return
        self.running -= 1
