"""The progress of a start, live on "My environments": the hub's event stream, passed on.

The page cannot read the hub's progress stream itself (it lives under
``/hub/api``, behind the hub's own XSRF token), so the portal reads it with
its own token (``read:servers``) for the user asking, and passes each event
on as it comes. A user only ever gets the stream of their own server.
"""

from urllib.parse import quote

from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.iostream import StreamClosedError

from .api import APIHandler

# As long as a start may take: queue, image pull, then the server's own start.
STREAM_TIMEOUT = 30 * 60


class ProgressAPIHandler(APIHandler):
    """``GET /api/me/environments/ENV/progress``: server-sent events of the start of ENV."""

    async def get(self, environment):
        user = quote(self.reader.name, safe="")
        url = f"{self.hub_auth.api_url}/users/{user}/servers/{environment}/progress"
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")
        request = HTTPRequest(
            url,
            headers={"Authorization": f"token {self.hub_auth.api_token}"},
            header_callback=self.read_status,
            streaming_callback=self.pass_on,
            request_timeout=STREAM_TIMEOUT,
        )
        try:
            await AsyncHTTPClient().fetch(request)
        except HTTPClientError as e:
            if e.code == 599 and self.request.connection.stream.closed():
                return  # the page went away
            # no such server (404) or not starting: the page reads the state instead
            self.write(f"event: gone\ndata: {e.code}\n\n")
        except StreamClosedError:
            return
        self.finish()

    hub_status = None

    def read_status(self, line):
        if line.startswith("HTTP/"):
            self.hub_status = int(line.split()[1])

    def pass_on(self, chunk):
        if self.request.connection.stream.closed():
            raise web.HTTPError(499)  # stops the hub's stream too
        if self.hub_status != 200:
            return  # the hub's error: said once, as the "gone" event
        self.write(chunk)
        self.flush()
