"""Who an image's ``USER`` really is: numeric forms, and names looked up in its /etc/passwd."""

import io
import tarfile

from docker.errors import NotFound


def numeric_uid(user):
    """The uid of a ``USER`` value (``name``, ``uid``, ``uid:gid``), or None for a name.

    An empty value is root (Docker's default); ``00`` and ``0:1000`` are uid 0.
    """
    name = (user or "").split(":")[0].strip()
    if not name:
        return 0
    if name.isdigit():
        return int(name)
    return 0 if name == "root" else None


def user_name(user):
    """The name part of a ``USER`` value (``jovyan:users`` -> ``jovyan``)."""
    return (user or "").split(":")[0].strip()


def uid_in_passwd(name, passwd_text):
    """The uid of user `name` in the text of an /etc/passwd file, or None if absent."""
    for line in passwd_text.splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[0] == name and fields[2].strip().isdigit():
            return int(fields[2])
    return None


def file_from_archive(chunks):
    """The content of the single file in a tar stream (docker-py's `get_archive`)."""
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        for member in tar:
            if member.isfile():
                return tar.extractfile(member).read()
    return b""


def runs_as_root(user, passwd_text=""):
    """Whether an image's ``USER`` is root: uid 0 by number, or a name with uid 0.

    `passwd_text` is the image's /etc/passwd, needed only for a name other
    than ``root``; a name it does not list is not root (Docker refuses to
    start such a container anyway).
    """
    uid = numeric_uid(user)
    if uid is None:
        uid = uid_in_passwd(user_name(user), passwd_text)
    return uid == 0


def read_image_passwd(client, image_id):
    """The /etc/passwd of an image, from a container created but never started.

    Blocking (docker-py's low-level `client`): run it in a Docker thread.
    """
    container = client.create_container(
        image_id, command=["true"], entrypoint=[], network_disabled=True
    )
    try:
        chunks, _ = client.get_archive(container["Id"], "/etc/passwd")
        return file_from_archive(chunks).decode(errors="replace")
    except NotFound:  # no /etc/passwd: no user by name at all
        return ""
    finally:
        client.remove_container(container["Id"], force=True)
