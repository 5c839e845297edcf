import io
import tarfile

import pytest

from mydocker_hub.swarm.passwd import (
    file_from_archive,
    numeric_uid,
    runs_as_root,
    uid_in_passwd,
    user_name,
)

PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
toor:x:0:0:another root:/root:/bin/sh
student:x:1000:1000::/home/student:/bin/sh
broken-line
"""


@pytest.mark.parametrize(
    "user, uid",
    [("", 0), (None, 0), ("0", 0), ("00", 0), ("0:0", 0), ("0:1000", 0), ("1000:0", 1000)]
    + [("root", 0), ("root:staff", 0), ("student", None), ("toor:users", None)],
)
def test_numeric_forms(user, uid):
    assert numeric_uid(user) == uid


@pytest.mark.parametrize(
    "name, uid",
    [
        ("root", 0),
        ("toor", 0),
        ("student", 1000),
        ("daemon", 1),
        ("nobody", None),
        ("broken-line", None),
    ],
)
def test_uid_in_passwd(name, uid):
    assert uid_in_passwd(name, PASSWD) == uid


@pytest.mark.parametrize(
    "user, root",
    [("toor", True), ("toor:users", True), ("student", False), ("student:0", False)]
    + [("nobody", False), ("00", True), ("0:1000", True)],
)
def test_a_name_with_uid_0_is_root(user, root):
    assert runs_as_root(user, PASSWD) is root


def test_user_name_drops_the_group():
    assert user_name("jovyan:users") == "jovyan"


def test_the_file_is_read_from_docker_s_tar_stream():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = PASSWD.encode()
        info = tarfile.TarInfo("passwd")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    chunks = [raw[i : i + 512] for i in range(0, len(raw), 512)]
    assert file_from_archive(chunks).decode() == PASSWD
