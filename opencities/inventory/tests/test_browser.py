"""End to end in Debian's Chromium: what a city data officer does in the inventory."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from opencities.conftest import PASSWORD
from opencities.inventory.models import Dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_the_form(live_server, page, editor, workspace):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Testford City Council")).to_be_visible()


def test_add_a_dataset_then_find_it_by_search(live_server, signed_in, editor, workspace, actor):
    page = signed_in(editor)
    page.goto(live_server.url + reverse("inventory:dataset_create", args=[workspace.slug]))
    page.get_by_label("Title", exact=True).fill("Public toilets")
    page.get_by_label("Description").fill("Where the public toilets are and when they open.")
    page.get_by_label("Steward").select_option(label="Transport Department")
    page.get_by_label("Keywords").fill("toilets, accessibility")
    page.get_by_role("button", name="Save dataset").click()
    expect(page.get_by_role("heading", name="Public toilets")).to_be_visible()

    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Datasets").click()
    page.get_by_label("Search datasets").fill("accessibility")
    results = page.locator("#results")
    expect(page.locator("#result-count")).to_contain_text("1 dataset matches")
    expect(results.get_by_role("link", name="Public toilets")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=accessibility"))  # the search can be bookmarked


def test_import_with_one_bad_row_shows_the_row_and_changes_nothing(
    live_server, signed_in, editor, workspace, tmp_path
):
    sheet = tmp_path / "datasets.csv"
    sheet.write_text(
        "identifier,title,spectrum\n"
        "bins,Bin collection rounds,open\n"
        "lamps,Street lights,somewhat open\n"
        "trees,Street trees,open\n",
        encoding="utf-8",
    )
    page = signed_in(editor)
    page.goto(live_server.url + reverse("inventory:import", args=[workspace.slug]))
    page.get_by_label("CSV or XLSX file").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("nothing will be imported")
    row = problems.locator("tbody tr").first
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("spectrum")
    expect(row).to_contain_text("somewhat open")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert Dataset.objects.count() == 0


def test_import_a_valid_spreadsheet(live_server, signed_in, editor, workspace, tmp_path):
    sheet = tmp_path / "datasets.csv"
    sheet.write_text(
        "identifier,title,spectrum\nbins,Bin collection rounds,open\n", encoding="utf-8"
    )
    page = signed_in(editor)
    page.goto(live_server.url + reverse("inventory:import", args=[workspace.slug]))
    page.get_by_label("CSV or XLSX file").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import datasets.csv").click()
    expect(page.locator(".message")).to_contain_text("1 datasets created")
    assert Dataset.objects.get().title == "Bin collection rounds"


def test_viewer_sees_no_edit_controls_and_is_refused_the_edit_page(
    live_server, signed_in, viewer, workspace, dataset
):
    page = signed_in(viewer)
    page.goto(live_server.url + dataset.get_absolute_url())
    expect(page.get_by_role("heading", name="Bus stops")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    response = page.goto(
        live_server.url + reverse("inventory:dataset_update", args=[workspace.slug, dataset.pk])
    )
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can't do that here")).to_be_visible()
    dataset.refresh_from_db()
    assert dataset.title == "Bus stops"


def test_inline_classification_edit_saves_without_leaving_the_page(
    live_server, signed_in, editor, workspace, dataset
):
    page = signed_in(editor)
    page.goto(live_server.url + dataset.get_absolute_url())
    page.get_by_label("Data Spectrum level").select_option("group")
    page.locator("#classification").get_by_role("button", name="Save").click()
    expect(page.locator("#classification")).to_contain_text("Saved.")
    expect(page).to_have_url(live_server.url + dataset.get_absolute_url())
    dataset.refresh_from_db()
    assert dataset.spectrum == "group"


def tab_to(page, target, most: int = 30) -> None:
    """Press Tab until `target` has the focus, as someone without a mouse would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    expect(target).to_be_focused()


def test_keyboard_alone_reaches_search_and_opens_a_result(
    live_server, signed_in, viewer, workspace, dataset
):
    page = signed_in(viewer)
    page.goto(live_server.url + reverse("inventory:dataset_list", args=[workspace.slug]))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")  # past the navigation, into the page
    search = page.get_by_label("Search datasets")
    tab_to(page, search)
    page.keyboard.type("stops")
    expect(page.locator("#result-count")).to_contain_text("1 dataset matches")
    tab_to(page, page.locator("#results").get_by_role("link", name="Bus stops"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bus stops")).to_be_visible()
