"""Shared test fixtures: a workspace with one person in each role, and a real Chromium.

Test people are built in code (no JSON fixtures) so every test states who does what.
"""

import os

import pytest
from django.contrib.auth import get_user_model

from opencities.accounts.models import Membership, Role, Workspace
from opencities.inventory.models import Actor, Dataset, Sector, Spectrum

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "a-long-test-password-42"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """Real hashing is slow on purpose, and tests only need passwords to match; uploads go to
    a folder of each test's own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def workspace(db):
    return Workspace.objects.create(name="Testford City Council", slug="testford")


@pytest.fixture
def other_workspace(db):
    return Workspace.objects.create(name="Elsewhere Borough", slug="elsewhere")


def make_user(username: str, workspace: Workspace | None = None, role: str | None = None):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD
    )
    if workspace is not None:
        Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


@pytest.fixture
def owner(workspace):
    return make_user("olive", workspace, Role.OWNER)


@pytest.fixture
def editor(workspace):
    return make_user("eddie", workspace, Role.EDITOR)


@pytest.fixture
def viewer(workspace):
    return make_user("vera", workspace, Role.VIEWER)


@pytest.fixture
def outsider(other_workspace):
    """Someone with an account, but a member of another city only."""
    return make_user("otto", other_workspace, Role.OWNER)


@pytest.fixture
def people(owner, editor, viewer, outsider):
    return {"owner": owner, "editor": editor, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def actor(workspace):
    return Actor.objects.create(
        workspace=workspace, name="Transport Department", sector=Sector.PUBLIC
    )


@pytest.fixture
def dataset(workspace, actor):
    return Dataset.objects.create(
        workspace=workspace,
        identifier="bus-stops",
        title="Bus stops",
        description="Every bus stop with its location.",
        steward=actor,
        spectrum=Spectrum.OPEN,
        keywords=["bus", "transport"],
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; Playwright's own browser download is not used."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs it with apt.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def signed_in(live_server, context, client):
    """Return a function that opens a Chromium page already signed in as a given user."""

    def sign_in(user):
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return sign_in
