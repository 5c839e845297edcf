"""The hub's program: a data folder that only the hub's user reads; what its start loaded is
left out of later garbage collections."""

import gc
import os
import stat
import weakref

from mydocker_hub import app


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_data_folder_and_what_is_in_it_become_private(tmp_path):
    (tmp_path / "jupyterhub.sqlite").write_text("")
    (tmp_path / "jupyterhub.sqlite").chmod(0o644)
    (tmp_path / "images").mkdir(mode=0o755)
    tmp_path.chmod(0o755)
    umask = os.umask(0o022)
    try:
        app.keep_private(str(tmp_path))
        assert mode(tmp_path) == 0o700
        assert mode(tmp_path / "jupyterhub.sqlite") == 0o600
        assert mode(tmp_path / "images") == 0o700
        # and what the hub writes from now on
        (tmp_path / "new-secret").write_text("")
        assert mode(tmp_path / "new-secret") == 0o600
    finally:
        os.umask(umask)


class Node:
    """An object in a reference cycle, which only the garbage collector frees."""

    def __init__(self):
        self.me = self


def test_what_the_start_loaded_is_left_out_of_later_collections_but_garbage_is_not():
    in_use, garbage = Node(), Node()
    garbage_ref = weakref.ref(garbage)
    del garbage
    try:
        app.freeze_what_start_loaded()
        assert garbage_ref() is None, "garbage must be collected, not frozen"
        assert gc.get_freeze_count() > 0
        # no collection goes through it any more
        assert not any(o is in_use for o in gc.get_objects())
    finally:
        gc.unfreeze()
