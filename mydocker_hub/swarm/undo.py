"""Docker calls that create something, undone when the start that made them gives up.

Docker calls run in threads: cancelling the coroutine that waits for one
(JupyterHub's timeout, a stop during the start) does not stop the call, and
the service it creates would be left behind, with nobody to remove it.
"""

import asyncio

_undoing = set()  # keeps the clean-ups alive until they finish


async def created(call, undo):
    """The result of `call` (an awaitable creating something), or its undoing if cancelled.

    If the waiter is cancelled before `call` ends, `call` still completes;
    then `undo(result)` (a coroutine function) removes what it created, and
    the cancellation goes on.
    """
    future = asyncio.ensure_future(call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        future.add_done_callback(lambda done: _undo_if_created(done, undo))
        raise


def _undo_if_created(done, undo):
    if done.cancelled() or done.exception() is not None:
        return
    task = asyncio.ensure_future(undo(done.result()))
    _undoing.add(task)
    task.add_done_callback(_undoing.discard)
