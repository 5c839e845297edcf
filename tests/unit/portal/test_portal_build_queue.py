"""The build queue's pieces that need no Docker: the live log, the context folders."""

import asyncio
import io
import os
import zipfile

import docker
import pytest

from mydocker_hub.portal.builds import archive, queue
from mydocker_hub.portal.builds.contexts import ContextStore


def test_a_live_log_wakes_its_followers_and_records_the_step():
    async def scenario():
        live = queue.LiveLog()
        waiting = asyncio.create_task(live.wait(0, timeout=5))
        await asyncio.sleep(0)
        live.append("Step 1/3 : FROM base\n")
        await asyncio.wait_for(waiting, 1)  # woken by the line, not by the timeout
        live.append(" ---> abc\n")
        assert live.step == "Step 1/3 : FROM base"
        assert live.text == "Step 1/3 : FROM base\n ---> abc\n"
        waiting = asyncio.create_task(live.wait(2, timeout=5))
        await asyncio.sleep(0)
        live.finish("OK")
        await asyncio.wait_for(waiting, 1)
        assert live.status == "OK"

    asyncio.run(scenario())


def test_a_live_log_stops_growing_at_its_limit_and_says_so(monkeypatch):
    monkeypatch.setattr(queue, "LOG_LIMIT", 100)
    live = queue.LiveLog()
    for _ in range(50):
        live.append("0123456789\n")
    assert live.lines[-1] == queue.TRUNCATED
    assert live.size <= 100 + len(queue.TRUNCATED)


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        for name, data in files.items():
            archive_file.writestr(name, data)
    return buffer.getvalue()


def upload(contexts, name, data):
    with contexts.new_upload(name) as f:
        f.write(data)
    return contexts.replace(name, f.name)


def test_a_new_context_replaces_the_old_one_whole(tmp_path):
    contexts = ContextStore(str(tmp_path))
    upload(contexts, "data", zip_of({"course/a.txt": "a", "b.txt": "bb"}))
    assert contexts.files("data") == [("b.txt", 2), ("course/a.txt", 1)]
    upload(contexts, "data", zip_of({"c.txt": "ccc"}))
    assert contexts.files("data") == [("c.txt", 3)]
    assert sorted(os.listdir(tmp_path / "data")) == ["context"]  # no upload or old folder left


def test_a_refused_upload_keeps_the_previous_context_and_leaves_nothing(tmp_path):
    contexts = ContextStore(str(tmp_path))
    upload(contexts, "data", zip_of({"a.txt": "a"}))
    with pytest.raises(archive.ArchiveRefused) as excinfo:
        upload(contexts, "data", zip_of({"../evil.txt": "x"}))
    assert excinfo.value.reason == "parent_path"
    assert contexts.files("data") == [("a.txt", 1)]
    assert sorted(os.listdir(tmp_path / "data")) == ["context"]
    assert not (tmp_path / "evil.txt").exists()


def test_an_image_without_upload_has_no_files(tmp_path):
    contexts = ContextStore(str(tmp_path))
    assert contexts.files("none") == []
    assert os.listdir(contexts.empty_folder()) == []


class FakeClient:
    """What the queue asks of docker-py's low-level client, recorded."""

    def __init__(self, push_chunks=()):
        self.push_chunks = push_chunks
        self.removed = []
        self.closed = False

    def push(self, repository, tag, stream, decode):
        self.pushed = (repository, tag)
        return iter(self.push_chunks)

    def remove_image(self, tag):
        self.removed.append(tag)

    def close(self):
        self.closed = True


def test_a_push_that_fails_ends_the_build_in_error_with_the_registrys_message(tmp_path):
    lines = []
    build_queue = queue.BuildQueue(ContextStore(str(tmp_path)), FakeClient, registry="r", db=None)
    client = FakeClient([{"status": "Pushing"}, {"error": "denied: requested access"}])
    ok = queue.BuildResult(status="OK", image_id="sha256:1")
    result = build_queue._push(client, "r/mydocker/data:3", ok, lines.append)
    assert client.pushed == ("r/mydocker/data", "3")
    assert result.status == "ERROR" and "denied" in result.error
    assert lines[-1] == "denied: requested access\n"
    assert build_queue._push(FakeClient([{"status": "Pushed"}]), "r/x:1", ok, lines.append) is ok


def test_old_builds_are_removed_and_docker_out_of_reach_is_not_an_error(tmp_path):
    client = FakeClient()
    build_queue = queue.BuildQueue(ContextStore(str(tmp_path)), lambda: client, db=None)
    build_queue.remove_images(["mydocker/data:1", "mydocker/data:2"])
    assert client.removed == ["mydocker/data:1", "mydocker/data:2"] and client.closed

    def unreachable():
        raise docker.errors.DockerException("no socket")

    queue.BuildQueue(ContextStore(str(tmp_path)), unreachable, db=None).remove_images(["x:1"])
