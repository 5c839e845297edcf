"""What a student reads when a start fails: the task's state turned into plain words."""

from .wording import say

TERMINAL_STATES = {"failed", "rejected", "shutdown", "complete", "orphaned", "remove"}


def task_failure(state, error, exit_code=None, mem_limit="", lang="en"):
    """A sentence a student understands (in `lang`) for a task that will not run, or None."""
    error = error or ""
    lowered = error.lower()
    if "no suitable node" in lowered:
        if "insufficient resources" in lowered:
            return say(
                "No machine has enough free CPU, memory or GPUs for this environment right now. "
                "Try again in a few minutes; if it persists, tell your teacher.",
                lang,
            )
        return say(
            "No machine of the kind this environment needs is available right now ({error}). "
            "Tell your teacher.",
            lang,
            error=error,
        )
    if state not in TERMINAL_STATES:
        return None
    if "no such image" in lowered or "pull access denied" in lowered or "manifest" in lowered:
        return say(
            "The software image of this environment is not available on the machine chosen "
            "for it. Tell your teacher: the image must be built or published again.",
            lang,
        )
    if exit_code == 137 or "oom" in lowered:
        return say(
            "Your environment ran out of memory{limit} and was stopped. "
            "Free some memory (close notebooks you do not use) and start it again.",
            lang,
            limit=f" ({mem_limit})" if mem_limit else "",
        )
    if state == "rejected":
        return say(
            "The machine refused to start your environment: {error}. Tell your teacher.",
            lang,
            error=error,
        )
    detail = say(" (exit code {code})", lang, code=exit_code) if exit_code is not None else ""
    return say(
        "Your environment stopped while starting{detail}{reason}. Tell your teacher.",
        lang,
        detail=detail,
        reason=f": {error}" if error else "",
    )
