"""The LTI 1.3 platforms' public keys (their JWKS), fetched by ``kid`` and cached.

A key is looked up in the cached key set of the platform; an unknown ``kid`` makes
one refetch of the set (the platform may have rotated its key), at most every
`refetch_interval` seconds, so that bad launches cannot make us hammer the LMS.
"""

import json
import time

import jwt
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from .errors import LoginRefused
from .provider_errors import certificate_failure


class PlatformKeys:
    """Caches JWKS documents by URL and finds signing keys by ``kid``."""

    def __init__(self, ttl=3600, refetch_interval=5, fetch=None, clock=time.monotonic):
        self.ttl = ttl
        self.refetch_interval = refetch_interval
        self.clock = clock
        self._fetch = fetch or self._fetch_jwks
        self._sets = {}  # url -> (fetched_at, {kid: PyJWK})
        self.fetches = 0

    async def _fetch_jwks(self, url):
        try:
            response = await AsyncHTTPClient().fetch(url, request_timeout=10)
        except (HTTPClientError, OSError) as e:
            hint = ""
            if certificate_failure(e) is not None:
                hint = (
                    " This platform does not trust the LMS's certificate: its administrators "
                    "can add the CA that signed it with MYDOCKER_CA_FILE."
                )
            raise LoginRefused(
                502,
                f"LTI 1.3 launch refused: the LMS's key set ({url}) could not be fetched: {e}."
                + hint,
            ) from None
        return json.loads(response.body)

    async def _refresh(self, url):
        self.fetches += 1
        document = await self._fetch(url)
        keys = {}
        for data in document.get("keys", []):
            try:
                key = jwt.PyJWK(data)
            except jwt.PyJWKError:
                continue
            if data.get("kid"):
                keys[data["kid"]] = key
        self._sets[url] = (self.clock(), keys)
        return keys

    async def key(self, url, kid):
        """The public key `kid` of the key set at `url`, or `LoginRefused`."""
        now = self.clock()
        fetched_at, keys = self._sets.get(url, (None, {}))
        if fetched_at is None or now - fetched_at > self.ttl:
            keys = await self._refresh(url)
        elif kid not in keys and now - fetched_at >= self.refetch_interval:
            keys = await self._refresh(url)
        if kid not in keys:
            raise LoginRefused(
                400,
                f"LTI 1.3 launch refused: the LMS signed with an unknown key (kid {kid[:64]!r}).",
            )
        return keys[kid].key
