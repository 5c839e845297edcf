"""Federation logins against a real OpenID provider (oidc-provider-mock), eduPerson claims."""

import pytest
import requests
from lti_platform import LEARNER, launch


def federation_login(hub, sub, claims, next_url="/hub/home"):
    """Play the browser through /hub/oauth_login, the provider's consent form and the callback."""
    response = requests.put(f"{hub.oidc_url}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text
    session = requests.Session()
    start = session.get(
        f"{hub.url}/hub/oauth_login", params={"next": next_url}, allow_redirects=False
    )
    assert start.status_code == 302, start.text
    authorize_url = start.headers["Location"]
    assert authorize_url.startswith(hub.oidc_url)
    consent = session.post(authorize_url, data={"sub": sub}, allow_redirects=False)
    assert consent.status_code == 302, consent.text
    callback = consent.headers["Location"]
    assert callback.startswith(f"{hub.url}/hub/oauth_callback")
    return session, session.get(callback, allow_redirects=False)


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


CASES = {
    "list-valued-eppn-and-faculty-is-teacher": (
        {
            "eduPersonPrincipalName": ["Jean.Dupont@Univ.FR"],
            "eduPersonAffiliation": ["member", "faculty"],
        },
        "jean.dupont@univ.fr",
        ["teachers"],
        False,
    ),
    "string-eppn-and-student-is-student": (
        {"eduPersonPrincipalName": "lea.martin@univ.fr", "eduPersonAffiliation": "student"},
        "lea.martin@univ.fr",
        ["students"],
        False,
    ),
    "scoped-affiliation-staff-is-teacher": (
        {
            "eduPersonPrincipalName": ["paul@univ.fr"],
            "eduPersonScopedAffiliation": ["staff@univ.fr"],
        },
        "paul@univ.fr",
        ["teachers"],
        False,
    ),
    "configured-admin-user-is-admin-teacher": (
        {"eduPersonPrincipalName": ["boss@univ.fr"], "eduPersonAffiliation": ["member"]},
        "boss@univ.fr",
        ["teachers"],
        True,
    ),
}


@pytest.mark.parametrize("claims, name, groups, admin", list(CASES.values()), ids=list(CASES))
def test_federation_login_maps_claims(hub, claims, name, groups, admin):
    session, response = federation_login(hub, f"sub-{name}", claims)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert response.headers["Location"] == "/hub/home"
    model = user(hub, name)
    assert model["groups"] == groups
    assert model["admin"] is admin
    assert ("teacher" in model["roles"]) == (groups == ["teachers"])
    assert session.get(f"{hub.url}/hub/home", allow_redirects=False).status_code == 200


def test_next_to_another_site_is_refused(hub):
    claims = {"eduPersonPrincipalName": ["nina@univ.fr"], "eduPersonAffiliation": ["student"]}
    _, response = federation_login(hub, "sub-nina", claims, next_url="https://evil.example/x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/hub/")
    assert "evil" not in response.headers["Location"]


def test_a_provider_that_sends_no_eppn_gets_a_clear_403(hub):
    _, response = federation_login(hub, "sub-anonymous", {"eduPersonAffiliation": ["student"]})
    assert response.status_code == 403
    assert "eduPersonPrincipalName" in response.content.decode()


def test_login_page_offers_the_federation_and_the_local_form(hub):
    page = requests.get(f"{hub.url}/hub/login").content.decode()
    assert "Fédération Renater" in page and "Renater federation" in page
    assert 'href="/hub/oauth_login' in page
    assert 'name="password"' in page


def test_a_trusted_lms_joins_the_federation_account_an_untrusted_one_does_not(hub):
    claims = {"eduPersonPrincipalName": ["claire@univ.fr"], "eduPersonAffiliation": ["student"]}
    _, response = federation_login(hub, "sub-claire", claims)
    assert response.status_code == 302
    trusted = hub.trusted_platform.prepare(
        "moodle-claire", [LEARNER], custom={"environment": "intro"}, email="Claire@univ.fr"
    )
    landed = launch(requests.Session(), hub.trusted_platform, trusted)
    assert landed.headers["Location"] == "/hub/spawn/claire@univ.fr/intro"
    untrusted = hub.platform.prepare(
        "moodle-claire", [LEARNER], custom={"environment": "intro"}, email="claire@univ.fr"
    )
    landed = launch(requests.Session(), hub.platform, untrusted)
    assert landed.headers["Location"] == "/hub/spawn/moodle-claire@lms/intro"
