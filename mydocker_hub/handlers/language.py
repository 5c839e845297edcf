"""The language switch on every page: a cookie that wins over the browser's language."""

from tornado import web

from ..portal import i18n
from .base import BaseHandler, PortalError


class LanguageHandler(BaseHandler):
    """``POST /services/mydocker/language`` with ``lang=fr|en``: back to My environments."""

    @web.authenticated
    def post(self):
        lang = self.get_body_argument("lang", "")
        if lang not in i18n.LANGUAGES:
            raise PortalError(400, "error_400")
        self.set_cookie(
            i18n.LANGUAGE_COOKIE,
            lang,
            path=self.urls["portal"],
            expires_days=365,
            httponly=True,
            samesite="Lax",
        )
        self.redirect(self.urls["portal"])
