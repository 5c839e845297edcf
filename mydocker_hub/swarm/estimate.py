"""How long a start waits in line, estimated from how long recent starts took."""

import math
from collections import deque
from statistics import median

from .wording import say


class StartDurations:
    """The last few durations of starts that held a start slot, and what they predict.

    A start in line at place ``n`` gets a slot when ``n`` of the starts under
    way have finished. With ``slots`` starts running side by side, each
    lasting about the median of the recent ones, that is after about
    ``ceil(n / slots)`` medians.
    """

    def __init__(self, keep=20):
        self._durations = deque(maxlen=keep)

    def record(self, seconds):
        """Note how long a successful start held its slot."""
        self._durations.append(seconds)

    def typical(self):
        """The median of the recent starts (seconds), or None before the first one."""
        return median(self._durations) if self._durations else None

    def wait(self, position, slots):
        """Seconds until the start at `position` in line (1 = next) gets a slot, or None."""
        typical = self.typical()
        if typical is None or slots < 1:
            return None
        return math.ceil(position / slots) * typical


def about(seconds, lang="en"):
    """A duration as a student reads it: "about 20 s", "about 3 min"."""
    if seconds < 60:
        return say("about {seconds} s", lang, seconds=max(5, 5 * round(seconds / 5)))
    return say("about {minutes} min", lang, minutes=round(seconds / 60))


def queue_message(position, wait, lang="en"):
    """The progress line of a start waiting in line at `position`, expecting `wait` seconds."""
    if position > 1:
        ahead = say("{count} start(s) before yours", lang, count=position - 1)
    else:
        ahead = say("yours is next", lang)
    if wait is None:
        return say("Many servers are starting: waiting in line ({ahead})", lang, ahead=ahead)
    return say(
        "Many servers are starting: waiting in line ({ahead}, {expected})",
        lang,
        ahead=ahead,
        expected=about(wait, lang),
    )
