"""The build context a teacher uploads: what is refused, and what is extracted exactly.

Every archive is crafted here with the standard library. Each refused case
checks its reason, that the destination is still empty and that nothing
appeared anywhere else under the test's folder.
"""

import io
import os
import stat
import struct
import tarfile
import time
import zipfile

import pytest

from mydocker_hub.portal.builds import archive
from mydocker_hub.portal.builds.archive import (
    ArchiveRefused,
    Limits,
    Member,
    check_upload_size,
    copy_bounded,
    extract,
    inspect,
)

MIB = 2**20
DEFAULTS = Limits()


# --- crafting archives ---------------------------------------------------------


def zip_of(path, entries):
    """A zip of `entries`: (name, bytes) pairs, or (ZipInfo, bytes) for modes and links."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries:
            bundle.writestr(name, data)
    return path


def zip_link(name, target):
    """A zip member that unzip (and `archive`) sees as a symlink: S_IFLNK in external_attr."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def tar_member(name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def tar_of(path, members, mode="w:gz"):
    """A tar (gzip by default) of `tar_member` pairs."""
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as bundle:
        for info, data in members:
            bundle.addfile(info, data)
    return path


def everything(folder):
    """Every path under `folder`, links not followed, relative to it."""
    found = set()
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(top, name), folder))
    return found


@pytest.fixture
def place(tmp_path):
    """(uploads folder, empty destination); checks afterwards nothing escaped the destination."""
    uploads = tmp_path / "uploads"
    destination = tmp_path / "dest"
    uploads.mkdir()
    destination.mkdir()
    yield uploads, destination
    outside = {p for p in everything(tmp_path) if not p.startswith("dest")}
    assert outside == {"uploads"} | {os.path.join("uploads", name) for name in os.listdir(uploads)}


def refused(path, destination, reason, limits=DEFAULTS):
    """Assert both `inspect` and `extract` refuse for `reason` and nothing was written."""
    with pytest.raises(ArchiveRefused) as seen:
        inspect(path, limits)
    assert seen.value.reason == reason
    with pytest.raises(ArchiveRefused) as seen:
        extract(path, destination, limits)
    assert seen.value.reason == reason
    assert os.listdir(destination) == []
    return seen.value


# --- paths leaving the folder ----------------------------------------------------


@pytest.mark.parametrize("name", ["../evil", "a/../../evil", "a/b/../../../evil", "./../evil"])
def test_zip_slip_is_refused(place, name):
    uploads, destination = place
    bundle = zip_of(uploads / "ctx.zip", [("fine.txt", b"ok"), (name, b"pwned")])
    error = refused(bundle, destination, "parent_path")
    assert error.name == name
    assert not (destination.parent / "evil").exists()


@pytest.mark.parametrize("name", ["../evil", "sub/../../evil", "sub/.."])
def test_tar_with_parent_components_is_refused(place, name):
    uploads, destination = place
    bundle = tar_of(uploads / "ctx.tar.gz", [tar_member("ok.txt", data=b"ok"), tar_member(name)])
    refused(bundle, destination, "parent_path")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/ABS/evil", "absolute_path"),
        ("C:/evil", "absolute_path"),
        ("c:evil", "absolute_path"),
        ("\\evil", "absolute_path"),
        ("a\\..\\..\\evil", "parent_path"),
        ("folder\\evil", "backslash"),
    ],
)
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_absolute_and_windows_paths_are_refused(place, tmp_path, name, reason, kind):
    uploads, destination = place
    name = name.replace("/ABS", str(tmp_path))  # a real place the extraction could reach
    if kind == "zip":
        # zipfile.writestr would turn "/abs" into "abs": write the name as given
        info = zipfile.ZipInfo("placeholder")
        info.filename = name
        bundle = zip_of(uploads / "ctx.zip", [(info, b"pwned")])
    else:
        bundle = tar_of(uploads / "ctx.tar", [tar_member(name, data=b"pwned")], mode="w")
    error = refused(bundle, destination, reason)
    assert error.name == name
    assert not (tmp_path / "evil").exists()


# --- links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "links",
    [
        [("out", "../outside")],
        [("out", "/etc/passwd")],
        [("sub/out", "../../outside")],
        [("sub/out", "./../x/../../outside")],
        [("here", "."), ("out", "here/..")],  # inside each alone, outside together
        [("loop1", "loop2/x"), ("loop2", "loop1/x")],
        [("out", "C:/Windows")],
    ],
)
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_links_leaving_the_folder_are_refused(place, links, kind):
    uploads, destination = place
    if kind == "zip":
        entries = [("sub/", b"")] + [zip_link(name, target) for name, target in links]
        bundle = zip_of(uploads / "ctx.zip", entries)
    else:
        members = [tar_member("sub", tarfile.DIRTYPE, mode=0o755)]
        members += [tar_member(name, tarfile.SYMTYPE, linkname=t) for name, t in links]
        bundle = tar_of(uploads / "ctx.tar.gz", members)
    error = refused(bundle, destination, "link_out_of_tree")
    assert error.name in {name for name, _target in links}


def test_a_file_written_through_a_link_is_refused(place):
    """Even a link staying inside: writing through it would follow it."""
    uploads, destination = place
    bundle = tar_of(
        uploads / "ctx.tar.gz",
        [
            tar_member("real", tarfile.DIRTYPE, mode=0o755),
            tar_member("alias", tarfile.SYMTYPE, linkname="real"),
            tar_member("alias/file.txt", data=b"x"),
        ],
    )
    refused(bundle, destination, "through_link")


@pytest.mark.parametrize("target", ["inside.txt", "../../etc/passwd", "/etc/passwd"])
def test_every_hard_link_is_refused(place, target):
    uploads, destination = place
    bundle = tar_of(
        uploads / "ctx.tar.gz",
        [tar_member("inside.txt", data=b"x"), tar_member("hard", tarfile.LNKTYPE, linkname=target)],
    )
    error = refused(bundle, destination, "hardlink")
    assert error.name == "hard"


# --- special files -------------------------------------------------------------


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_devices_and_fifos_in_a_tar_are_refused(place, kind):
    uploads, destination = place
    bundle = tar_of(uploads / "ctx.tar.gz", [tar_member("ok", data=b"x"), tar_member("dev", kind)])
    error = refused(bundle, destination, "device")
    assert error.name == "dev"


@pytest.mark.parametrize("mode", [stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK])
def test_devices_and_fifos_in_a_zip_are_refused(place, mode):
    uploads, destination = place
    info = zipfile.ZipInfo("dev")
    info.create_system = 3
    info.external_attr = (mode | 0o644) << 16
    bundle = zip_of(uploads / "ctx.zip", [(info, b"")])
    refused(bundle, destination, "device")


def test_the_same_name_twice_is_refused(place):
    """A second member would overwrite the first, or turn it into a link."""
    uploads, destination = place
    bundle = tar_of(
        uploads / "ctx.tar.gz",
        [tar_member("a.txt", data=b"1"), tar_member("a.txt", tarfile.SYMTYPE, linkname="b")],
    )
    refused(bundle, destination, "conflict")


def test_an_encrypted_zip_member_is_refused(place):
    """zipfile cannot extract it without the password: say so rather than fail later."""
    uploads, destination = place
    bundle = zip_of(uploads / "ctx.zip", [("secret.txt", b"data")])
    data = bytearray(bundle.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 0x1)
    bundle.write_bytes(bytes(data))
    refused(bundle, destination, "encrypted")


# --- sizes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A zip of one honest 200 MB file of zeros: about 1 MB on disk (level 1 is fast)."""
    path = tmp_path_factory.mktemp("bomb") / "zeros.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        with bundle.open("zeros.bin", "w", force_zip64=True) as stream:
            chunk = bytes(4 * MIB)
            for _ in range(50):
                stream.write(chunk)
    return path


def test_a_bomb_over_the_expanded_limit_is_refused(place, bomb):
    _uploads, destination = place
    limits = Limits(max_total_bytes=100 * MIB, max_ratio=10**6)
    started = time.perf_counter()
    error = refused(bomb, destination, "too_big_expanded", limits)
    assert time.perf_counter() - started < 1  # from the headers: nothing decompressed
    assert "100 MiB" in str(error)


def test_a_bomb_over_the_ratio_is_refused_with_the_default_limits(place, bomb):
    """200 MB is under the default 500 MiB, but it is ~200 times the archive's size."""
    _uploads, destination = place
    refused(bomb, destination, "compression_ratio")


def lying_zip(path, real, declared):
    """A zip whose one member holds `real` bytes while both of its headers say `declared`."""
    zip_of(path, [("liar.bin", bytes(real))])
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))
    return path


def test_a_zip_lying_about_its_size_is_caught_while_extracting(place):
    """The headers say 1 000 bytes (nothing to refuse); the data is 1 MiB."""
    uploads, destination = place
    bundle = lying_zip(uploads / "liar.zip", real=MIB, declared=1000)
    assert inspect(bundle) == [Member("liar.bin", 1000, "file")]
    with pytest.raises(ArchiveRefused) as seen:
        extract(bundle, destination)
    assert seen.value.reason == "not_an_archive"  # zipfile stops at 1 000 bytes: bad CRC
    assert os.listdir(destination) == []


def test_a_stream_longer_than_declared_stops_the_extraction(place, monkeypatch):
    """Should a reader give more than the header said, extract stops and cleans up."""
    uploads, destination = place
    bundle = zip_of(uploads / "ctx.zip", [("first.txt", b"1"), ("big.bin", b"0123456789")])
    real_open = zipfile.ZipFile.open

    def generous(self, name, *args, **kwargs):
        if getattr(name, "filename", name) == "big.bin":
            return io.BytesIO(bytes(2 * MIB))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", generous)
    with pytest.raises(ArchiveRefused) as seen:
        extract(bundle, destination)
    assert seen.value.reason == "size_mismatch"
    assert seen.value.name == "big.bin"
    assert os.listdir(destination) == []


def test_copy_bounded_counts_the_bytes_really_read(tmp_path):
    descriptor = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        assert copy_bounded(io.BytesIO(b"12345"), descriptor, 5, 5, "f") == 5
        with pytest.raises(ArchiveRefused) as seen:
            copy_bounded(io.BytesIO(b"123456"), descriptor, 5, 100, "f")
        assert seen.value.reason == "size_mismatch"
        with pytest.raises(ArchiveRefused) as seen:
            copy_bounded(io.BytesIO(b"123456"), descriptor, 100, 5, "f")
        assert seen.value.reason == "too_big_expanded"
    finally:
        os.close(descriptor)


def test_the_file_count_limit_is_exact(place):
    uploads, destination = place
    names = [(f"f{number}.txt", b"") for number in range(101)]
    limits = Limits(max_files=100)
    assert len(inspect(zip_of(uploads / "100.zip", names[:100]), limits)) == 100
    error = refused(zip_of(uploads / "101.zip", names), destination, "too_many_files", limits)
    assert error.name == "f100.txt"


def test_ten_thousand_and_one_files_are_refused_quickly_by_default(place):
    uploads, destination = place
    members = [tar_member(f"d{n // 1000}/f{n}") for n in range(10_001)]
    bundle = tar_of(uploads / "many.tar.gz", members)
    for check in (inspect, lambda path: extract(path, destination)):
        started = time.perf_counter()
        with pytest.raises(ArchiveRefused) as seen:
            check(bundle)
        assert time.perf_counter() - started < 3
        assert seen.value.reason == "too_many_files"
        assert seen.value.name == "d10/f10000"
    assert os.listdir(destination) == []
    assert "10000 files" in str(seen.value)


def test_an_upload_too_large_is_refused_from_its_length():
    check_upload_size(50 * MIB)
    check_upload_size("1024", Limits())
    with pytest.raises(ArchiveRefused) as seen:
        check_upload_size(50 * MIB + 1)
    assert seen.value.reason == "too_large"
    assert str(seen.value) == "The file is too large to upload: the limit is 50 MiB."
    with pytest.raises(ArchiveRefused) as seen:
        check_upload_size(None)
    assert seen.value.reason == "length_required"


def test_an_archive_file_too_large_is_refused(place):
    uploads, destination = place
    bundle = zip_of(uploads / "ctx.zip", [("a.txt", os.urandom(4096))])
    refused(bundle, destination, "too_large", Limits(max_upload_bytes=1024))


# --- what is not an archive ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.zip", b"just some text, named like a zip\n" * 20),
        ("notes.tar.gz", b"PK\x03\x04 but no zip after it" * 20),
        ("empty.zip", b""),
    ],
)
def test_text_is_not_an_archive(place, name, content):
    uploads, destination = place
    path = uploads / name
    path.write_bytes(content)
    error = refused(path, destination, "not_an_archive")
    assert str(error).endswith(".")


def test_a_gzipped_file_that_is_not_a_tar_is_not_an_archive(place):
    import gzip

    uploads, destination = place
    path = uploads / "notes.tar.gz"
    path.write_bytes(gzip.compress(b"hello\n" * 100))
    refused(path, destination, "not_an_archive")


def test_the_format_comes_from_the_content_not_the_name(place):
    uploads, destination = place
    bundle = tar_of(uploads / "really-a-tar.zip", [tar_member("a.txt", data=b"tar")])
    assert extract(bundle, destination) == [Member("a.txt", 3, "file")]
    assert (destination / "a.txt").read_bytes() == b"tar"


def test_the_destination_must_be_an_empty_folder(place):
    uploads, destination = place
    bundle = zip_of(uploads / "ctx.zip", [("a.txt", b"a")])
    (destination / "already.txt").write_text("here")
    with pytest.raises(ArchiveRefused) as seen:
        extract(bundle, destination)
    assert seen.value.reason == "destination"
    assert os.listdir(destination) == ["already.txt"]
    os.unlink(destination / "already.txt")


# --- a good archive ------------------------------------------------------------


GOOD = {
    "Dockerfile": b"FROM python:3.12\nCOPY . /course\n",
    "data/raw/scores.csv": b"name,score\nada,20\n",
    "notebooks/week1/intro.ipynb": b'{"cells": []}',
    "scripts/run.sh": b"#!/bin/sh\necho hi\n",
}


def good_zip(path):
    entries = [("notebooks/", b""), ("notebooks/week1/", b""), ("empty/", b"")]
    entries += list(GOOD.items())
    entries.append(zip_link("notebooks/week1/scores.csv", "../../data/raw/scores.csv"))
    return zip_of(path, entries)


def good_tar(path):
    members = [
        tar_member("./", tarfile.DIRTYPE, mode=0o755),
        tar_member("./notebooks", tarfile.DIRTYPE, mode=0o777),
        tar_member("./notebooks/week1", tarfile.DIRTYPE, mode=0o2775),
        tar_member("./empty", tarfile.DIRTYPE, mode=0o700),
    ]
    for name, data in GOOD.items():
        members.append(tar_member(f"./{name}", data=data, mode=0o4755))  # setuid dropped
    members.append(
        tar_member(
            "./notebooks/week1/scores.csv", tarfile.SYMTYPE, linkname="../../data/raw/scores.csv"
        )
    )
    return tar_of(path, members)


@pytest.fixture
def strict_umask():
    """A umask that would leave files unreadable to others: extract sets modes itself."""
    previous = os.umask(0o077)
    yield
    os.umask(previous)


@pytest.mark.parametrize("build", [good_zip, good_tar])
def test_a_good_archive_is_extracted_exactly(place, build, strict_umask):
    uploads, destination = place
    bundle = build(uploads / "good.bin")
    members = extract(bundle, destination)
    assert members == inspect(bundle)
    link = destination / "notebooks/week1/scores.csv"
    assert os.readlink(link) == "../../data/raw/scores.csv"
    assert link.read_bytes() == GOOD["data/raw/scores.csv"]
    assert everything(destination) == {
        "Dockerfile",
        "data",
        "data/raw",
        "data/raw/scores.csv",
        "empty",
        "notebooks",
        "notebooks/week1",
        "notebooks/week1/intro.ipynb",
        "notebooks/week1/scores.csv",
        "scripts",
        "scripts/run.sh",
    }
    for name, data in GOOD.items():
        assert (destination / name).read_bytes() == data
        assert stat.S_IMODE((destination / name).lstat().st_mode) == 0o644
    for folder in ("data", "data/raw", "empty", "notebooks", "notebooks/week1", "scripts"):
        assert stat.S_IMODE((destination / folder).lstat().st_mode) == 0o755
    kinds = {member.name: member.kind for member in members}
    assert kinds["notebooks/week1/scores.csv"] == "symlink"
    assert kinds["notebooks/week1"] == "dir"
    assert kinds["Dockerfile"] == "file"


def test_the_message_names_the_member_in_one_sentence():
    error = ArchiveRefused("parent_path", "../evil")
    assert str(error) == "The archive contains “../evil”, which uses “..” to leave its folder."
    assert set(archive.MESSAGES) >= {
        "too_large",
        "not_an_archive",
        "absolute_path",
        "parent_path",
        "link_out_of_tree",
        "hardlink",
        "device",
        "too_many_files",
        "too_big_expanded",
        "compression_ratio",
    }
