"""The platform as an admin sees it: its nodes, their compute types and GPUs, the defaults."""

from tornado import web

from ..portal import forms
from ..portal.capacity import COMPUTE_LABEL
from ..portal.errors import PortalError
from .base import BaseHandler


class PlatformHandler(BaseHandler):
    """``GET /admin/platform``: the Swarm's ready nodes and what teachers may choose."""

    @web.authenticated
    async def get(self):
        reader = await self.get_reader()
        if not reader.admin:
            raise PortalError(403, "error_admins_only")
        nodes = await self.settings["mydocker_nodes"]()
        self.render_page(
            "mydocker-platform.html",
            nodes=nodes,
            compute_label=COMPUTE_LABEL,
            images=self.settings["mydocker_standard_images"],
            limits={"cpus": forms.MAX_CPUS, "gpus": forms.MAX_GPUS, "students": forms.MAX_STUDENTS},
        )
