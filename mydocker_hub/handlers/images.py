"""Teachers' images: the list, a new one, its page (Dockerfile, context, builds, sharing).

As for environments, every handler reads the `Reader`, then asks
`mydocker_hub.portal.image_store` (in a thread) to act; the store checks the
reader's access to the image. A build's own page (`builds`) follows its log
live; the context is uploaded by the page's script to the API
(`images_api.ContextUploadHandler`), which answers 413 before a too large
body is read.
"""

from tornado import web

from ..portal import forms, image_forms, image_store
from ..portal.builds import starter
from ..portal.errors import InvalidInput, PortalError, VersionConflict
from .environments import TeacherHandler, display_names_of


class ImageHandlerBase(TeacherHandler):
    """What the image pages share: the portal's build settings."""

    @property
    def builds(self):
        return self.settings["mydocker_builds"]

    @property
    def contexts(self):
        return self.settings["mydocker_contexts"]

    @property
    def registry(self):
        return self.settings["mydocker_registry"]

    def image_url(self, name, rest=""):
        return f"{self.urls['portal']}images/{name}{rest}"


class ImageListHandler(ImageHandlerBase):
    """``GET /images/``: the images the teacher owns, shares or that are public."""

    @web.authenticated
    async def get(self):
        reader = await self.get_reader()
        views = await self.in_db(
            lambda s: [
                image_store.image_view(row, level, self.registry)
                for row, level in image_store.visible(s, reader)
            ]
        )
        self.render_page("mydocker-images.html", images=views)


class NewImageHandler(ImageHandlerBase):
    """``/images/new``: the form, its Dockerfile started from a platform image."""

    @web.authenticated
    async def get(self):
        standard = self.settings["mydocker_standard_images"]
        base = self.get_argument("base", standard[0] if standard else "")
        if base not in standard:
            base = standard[0] if standard else ""
        values = {
            "dockerfile": starter.starter_dockerfile(base, self.lang),
            "interfaces": ["jupyterlab"],
        }
        self.render_form(values, {})

    def render_form(self, values, errors, status_code=200):
        self.set_status(status_code)
        self.render_page(
            "mydocker-image-new.html",
            values=values,
            errors=errors,
            interfaces=image_forms.IMAGE_INTERFACES,
            standard_images=self.settings["mydocker_standard_images"],
        )

    @web.authenticated
    async def post(self):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = image_forms.parse_image(submitted)
        if not errors:
            try:
                await self.in_db(image_store.create, reader, values)
            except InvalidInput as e:
                errors = e.errors
        if errors:
            self.render_form(submitted, errors, status_code=400)
            return
        self.redirect(self.image_url(values["name"]))


class ImageHandler(ImageHandlerBase):
    """``/images/NAME``: everything about one image; ``POST`` saves its form."""

    @web.authenticated
    async def get(self, name):
        await self.show(name)

    async def show(self, name, *, form="", values=None, errors=None, status_code=None):
        reader = await self.get_reader()

        view = await self.in_db(image_store.image_detail, reader, name, self.registry)
        files = await self.in_thread(self.contexts.files, name)
        names = await self.in_db(display_names_of, [c["username"] for c in view["collaborators"]])
        if errors and status_code is None:
            status_code = 400
        self.set_status(status_code or 200)
        self.render_page(
            "mydocker-image.html",
            image=view,
            files=files,
            interfaces=image_forms.IMAGE_INTERFACES,
            upload_limit=self.contexts.limits.max_upload_bytes,
            display_names=names,
            saved=self.get_argument("saved", ""),
            form=form,
            form_values=values or {},
            errors=errors or {},
        )

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = image_forms.parse_image(submitted, creating=False)
        try:
            version = int(submitted.get("version", ""))
        except ValueError:
            raise PortalError(400, "error_400") from None
        if not errors:
            try:
                await self.in_db(image_store.update, reader, name, values, version)
            except VersionConflict as e:
                errors = {"version": "error_image_version_conflict"}
                submitted["version"] = str(e.current_version)
        if errors:
            await self.show(name, form="image", values=submitted, errors=errors)
            return
        self.redirect(self.image_url(name, "?saved=1"))


class ImageActionHandler(ImageHandlerBase):
    """``POST /images/NAME/delete``."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        tags = await self.in_db(image_store.delete, reader, name, self.registry)
        await self.in_thread(self.builds.remove_images, tags)
        await self.in_thread(self.contexts.remove, name)
        self.redirect(f"{self.urls['portal']}images/")


class ImageCollaboratorsHandler(ImageHandler):
    """``POST /images/NAME/collaborators``: share with a colleague (view or edit)."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = forms.parse_collaborator(submitted)
        await self.in_db(image_store.load, reader, name, "collaborators")
        if not errors and not await self.user_exists(values["username"]):
            errors = {"username": "field_unknown_user"}
        if not errors:
            try:
                await self.in_db(
                    image_store.set_collaborator,
                    reader,
                    name,
                    values["username"],
                    values["permission"],
                )
            except InvalidInput as e:
                errors = e.errors
        if errors:
            await self.show(name, form="collaborator", values=submitted, errors=errors)
            return
        self.redirect(self.image_url(name, "#collaborators"))


class ImageCollaboratorDeleteHandler(ImageHandlerBase):
    """``POST /images/NAME/collaborators/USER/delete``."""

    @web.authenticated
    async def post(self, name, username):
        reader = await self.get_reader()
        await self.in_db(image_store.remove_collaborator, reader, name, username)
        self.redirect(self.image_url(name, "#collaborators"))
