"""Builds of a teacher's image: start one, see it, cancel it, test its result.

The actions are functions shared by the pages and the API. A build's page
shows its stored log, or follows it live with the server-sent events of
``api/images/NAME/builds/N/log`` (`images_api.BuildLogHandler`).
"""

import asyncio
from urllib.parse import quote

from tornado import web

from ..portal import image_store
from ..portal.errors import PortalError
from .hubdata import environment_servers
from .images import ImageHandler, ImageHandlerBase
from .servers import stop_server

STOP_WAIT_SECONDS = 30


async def start_build(handler, reader, name):
    """Queue a build of image `name` and hand it to the queue; the build's view."""
    standard = handler.settings["mydocker_standard_images"]
    registry = handler.settings["mydocker_registry"]
    build = await handler.in_db(image_store.start_build, reader, name, standard, registry)
    handler.settings["mydocker_builds"].submit(build.id)
    handler.log.info("%s started build %s", reader.name, build.tag)
    return image_store.build_view(build)


async def cancel_build(handler, reader, name, number):
    build_id, running = await handler.in_db(image_store.cancel_queued, reader, name, number)
    queue = handler.settings["mydocker_builds"]
    if running:
        queue.cancel(build_id)
    else:
        queue.cancelled_while_queued(build_id)
    handler.log.info("%s cancelled build %s of %s", reader.name, number, name)


async def test_build(handler, reader, name, number):
    """Point the image's TEST environment at build `number`; stop the reader's server
    of it when one runs (it runs an older build). The environment's name."""
    environment = await handler.in_db(image_store.test_environment, reader, name, number)
    servers = await environment_servers(handler, environment)
    if any(s["user"] == reader.name for s in servers):
        await stop_server(handler, reader.name, environment)
        for _ in range(STOP_WAIT_SECONDS * 2):
            servers = await environment_servers(handler, environment)
            if not any(s["user"] == reader.name for s in servers):
                break
            await asyncio.sleep(0.5)
    return environment


class BuildsHandler(ImageHandler):
    """``POST /images/NAME/builds``: build the image's current Dockerfile."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        try:
            build = await start_build(self, reader, name)
        except PortalError as e:
            if e.key != "error_dockerfile_refused":
                raise
            await self.show(
                name, form="build", errors={"dockerfile": e.values["reason"]}, status_code=400
            )
            return
        self.redirect(self.image_url(name, f"/builds/{build['number']}"))


class BuildPageHandler(ImageHandlerBase):
    """``GET /images/NAME/builds/N``: the build, its log (live while it runs)."""

    @web.authenticated
    async def get(self, name, number):
        reader = await self.get_reader()

        def read(session):
            row, level = image_store.load(session, reader, name)
            _, build = image_store.load_build(session, reader, name, int(number))
            return image_store.image_view(row, level), image_store.build_view(build, with_log=True)

        image, build = await self.in_db(read)
        self.render_page("mydocker-build.html", image=image, build=build)


class BuildActionHandler(ImageHandlerBase):
    """``POST /images/NAME/builds/N/(cancel|test)``."""

    @web.authenticated
    async def post(self, name, number, action):
        reader = await self.get_reader()
        if action == "cancel":
            await cancel_build(self, reader, name, int(number))
            self.redirect(self.image_url(name, f"/builds/{number}"))
            return
        environment = await test_build(self, reader, name, int(number))
        user = quote(reader.name, safe="@~")
        self.redirect(f"{self.urls['hub_prefix']}spawn/{user}/{environment}")
