"""Local logins: repeated wrong passwords lock the name for a while, with a message."""

import re

import requests

from mydocker_hub import accounts, db


def login(hub, name, password):
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login").content.decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    return session.post(
        f"{hub.url}/hub/login",
        data={"username": name, "password": password, "_xsrf": xsrf},
        allow_redirects=False,
    )


def test_five_wrong_passwords_lock_the_name_even_with_the_right_one(hub):
    db.configure(hub.db_url)
    accounts.create("guessed", "student", password="guessed-password-1")
    assert login(hub, "guessed", "guessed-password-1").status_code == 302
    for _ in range(5):
        assert login(hub, "guessed", "wrong-password").status_code == 403
    refused = login(hub, "guessed", "guessed-password-1")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed logins" in page
    assert "Trop d&#39;échecs" in page or "Trop d'échecs" in page
    # other names from the same computer still log in
    assert login(hub, "eleve", "eleve-password-1").status_code == 302


def test_the_login_page_declares_the_browsers_language(hub):
    # JupyterHub's page.html says English whatever the page: ours follows the browser
    french = requests.get(f"{hub.url}/hub/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    english = requests.get(f"{hub.url}/hub/login", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text
    assert 'id="login_submit"' in french.text  # the same login page, the form included


def test_a_page_that_does_not_exist_says_so_plainly_with_the_way_back(hub):
    response = requests.get(f"{hub.url}/hub/no-such-page")
    assert response.status_code == 404
    page = response.text
    assert "lots of moons" not in page
    assert "There is no such page." in page and "Cette page n'existe pas." in page
    assert 'class="btn btn-jupyter mydocker-way-back" href="/services/mydocker/"' in page
    assert page.count("Something went wrong") == 1
