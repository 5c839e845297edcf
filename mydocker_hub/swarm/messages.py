"""What a student reads when a start fails: the task's state turned into plain words."""

TERMINAL_STATES = {"failed", "rejected", "shutdown", "complete", "orphaned", "remove"}


def task_failure(state, error, exit_code=None, mem_limit=""):
    """A sentence a student understands for a task that will not run, or None."""
    error = error or ""
    lowered = error.lower()
    if "no suitable node" in lowered:
        if "insufficient resources" in lowered:
            return (
                "No machine has enough free CPU, memory or GPUs for this environment right now. "
                "Try again in a few minutes; if it persists, tell your teacher."
            )
        return (
            "No machine of the kind this environment needs is available right now "
            f"({error}). Tell your teacher."
        )
    if state not in TERMINAL_STATES:
        return None
    if "no such image" in lowered or "pull access denied" in lowered or "manifest" in lowered:
        return (
            "The software image of this environment is not available on the machine chosen "
            "for it. Tell your teacher: the image must be built or published again."
        )
    if exit_code == 137 or "oom" in lowered:
        limit = f" ({mem_limit})" if mem_limit else ""
        return (
            f"Your environment ran out of memory{limit} and was stopped. "
            "Free some memory (close notebooks you do not use) and start it again."
        )
    if state == "rejected":
        return f"The machine refused to start your environment: {error}. Tell your teacher."
    detail = f" (exit code {exit_code})" if exit_code is not None else ""
    reason = f": {error}" if error else ""
    return f"Your environment stopped while starting{detail}{reason}. Tell your teacher."
