"""My environments in Debian's chromium, in French and English; screenshots in test-artifacts/."""

import os

import pytest

ARTIFACTS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))), "test-artifacts"
)


@pytest.mark.parametrize(
    "locale, heading, start",
    [("fr-FR", "Mes environnements", "Démarrer"), ("en-GB", "My environments", "Start")],
)
def test_a_student_logs_in_and_lands_on_my_environments(hub, browser, locale, heading, start):
    context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", "eleve")
        page.fill("#password_input", "eleve-password-1")
        page.click("#login_submit")
        page.wait_for_url(f"{hub.url}/services/mydocker/", timeout=30_000)
        assert page.locator("h1").inner_text() == heading
        cards = page.locator("article.mydocker-environment")
        assert cards.count() == 3
        assert page.locator("a.mydocker-start").first.inner_text() == start
        # the title with a <script> is shown as text, not run
        assert page.get_by_text("<script>alert('x')</script>").count() == 1
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(
            path=os.path.join(ARTIFACTS, f"portal-my-environments-{locale[:2]}.png"),
            full_page=True,
        )
    finally:
        context.close()


def test_the_language_switch_in_the_browser(hub, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", "eleve")
        page.fill("#password_input", "eleve-password-1")
        page.click("#login_submit")
        page.wait_for_url(f"{hub.url}/services/mydocker/", timeout=30_000)
        page.click("#language-switch button")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Mes environnements"
        page.goto(f"{hub.url}/hub/home")
        page.wait_for_url(f"{hub.url}/services/mydocker/", timeout=30_000)
        assert page.locator("h1").inner_text() == "Mes environnements"
    finally:
        context.close()
