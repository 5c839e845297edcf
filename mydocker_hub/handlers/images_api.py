"""The JSON API of images and builds, under ``/services/mydocker/api/images``.

Like the environments' API (`api`): the same authentication, the same store
functions checking who may do what, JSON errors. Two handlers are special:

- `ContextUploadHandler` reads the uploaded archive as it streams in: it
  refuses it (413) from the Content-Length alone, before any of the body is
  stored, and stops writing when more than announced arrives;
- `BuildLogHandler` streams a build's log as server-sent events, the way a
  page follows it live.
"""

import json
import os

from tornado import web
from tornado.iostream import StreamClosedError

from ..portal import forms, image_forms, image_store
from ..portal.builds import archive
from ..portal.errors import InvalidInput, PortalError
from .api import APIHandler
from .builds import cancel_build, start_build, test_build

KEEPALIVE_SECONDS = 15


class ImageAPIBase(APIHandler):
    """Images are the teachers' (and admins'): a student gets 403, as for environments."""

    async def prepare(self):
        await super().prepare()
        self.require_teacher()

    @property
    def registry(self):
        return self.settings["mydocker_registry"]

    async def image(self, name, action="view"):
        return await self.in_db(image_store.image_detail, self.reader, name, self.registry, action)


class ImagesAPIHandler(ImageAPIBase):
    """``GET /api/images``: those the teacher sees; ``POST``: create one."""

    async def get(self):
        views = await self.in_db(
            lambda s: [
                image_store.image_view(r, a, self.registry)
                for r, a in image_store.visible(s, self.reader)
            ]
        )
        self.write_json({"images": views})

    async def post(self):
        body = self.json_body()
        values, errors = image_forms.parse_image(body)
        if errors:
            raise InvalidInput(errors, body)
        await self.in_db(image_store.create, self.reader, values)
        self.write_json(await self.image(values["name"]), status=201)


class ImageAPIHandler(ImageAPIBase):
    """``GET``, ``PATCH`` (with its ``version``) and ``DELETE /api/images/NAME``."""

    async def get(self, name):
        self.write_json(await self.image(name))

    async def patch(self, name):
        body = self.json_body()
        current = await self.image(name, "edit")
        merged = {**current, **body}
        values, errors = image_forms.parse_image(merged, creating=False)
        if errors:
            raise InvalidInput(errors, body)
        version = body.get("version")
        if not isinstance(version, int):
            raise InvalidInput({"version": "field_version"}, body)
        await self.in_db(image_store.update, self.reader, name, values, version)
        self.write_json(await self.image(name))

    async def delete(self, name):
        tags = await self.in_db(image_store.delete, self.reader, name, self.registry)
        await self.in_thread(self.settings["mydocker_builds"].remove_images, tags)
        await self.in_thread(self.settings["mydocker_contexts"].remove, name)
        self.set_status(204)
        self.finish()


@web.stream_request_body
class ContextUploadHandler(ImageAPIBase):
    """``PUT /api/images/NAME/context``: a .zip or .tar.gz becomes the build context;
    ``GET``: the context's files."""

    upload = None
    refusal = None  # a refused upload whose body is read and dropped before the answer
    # Up to this many times the limit, a refused body is read (and dropped) before the
    # 413: a proxy still sending it when the answer comes (configurable-http-proxy) would
    # turn it into a 503. Beyond, the answer comes at once and the connection closes.
    DRAINED_TIMES_LIMIT = 4

    async def prepare(self):
        await super().prepare()
        if self.request.method != "PUT":
            return
        name = self.path_args[0]
        await self.in_db(image_store.load, self.reader, name, "edit")
        contexts = self.settings["mydocker_contexts"]
        try:
            archive.check_upload_size(self.request.headers.get("Content-Length"), contexts.limits)
        except archive.ArchiveRefused as e:
            status = 411 if e.reason == "length_required" else 413
            refusal = PortalError(status, f"archive_{e.reason}", **refusal_values(e))
            length = int(self.request.headers.get("Content-Length") or 0)
            if (
                status == 413
                and length <= self.DRAINED_TIMES_LIMIT * contexts.limits.max_upload_bytes
            ):
                self.refusal = refusal
                return
            raise refusal from None
        self.expected = int(self.request.headers["Content-Length"])
        self.received = 0
        self.upload = contexts.new_upload(name)

    def data_received(self, chunk):
        if self.upload is None:
            return  # a GET's body, or a refused upload
        self.received += len(chunk)
        if self.received > self.expected:
            raise PortalError(400, "error_400")
        self.upload.write(chunk)

    async def get(self, name):
        await self.image(name)
        files = await self.in_thread(self.settings["mydocker_contexts"].files, name)
        self.write_json({"files": [{"path": p, "size": s} for p, s in files]})

    async def put(self, name):
        if self.refusal is not None:
            raise self.refusal
        self.upload.close()
        contexts = self.settings["mydocker_contexts"]
        try:
            members = await self.in_thread(contexts.replace, name, self.upload.name)
        except archive.ArchiveRefused as e:
            raise PortalError(400, f"archive_{e.reason}", **refusal_values(e)) from None
        finally:
            self.upload = None
        self.log.info(
            "%s uploaded a context of %d entries for %s", self.reader.name, len(members), name
        )
        files = await self.in_thread(contexts.files, name)
        self.write_json({"files": [{"path": p, "size": s} for p, s in files]})

    def on_finish(self):
        self.discard()

    def on_connection_close(self):
        self.discard()

    def discard(self):
        """An upload cut short, or refused while streaming: nothing of it is kept."""
        if self.upload is not None:
            self.upload.close()
            try:
                os.unlink(self.upload.name)
            except FileNotFoundError:
                pass
            self.upload = None


def refusal_values(error):
    """What a refusal's sentence names: the member, the limit as a teacher reads it."""
    return {"name": error.name, "limit": archive._readable(error.limit)}


class BuildsAPIHandler(ImageAPIBase):
    """``GET /api/images/NAME/builds``; ``POST``: build the current Dockerfile (202)."""

    async def get(self, name):
        image = await self.image(name)
        self.write_json({"builds": image["builds"]})

    async def post(self, name):
        build = await start_build(self, self.reader, name)
        self.write_json(build, status=202)


class BuildAPIHandler(ImageAPIBase):
    """``GET /api/images/NAME/builds/N``: the build with its log (so far)."""

    async def get(self, name, number):
        def read(session):
            _, build = image_store.load_build(session, self.reader, name, int(number))
            return build.id, image_store.build_view(build, with_log=True)

        build_id, view = await self.in_db(read)
        live = self.settings["mydocker_builds"].live.get(build_id)
        if live is not None and view["status"] in image_store.UNDER_WAY:
            view["log"], view["step"] = live.text, live.step
        self.write_json(view)


class BuildActionAPIHandler(ImageAPIBase):
    """``POST /api/images/NAME/builds/N/cancel`` (202), ``.../test`` (the environment)."""

    async def post(self, name, number, action):
        if action == "cancel":
            await cancel_build(self, self.reader, name, int(number))
            self.write_json({"number": int(number), "cancelling": True}, status=202)
            return
        environment = await test_build(self, self.reader, name, int(number))
        user = self.reader.name
        self.write_json(
            {
                "environment": environment,
                "spawn_url": f"{self.urls['hub_prefix']}spawn/{user}/{environment}",
            }
        )


class ImageCollaboratorAPIHandler(ImageAPIBase):
    """``PUT /api/images/NAME/collaborators/USER`` (``{"permission"}``), ``DELETE``."""

    async def put(self, name, username):
        body = self.json_body()
        values, errors = forms.parse_collaborator({**body, "username": username})
        await self.in_db(image_store.load, self.reader, name, "collaborators")
        if not errors and not await self.user_exists(username):
            errors = {"username": "field_unknown_user"}
        if errors:
            raise InvalidInput(errors, body)
        await self.in_db(
            image_store.set_collaborator, self.reader, name, username, values["permission"]
        )
        self.write_json(await self.image(name))

    async def delete(self, name, username):
        await self.in_db(image_store.remove_collaborator, self.reader, name, username)
        self.set_status(204)
        self.finish()


class BuildLogHandler(ImageAPIBase):
    """``GET /api/images/NAME/builds/N/log``: the log as server-sent events.

    Each line is a ``message`` event (``{"line": ..., "step": ...}``), then one
    ``end`` event with the outcome (``{"status", "error", "root_warning"}``).
    A finished build sends its stored log at once.
    """

    async def get(self, name, number):
        def read(session):
            return image_store.load_build(session, self.reader, name, int(number))[1]

        build = await self.in_db(read)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")  # a proxy in front must not hold lines
        live = self.settings["mydocker_builds"].live.get(build.id)
        try:
            if live is None:
                for line in build.log.splitlines(keepends=True):
                    self.event("message", {"line": line})
            else:
                await self.follow(live)
                build = await self.in_db(read)
            self.event(
                "end",
                {"status": build.status, "error": build.error, "root_warning": build.root_warning},
            )
            await self.flush()
        except StreamClosedError:
            return  # the page was closed: the build goes on
        self.finish()

    async def follow(self, live):
        seen = 0
        await self.flush()  # the headers: the page knows the stream is open
        while True:
            await live.wait(seen, KEEPALIVE_SECONDS)
            lines = live.lines[seen:]
            for line, step in zip(lines, live.steps[seen:], strict=True):
                self.event("message", {"line": line, "step": step})
            seen += len(lines)
            if not lines and not live.status:
                self.write(": still building\n\n")  # keeps proxies from closing the stream
            await self.flush()
            if live.status and seen >= len(live.lines):
                return

    def event(self, kind, data):
        if kind != "message":
            self.write(f"event: {kind}\n")
        self.write(f"data: {json.dumps(data)}\n\n")
