"""The hub's program: a data folder that only the hub's user reads."""

import os
import stat

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
