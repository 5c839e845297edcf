"""The hub's pages that we render: they declare the reader's language.

JupyterHub's ``page.html`` writes ``<html lang="en">`` whatever the page
says. Our pages on the hub (the login page, the LTI choice pages, a refused
start, whose message the spawner writes in the browser's language) are in
French and English; they declare the language the browser prefers among
the two, so that screen readers and translators read them right.
"""

from jupyterhub.handlers.login import LoginHandler
from jupyterhub.handlers.pages import SpawnHandler

from ..portal import i18n
from .login_lookup import OneUserLookupPerLogin

STOCK_DECLARATION = '<html lang="en">'


def declare_language(html, lang):
    """`html` with its ``<html>`` element declaring `lang`."""
    return html.replace(STOCK_DECLARATION, f'<html lang="{lang}">', 1)


class DeclaredLanguage:
    """A hub handler whose pages declare the browser's language (French or English)."""

    def render_template(self, name, sync=False, **ns):
        lang = i18n.choose_language(None, self.request.headers.get("Accept-Language"))
        rendered = super().render_template(name, sync=sync, **ns)
        if sync:
            return declare_language(rendered, lang)

        async def declared():
            return declare_language(await rendered, lang)

        return declared()


class LocalizedLoginHandler(OneUserLookupPerLogin, DeclaredLanguage, LoginHandler):
    """The hub's login page (``/hub/login``), declaring the reader's language."""


class LocalizedSpawnHandler(DeclaredLanguage, SpawnHandler):
    """``/hub/spawn/...``: its pages are a refused start's, in the reader's language."""


def handlers():
    """Routes to put before JupyterHub's own: the same pages, declaring their language."""
    return [
        (r"/login", LocalizedLoginHandler),
        (r"/spawn", LocalizedSpawnHandler),
        (r"/spawn/([^/]+)", LocalizedSpawnHandler),
        (r"/spawn/([^/]+)/([^/]+)", LocalizedSpawnHandler),
    ]
