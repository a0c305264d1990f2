"""A live workshop in three Chromium windows against the real ASGI server (uvicorn) with a
file database: the facilitator runs it, two guests join by code, and everything anyone does
shows up for everyone within two seconds.

pytest-django's live server speaks WSGI only (no websockets), so the server runs as a
subprocess on a free port, with its own data folder prepared by a small script in the same
environment."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .live_server import PROJECT, prepare, running_server, server_env

pytestmark = pytest.mark.browser

SEEN_WITHIN = 2_000  # milliseconds

SETUP = (
    PROJECT
    + """
EcosystemMap.objects.create(project=project, title="Waste data")
workshop = agenda.create_workshop(
    project, title="Bins workshop", date=datetime.now(UTC), facilitator=fac
)
controls.open_for_joining(workshop)
browser = Client()
browser.force_login(fac)
print(json.dumps({
    "room": workshop.get_room_url(),
    "code": workshop.join_code,
    "session": browser.cookies["sessionid"].value,
}))
"""
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict]]:
    """The real server on a free port, and what the setup script made (room, code, the
    facilitator's session)."""
    env = server_env(tmp_path / "home")
    made = prepare(env, SETUP)
    with running_server(env) as url:
        yield url, made


def window(browser: Browser) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    return page


def join_as_guest(browser: Browser, url: str, code: str, name: str) -> Page:
    page = window(browser)
    page.goto(f"{url}/join/")
    page.locator("main input[name=code]").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.locator("main input[name=display_name]").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    expect(page.locator("#live-status")).to_have_text("Live")
    return page


def test_three_people_run_a_workshop_live(server, browser: Browser):
    url, made = server
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": made["session"], "url": url}])
    fiona = context.new_page()
    fiona.set_default_timeout(10_000)
    fiona.goto(url + made["room"])
    expect(fiona.locator("#live-status")).to_have_text("Live")
    gita = join_as_guest(browser, url, made["code"], "Gita")
    hamid = join_as_guest(browser, url, made["code"], "Hamid")
    everyone = (fiona, gita, hamid)
    expect(fiona.locator("#live-people li")).to_have_count(3)

    fiona.get_by_role("button", name="Start the workshop").click()
    fiona.get_by_role("button", name="Next step").click()
    for page in everyone:
        expect(page.locator("#live-step h2")).to_have_text(
            "Data Ethics Canvas", timeout=SEEN_WITHIN
        )

    board = gita.locator("section.board").first
    board.locator("textarea").fill("Who may see the lift logs?")
    board.get_by_role("button", name="Add note").click()
    for page in everyone:
        expect(page.locator("li.note").first).to_contain_text(
            "Who may see the lift logs?", timeout=SEEN_WITHIN
        )

    fiona.get_by_role("button", name="Open a vote on these notes").click()
    hamid.locator("li.note").first.get_by_role("button", name="+ dot").click()
    gita.locator("li.note").first.get_by_role("button", name="+ dot").click()
    for page in everyone:
        expect(page.locator(".vote-results li").first).to_have_text(
            "Who may see the lift logs? — 2 dots", timeout=SEEN_WITHIN
        )

    fiona.get_by_role("button", name="Next step").click()
    for page in everyone:
        expect(page.locator("#live-step h2")).to_have_text("Business case", timeout=SEEN_WITHIN)
