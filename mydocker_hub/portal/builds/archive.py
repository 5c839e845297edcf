"""Check, then extract, the build context a teacher uploads (a .zip or a .tar.gz).

An archive is untrusted input: it can name files outside the folder it is
unpacked into (``../x``, ``/etc/x``, ``C:\\x``), carry links that point out of
it, devices, or expand to far more than it weighs (a "zip bomb"). `inspect`
reads only the headers and refuses all of that before anything is written;
`extract` inspects first, then writes regular files, folders and the links
that stay inside, and still counts the bytes it really writes, because
headers can lie.

Hard links are refused altogether, wherever they point: a build context has
no use for them and refusing them all is simpler than proving each one safe.
Nothing here depends on Tornado or the database: the upload handler calls
`check_upload_size` with the Content-Length (to answer 413 before reading the
body), then `extract` on the saved file.
"""

import gzip
import os
import re
import shutil
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, replace

MIB = 2**20

# Longest symlink target read from a zip (its target is the member's content).
_MAX_LINK_TARGET = 4096
# How many links one path may go through before it is taken for a loop.
_MAX_LINK_HOPS = 40
_CHUNK = MIB
_DRIVE = re.compile(r"^[A-Za-z]:")

MESSAGES = {
    "too_large": "The file is too large to upload: the limit is {limit}.",
    "length_required": "The upload must say how large it is (a Content-Length header).",
    "not_an_archive": "The file is not a .zip or .tar.gz archive, or it is damaged.",
    "absolute_path": "The archive contains “{name}”, an absolute path; only relative paths "
    "are accepted.",
    "backslash": "The archive contains “{name}”, a name with a backslash; use “/” between folders.",
    "bad_name": "The archive contains a member with an unusable name (“{name}”).",
    "parent_path": "The archive contains “{name}”, which uses “..” to leave its folder.",
    "link_out_of_tree": "The archive contains the link “{name}”, which points outside the "
    "archive's folder.",
    "through_link": "The archive contains “{name}”, which would be written through a link.",
    "conflict": "The archive contains “{name}” twice, or inside something that is not a folder.",
    "hardlink": "The archive contains the hard link “{name}”; hard links are not accepted.",
    "device": "The archive contains “{name}”, a device, pipe or special file; only files, "
    "folders and links are accepted.",
    "encrypted": "The archive contains “{name}”, which is encrypted; upload it without a password.",
    "too_many_files": "The archive contains more than {limit} files.",
    "too_big_expanded": "The archive expands to more than {limit}.",
    "compression_ratio": "The archive expands more than {limit} times its size, which looks "
    "like a compression bomb.",
    "size_mismatch": "The archive member “{name}” holds more data than its header says.",
    "destination": "The folder to extract into must exist and be empty.",
}


@dataclass(frozen=True)
class Limits:
    """How much an upload may weigh and expand to; the defaults suit a course's files."""

    max_upload_bytes: int = 50 * MIB
    max_files: int = 10_000
    max_total_bytes: int = 500 * MIB
    max_ratio: float = 100


@dataclass(frozen=True)
class Member:
    """One entry of an archive: `kind` is "file", "dir" or "symlink" (`target` for links).

    `name` is the path it is written to, tidied (``./a//b/`` is ``a/b``);
    refusals quote the name as the archive spells it.
    """

    name: str
    size: int
    kind: str
    target: str = ""


class ArchiveRefused(Exception):
    """An upload refused; `reason` is a stable key for code, str() a sentence for teachers."""

    def __init__(self, reason, name="", limit=None):
        self.reason = reason
        self.name = name
        self.limit = limit
        super().__init__(MESSAGES[reason].format(name=name, limit=_readable(limit)))


def _readable(limit):
    """A limit as a teacher reads it: bytes in MiB, counts and ratios as they are."""
    if isinstance(limit, int) and limit >= MIB:
        return f"{limit / MIB:g} MiB"
    return f"{limit:g}" if isinstance(limit, int | float) else str(limit)


def check_upload_size(length, limits=Limits()):
    """Refuse an upload from its Content-Length alone, so the body is never read (413).

    A missing length is refused too: a chunked body's size is only known once
    it has been read, which is what this check is there to avoid.
    """
    if length is None or length == "":
        raise ArchiveRefused("length_required")
    if int(length) > limits.max_upload_bytes:
        raise ArchiveRefused("too_large", limit=limits.max_upload_bytes)


# --- names and links ---------------------------------------------------------


def _parts(name):
    """The components of a member's name, refusing any that could leave the folder.

    Checked on the raw name, before any normalisation, so that ``a/../../x``
    cannot be tidied into something harmless-looking first. "." and empty
    components are dropped (``./a//b`` is ``a/b``).
    """
    if "\x00" in name:
        raise ArchiveRefused("bad_name", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise ArchiveRefused("absolute_path", name)
    pieces = re.split(r"[/\\]", name)
    if ".." in pieces:
        raise ArchiveRefused("parent_path", name)
    if "\\" in name:
        raise ArchiveRefused("backslash", name)
    return tuple(piece for piece in pieces if piece not in ("", "."))


def _link_escapes(directory, target, links):
    """Whether `target`, read from `directory`, leads outside the tree once links are followed.

    Links are followed as the system would follow them once extracted (another
    link of the archive in the way is replaced by its own target), so that
    ``a -> .`` then ``b -> a/..`` is seen to leave, though ``a/..`` alone looks
    inside. A loop is counted as leaving.
    """
    parts = list(directory)
    pending = target.split("/")
    hops = 0
    while pending:
        piece = pending.pop(0)
        if piece in ("", "."):
            continue
        if piece == "..":
            if not parts:
                return True
            parts.pop()
            continue
        parts.append(piece)
        followed = links.get(tuple(parts))
        if followed is not None:
            hops += 1
            if hops > _MAX_LINK_HOPS:
                return True
            parts.pop()
            pending = followed.split("/") + pending
    return False


def _check_links(members):
    """Refuse links leaving the tree, and members written through a link or a file."""
    kinds = {}
    for parts, member in members:
        kinds.setdefault(parts, member.kind)
    links = {parts: m.target for parts, m in members if m.kind == "symlink"}
    for parts, member in members:
        for end in range(1, len(parts)):
            above = kinds.get(parts[:end])
            if above == "symlink":
                raise ArchiveRefused("through_link", member.name)
            if above == "file":
                raise ArchiveRefused("conflict", member.name)
        if member.kind == "symlink":
            target = member.target
            if not target or target.startswith(("/", "\\")) or _DRIVE.match(target):
                raise ArchiveRefused("link_out_of_tree", member.name)
            if "\\" in target or "\x00" in target:
                raise ArchiveRefused("link_out_of_tree", member.name)
            if _link_escapes(parts[:-1], target, links):
                raise ArchiveRefused("link_out_of_tree", member.name)


# --- readers -----------------------------------------------------------------


class _ZipReader:
    """Members of a zip from its central directory; links are told by their Unix mode."""

    def __init__(self, path):
        self.archive = zipfile.ZipFile(path)

    def close(self):
        self.archive.close()

    def entries(self):
        """(info, Member) pairs; refuses devices and encrypted members on sight."""
        for info in self.archive.infolist():
            mode = info.external_attr >> 16
            if info.flag_bits & 0x1:
                raise ArchiveRefused("encrypted", info.filename)
            if stat.S_ISLNK(mode):
                yield info, Member(info.filename, info.file_size, "symlink", self._target(info))
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
                raise ArchiveRefused("device", info.filename)
            elif stat.S_ISSOCK(mode):
                raise ArchiveRefused("device", info.filename)
            elif info.is_dir() or stat.S_ISDIR(mode):
                yield info, Member(info.filename, 0, "dir")
            else:
                yield info, Member(info.filename, info.file_size, "file")

    def _target(self, info):
        """A zip link's target is its content: read it, but never more than a path's worth."""
        if info.file_size > _MAX_LINK_TARGET:
            raise ArchiveRefused("link_out_of_tree", info.filename)
        with self.archive.open(info) as stream:
            data = stream.read(_MAX_LINK_TARGET + 1)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveRefused("link_out_of_tree", info.filename) from None

    def open(self, info):
        return self.archive.open(info)


class _TarReader:
    """Members of a tar (plain or gzip) read header by header, never the data ahead."""

    def __init__(self, path, mode):
        self.archive = tarfile.open(path, mode)

    def close(self):
        self.archive.close()

    def entries(self):
        """(info, Member) pairs; hard links and special files are refused on sight.

        Iterating lazily matters for a .tar.gz: reaching the next header
        decompresses the data before it, so the caller's limits are checked
        after every header rather than after decompressing the whole archive.
        """
        while (info := self.archive.next()) is not None:
            if info.islnk():
                raise ArchiveRefused("hardlink", info.name)
            if info.issym():
                yield info, Member(info.name, 0, "symlink", info.linkname)
            elif info.isdir():
                yield info, Member(info.name, 0, "dir")
            elif info.isreg() and info.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
                yield info, Member(info.name, info.size, "file")
            else:
                raise ArchiveRefused("device", info.name)

    def open(self, info):
        return self.archive.extractfile(info)


def _open(path):
    """A reader chosen from the file's first bytes, never from its name."""
    with open(path, "rb") as stream:
        head = stream.read(512)
    try:
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            return _ZipReader(path)
        if head[:2] == b"\x1f\x8b":
            return _TarReader(path, "r:gz")
        if head[257:262] == b"ustar":
            return _TarReader(path, "r:")
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError):
        pass
    raise ArchiveRefused("not_an_archive")


# What a damaged archive raises while it is read (gzip's errors are OSErrors).
_BROKEN = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _check(reader, compressed, limits):
    """Every member of `reader`, checked against the limits as soon as its header is read."""
    members = []
    names = {}
    total = 0
    try:
        for _info, member in reader.entries():
            parts = _parts(member.name)
            if len(members) >= limits.max_files:
                raise ArchiveRefused("too_many_files", member.name, limits.max_files)
            if member.kind == "file":
                total += member.size
            if total > limits.max_total_bytes:
                raise ArchiveRefused("too_big_expanded", member.name, limits.max_total_bytes)
            if total > limits.max_ratio * max(compressed, 1):
                raise ArchiveRefused("compression_ratio", member.name, limits.max_ratio)
            if not parts:
                if member.kind != "dir":
                    raise ArchiveRefused("bad_name", member.name)
                continue  # "./": the folder itself
            earlier = names.get(parts)
            if earlier is not None and not (earlier == "dir" == member.kind):
                raise ArchiveRefused("conflict", member.name)
            names[parts] = member.kind
            members.append((parts, _info, replace(member, name="/".join(parts))))
    except (*_BROKEN, OSError, ValueError):
        raise ArchiveRefused("not_an_archive") from None
    _check_links([(parts, member) for parts, _info, member in members])
    return members


def _size(path, limits):
    """The archive's size on disk, refused if it is more than an upload may be."""
    compressed = os.path.getsize(path)
    if compressed > limits.max_upload_bytes:
        raise ArchiveRefused("too_large", limit=limits.max_upload_bytes)
    return compressed


def inspect(path, limits=Limits()):
    """The members of the archive at `path`, or ArchiveRefused; nothing is extracted.

    Sizes are those the headers declare; `extract` checks them against the data.
    """
    compressed = _size(path, limits)
    reader = _open(path)
    try:
        return [member for _parts, _info, member in _check(reader, compressed, limits)]
    finally:
        reader.close()


# --- extraction --------------------------------------------------------------


def _inside(root, path):
    """Whether `path`, every link in it resolved, is `root` or below it."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def _folder(root, parts, name):
    """Create the folder `parts` under `root` (and its parents), refusing any link on the way."""
    path = root
    for piece in parts:
        path = os.path.join(path, piece)
        try:
            os.mkdir(path, 0o755)
            os.chmod(path, 0o755, follow_symlinks=False)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise ArchiveRefused("conflict", name) from None
    if not _inside(root, path):
        raise ArchiveRefused("through_link", name)
    return path


def copy_bounded(source, target, declared, budget, name):
    """Copy `source` to the file `target` (a descriptor), at most `declared` and `budget` bytes.

    Headers can lie about sizes: the bytes really read are counted and the copy
    stops as soon as there are more than declared or than the archive may
    expand to, so a bomb never fills the disk. Returns the number written.
    """
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > declared:
            raise ArchiveRefused("size_mismatch", name)
        if written > budget:
            raise ArchiveRefused("too_big_expanded", name, budget)
        os.write(target, chunk)
    return written


def _file(root, parts, info, member, reader, budget):
    """Write one regular file, mode 0644, never through a link nor over anything."""
    directory = _folder(root, parts[:-1], member.name)
    path = os.path.join(directory, parts[-1])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except FileExistsError:
        raise ArchiveRefused("conflict", member.name) from None
    try:
        os.fchmod(descriptor, 0o644)
        with reader.open(info) as source:
            return copy_bounded(source, descriptor, member.size, budget, member.name)
    finally:
        os.close(descriptor)


def _link(root, parts, member):
    """Create one symlink, after every file and folder, so nothing is written through it."""
    directory = _folder(root, parts[:-1], member.name)
    try:
        os.symlink(member.target, os.path.join(directory, parts[-1]))
    except FileExistsError:
        raise ArchiveRefused("conflict", member.name) from None


def _empty(destination):
    """Remove what an interrupted extraction wrote (the folder was empty before)."""
    for entry in os.scandir(destination):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)


def extract(path, destination, limits=Limits()):
    """Inspect the archive at `path`, then unpack it into `destination`, an empty folder.

    Only files (0644), folders (0755) and links staying inside are written; on
    any refusal the folder is emptied again. Returns the members written.
    """
    if os.path.islink(destination) or not os.path.isdir(destination) or os.listdir(destination):
        raise ArchiveRefused("destination")
    root = os.path.realpath(destination)
    compressed = _size(path, limits)
    reader = _open(path)
    try:
        members = _check(reader, compressed, limits)
        budget = limits.max_total_bytes
        for parts, info, member in members:
            if member.kind == "dir":
                _folder(root, parts, member.name)
            elif member.kind == "file":
                budget -= _file(root, parts, info, member, reader, budget)
        for parts, _info, member in members:
            if member.kind == "symlink":
                _link(root, parts, member)
    except Exception as error:
        _empty(root)
        if isinstance(error, _BROKEN):
            raise ArchiveRefused("not_an_archive") from None
        raise
    finally:
        reader.close()
    return [member for _parts, _info, member in members]
