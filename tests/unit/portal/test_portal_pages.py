"""The portal's templates render on JupyterHub's page.html, and its settings come from the hub."""

import pytest

from mydocker_hub.portal import app, i18n
from mydocker_hub.portal.listing import Card


def render(name, lang="en", **values):
    namespace = {
        "base_url": "/hub/",
        "prefix": "/",
        "portal_url": "/services/mydocker/",
        "user": {"name": "eleve", "json_escaped_name": "eleve"},
        "login_url": "/hub/login",
        "logout_url": "/hub/logout",
        "static_url": lambda path, include_version=True: f"/hub/static/{path}",
        "no_spawner_check": True,
        "services": [],
        "parsed_scopes": set(),
        "xsrf": "X",
        "xsrf_token": "X",
        "lang": lang,
        "other_lang": i18n.other_language(lang),
        "_": i18n.translator(lang),
        "slot": lambda session: "a slot",
    }
    namespace.update(values)
    return app.jinja_environment().get_template(name).render(**namespace)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_empty_state_tells_a_student_what_to_do(lang):
    page = render("mydocker-home.html", lang=lang, cards=[])
    assert i18n.MESSAGES[lang]["empty_text"].replace("'", "&#39;") in page
    assert 'id="jupyterhub-logo"' in page  # JupyterHub's header
    assert f'<input type="hidden" name="lang" value="{i18n.other_language(lang)}" />' in page


def test_titles_and_descriptions_are_escaped():
    card = Card(
        name="x",
        title="<script>alert(1)</script>",
        description="<img src=x onerror=alert(1)>",
        status="READY",
        state="running",
        session=None,
        blocked=False,
        start_url="/hub/spawn/eleve/x",
        open_url="/user/eleve/x/",
    )
    page = render("mydocker-home.html", cards=[card])
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'action="/services/mydocker/servers/x/stop"' in page


def test_the_error_page_says_one_thing_and_offers_a_way_back():
    page = render("mydocker-error.html", lang="fr", status_code=404, message="Pas ici.")
    assert page.count("Pas ici.") == 1
    assert '<a class="btn btn-jupyter" href="/services/mydocker/">Retour' in page


def test_settings_come_from_the_service_environment():
    settings = app.settings_from_env(
        {
            "JUPYTERHUB_SERVICE_PREFIX": "/jh/services/mydocker/",
            "JUPYTERHUB_SERVICE_URL": "http://10.0.0.2:10101",
            "JUPYTERHUB_BASE_URL": "/jh/",
            "MYDOCKER_DB_URL": "sqlite:///x.sqlite",
        }
    )
    assert settings.prefix == "/jh/services/mydocker/"
    assert settings.bind == ("10.0.0.2", 10101)
    assert settings.hub_prefix == "/jh/hub/"
    assert settings.db_url == "sqlite:///x.sqlite"
    assert app.settings_from_env({}).bind == ("127.0.0.1", 10101)
