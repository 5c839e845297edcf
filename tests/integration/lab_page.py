"""Waiting for JupyterLab in a real browser, and saying why when it does not show."""

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

LAB_SHELL = ".jp-LabShell"


def wait_for_lab(page, timeout_ms=120_000):
    """Wait until JupyterLab's shell is visible in `page`.

    A lab that never shows fails with what the page was waiting on (requests
    without an answer, failed ones, errors of its scripts), not with a bare timeout.
    """
    try:
        page.wait_for_selector(LAB_SHELL, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"JupyterLab did not show within {timeout_ms // 1000} s at {page.url}\n"
            + diagnosis(page)
        ) from None


def diagnosis(page):
    lines = []
    for request in page.requests():
        if request.failure:
            lines.append(f"failed: {request.method} {request.url}: {request.failure}")
        elif request.timing.get("responseEnd", -1) < 0:
            lines.append(f"no answer: {request.method} {request.url}")
    for message in page.console_messages():
        if message.type in ("error", "warning"):
            lines.append(f"console {message.type}: {message.text}")
    for error in page.page_errors():
        lines.append(f"script error: {error}")
    return "\n".join(lines) or "(every request was answered, and no script failed)"
