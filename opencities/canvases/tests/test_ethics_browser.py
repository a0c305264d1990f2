"""The ethics canvas in Debian's Chromium: fill in a section, see the completeness follow, take
a snapshot, change the section, compare the two."""

import pytest
from playwright.sync_api import expect

from opencities.canvases.models import EthicsCanvas, Review
from opencities.projects.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def canvas(workspace):
    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    return EthicsCanvas.for_project(project)


def fill_in_data_sources(page, summary: str, status: str) -> None:
    section = page.locator("#section-ethics-data_sources")
    section.get_by_text("Edit summary, status and checks").click()
    section.get_by_label("Summary").fill(summary)
    section.get_by_label("Status").select_option(status)
    personal_data = section.get_by_role("group", name="Is personal data involved?")
    personal_data.get_by_label("No", exact=True).check()
    with page.expect_response(lambda r: "/sections/data_sources/" in r.url) as saved:
        section.get_by_role("button", name="Save section").click()
    assert saved.value.ok


def test_fill_in_a_section_snapshot_change_and_compare(live_server, signed_in, editor, canvas):
    page = signed_in(editor)
    page.goto(live_server.url + canvas.get_absolute_url())
    progress = page.locator("#progress-ethics")
    expect(progress).to_contain_text("0 of 15 sections complete")

    fill_in_data_sources(page, "Bin lifts from the trucks' sensors.", "complete")
    section = page.locator("#section-ethics-data_sources")
    expect(section.locator(".section-summary")).to_have_text(
        "Summary Bin lifts from the trucks' sensors."
    )
    expect(section.locator(".section-status")).to_have_text("Complete")
    expect(section.locator(".section-checks")).to_contain_text("No")
    expect(progress).to_contain_text("1 of 15 sections complete")  # swapped in, no reload

    section.get_by_label("Add a note").fill("<b>Crews</b> phone in missed bins too.")
    section.get_by_role("button", name="Add note").click()
    expect(section.locator(".contribution")).to_contain_text(
        "<b>Crews</b> phone in missed bins too."
    )
    expect(section.locator(".contribution")).to_contain_text("— eddie")

    page.get_by_role("link", name="Reviews").first.click()
    page.get_by_label("Note").fill("Before the pilot")
    page.get_by_role("button", name="Take a snapshot").click()
    expect(page.locator(".messages")).to_contain_text("Snapshot taken")

    page.goto(live_server.url + canvas.get_absolute_url())
    fill_in_data_sources(page, "Bin lifts from the bin trucks' sensors.", "for_review")
    expect(progress).to_contain_text("0 of 15 sections complete")

    page.goto(live_server.url + canvas.get_absolute_url().replace("ethics/", "ethics/reviews/"))
    page.get_by_label("Note").fill("After legal advice")
    page.get_by_role("button", name="Take a snapshot").click()
    assert Review.objects.count() == 2

    page.get_by_role("button", name="Compare").click()
    change = page.locator("#change-data_sources")
    expect(change).to_contain_text("Status: Complete → For review")
    expect(change.locator("ins")).to_have_text("bin ")
    expect(page.locator("details.unchanged summary")).to_have_text("14 sections without changes")
