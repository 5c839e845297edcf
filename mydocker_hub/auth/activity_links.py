"""``/hub/lti/link``: a teacher chooses the environment an LMS activity opens.

For activities that name no environment (an LTI 1.1 link without
``custom_environment``, an LTI 1.3 link made without deep linking): at the
first launch by a teacher, the teacher picks one of their READY environments;
every later launch of that activity opens it.

The pending choice, the link and the enrolment are database writes: they run
in threads, off the hub's event loop.
"""

import asyncio

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from tornado import web

from .errors import LoginRefused
from .identity import Identity
from .pages import DeclaredLanguage
from .redirects import environment_url

KIND = "activity"


def choice_url(hub_base_url, request_id):
    return url_path_join(hub_base_url, "lti/link") + f"?request={request_id}"


def launch_of(payload):
    """The activity of a pending choice, and the launch's `Identity` (its LMS part).

    The payload is `authenticator.activity_payload`; a choice made before the hub
    kept it (a plain activity string) has no launch.
    """
    if not isinstance(payload, dict):
        return payload, None
    identity = Identity(
        source=payload.get("source", ""),
        issuer=payload.get("issuer", ""),
        subject="",
        activity=payload.get("activity", ""),
        context=payload.get("context", ""),
        context_title=payload.get("context_title", ""),
        activity_title=payload.get("activity_title", ""),
    )
    return identity.activity, identity


class ActivityLinkHandler(DeclaredLanguage, BaseHandler):
    """Shows the picker (GET) and records the teacher's choice (POST)."""

    def _expired(self):
        return LoginRefused(
            400,
            "This choice has expired: open the activity again from the LMS. / "
            "Ce choix a expiré : rouvrez l'activité depuis la plateforme pédagogique.",
        )

    @web.authenticated
    async def get(self):
        request_id = self.get_argument("request", "")
        user = self.current_user
        pending = self.authenticator.pending_choices
        if await asyncio.to_thread(pending.peek, request_id, user.name, KIND) is None:
            raise self._expired()
        html = await self.render_template(
            "mydocker-deep-linking.html",
            environments=await asyncio.to_thread(self.authenticator.linkable_environments, user),
            request_id=request_id,
            action=url_path_join(self.hub.base_url, "lti/link"),
            multiple=False,
        )
        self.finish(html)

    @web.authenticated
    async def post(self):
        user = self.current_user
        payload = await asyncio.to_thread(
            self.authenticator.pending_choices.pop,
            self.get_body_argument("request_id", ""),
            user.name,
            KIND,
        )
        if payload is None:
            raise self._expired()
        activity, launch = launch_of(payload)
        allowed = {
            env.name
            for env in await asyncio.to_thread(self.authenticator.linkable_environments, user)
        }
        chosen = self.get_body_argument("environment", "")
        if chosen not in allowed:
            self.redirect(url_path_join(self.hub.base_url, "home"))
            return
        await asyncio.to_thread(self.authenticator.links.link_activity, activity, chosen, user.name)
        self.log.info("Activity %s linked to %s by %s", activity, chosen, user.name)
        await asyncio.to_thread(self.authenticator.catalog.enrol, chosen, user.name)
        if launch is not None:
            await asyncio.to_thread(self.authenticator.record_lms_link, launch, chosen)
        self.redirect(environment_url(self.hub.base_url, user.name, chosen))
