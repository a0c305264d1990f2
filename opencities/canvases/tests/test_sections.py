"""Editing a section of either canvas and the team's notes on it (views/sections.py)."""

import pytest
from django.urls import reverse

from opencities.canvases.models import (
    BusinessCase,
    Contribution,
    EthicsCanvas,
    EthicsSection,
    SectionStatus,
)
from opencities.projects.models import Project

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def canvas(project):
    return EthicsCanvas.for_project(project)


@pytest.fixture
def data_sources(canvas) -> EthicsSection:
    return canvas.sections.get(key="data_sources")


@pytest.fixture
def note(data_sources, owner):
    return Contribution.objects.create(
        ethics_section=data_sources, text="The bin sensors log GPS.", author=owner
    )


def url(name, project, *args):
    return reverse(f"canvases:{name}", args=[project.workspace.slug, project.pk, *args])


def section_url(project, kind="ethics", key="data_sources"):
    return url("section", project, kind, key)


def test_saving_a_section_keeps_summary_status_and_checks(client, editor, project, data_sources):
    client.force_login(editor)
    response = client.post(
        section_url(project),
        {
            "summary": "  Bin lifts from the trucks' sensors.  ",
            "status": "complete",
            "check_personal_data": "no",
            "check_special_data": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/projects/{project.pk}/ethics/#section-ethics-data_sources"
    )
    data_sources.refresh_from_db()
    assert data_sources.summary == "Bin lifts from the trucks' sensors."
    assert data_sources.status == SectionStatus.COMPLETE
    assert data_sources.checks == {"personal_data": "no"}  # not answered is left out
    assert data_sources.updated_by == editor


def test_a_wrong_answer_or_an_unknown_status_changes_nothing(client, editor, project, data_sources):
    client.force_login(editor)
    for form in (
        {"summary": "x", "status": "complete", "check_personal_data": "maybe"},
        {"summary": "x", "status": "finished"},
    ):
        response = client.post(section_url(project), form, **HTMX)
        assert response.status_code == 400
        assert b'role="alert"' in response.content
    response = client.post(section_url(project), {"summary": "x", "status": "done"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    data_sources.refresh_from_db()
    assert (data_sources.summary, data_sources.status, data_sources.checks) == (
        "",
        "not_started",
        {},
    )


def test_checks_a_section_does_not_ask_are_ignored(client, editor, project, canvas):
    client.force_login(editor)
    client.post(
        section_url(project, key="positive_effects"),
        {"summary": "Fewer missed bins", "status": "in_progress", "check_personal_data": "yes"},
    )
    assert canvas.sections.get(key="positive_effects").checks == {}


def test_htmx_gets_the_section_again_and_the_progress_out_of_band(
    client, editor, project, data_sources
):
    client.force_login(editor)
    response = client.post(
        section_url(project), {"summary": "Sensors", "status": "complete"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="section-ethics-data_sources-main"' in html
    assert 'id="section-ethics-data_sources-notes"' in html
    assert "<html" not in html
    assert 'id="progress-ethics" hx-swap-oob="true"' in html
    assert "1 of 15 sections complete" in html


def test_get_draws_the_section_for_htmx_and_otherwise_goes_to_it(client, viewer, project, canvas):
    client.force_login(viewer)
    response = client.get(section_url(project, key="rights"), **HTMX)
    assert response.status_code == 200
    assert 'id="section-ethics-rights"' in response.content.decode()
    assert "Save section" not in response.content.decode()  # a viewer gets no forms
    response = client.get(section_url(project, key="rights"))
    assert response.status_code == 302
    assert response["Location"].endswith("/ethics/#section-ethics-rights")


def test_business_case_sections_are_edited_the_same_way(client, editor, project):
    client.force_login(editor)
    response = client.post(
        section_url(project, "business", "problem"),
        {"summary": "Missed bins", "status": "complete"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/business-case/#section-business-problem")
    case = BusinessCase.objects.get(project=project)
    assert case.sections.get(key="problem").summary == "Missed bins"
    client.post(url("contribution_add", project, "business", "problem"), {"text": "Ask the depot"})
    note = case.sections.get(key="problem").contributions.get()
    assert (note.text, note.author, note.ethics_section) == ("Ask the depot", editor, None)


def test_unknown_kinds_and_keys_are_not_found(client, editor, project, canvas):
    client.force_login(editor)
    assert client.get(section_url(project, "budget", "problem")).status_code == 404
    assert client.post(section_url(project, "ethics", "problem"), {}).status_code == 404
    assert client.post(section_url(project, "business", "data_sources"), {}).status_code == 404


def test_notes_are_added_with_their_author_and_time(client, editor, project, data_sources):
    client.force_login(editor)
    response = client.post(
        url("contribution_add", project, "ethics", "data_sources"),
        {"text": "Crews also phone in missed bins."},
        **HTMX,
    )
    assert response.status_code == 200
    note = data_sources.contributions.get()
    assert (note.text, note.author, note.source) == (
        "Crews also phone in missed bins.",
        editor,
        "typed",
    )
    html = response.content.decode()
    assert "Crews also phone in missed bins." in html
    assert "— eddie," in html
    assert f'datetime="{note.created.isoformat()}"' in html


def test_an_empty_note_is_refused(client, editor, project, data_sources):
    client.force_login(editor)
    url_add = url("contribution_add", project, "ethics", "data_sources")
    assert client.post(url_add, {"text": ""}, **HTMX).status_code == 400
    assert client.post(url_add, {"text": "x" * 4001}, **HTMX).status_code == 400
    assert not data_sources.contributions.exists()


def test_an_editor_corrects_and_deletes_someone_elses_note(client, editor, project, note, owner):
    """The canvas is the team's: an editor tidies any note, which keeps its author."""
    client.force_login(editor)
    response = client.post(
        url("contribution_edit", project, note.pk), {"text": "The bin trucks log GPS."}, **HTMX
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.text, note.author) == ("The bin trucks log GPS.", owner)
    assert "The bin trucks log GPS." in response.content.decode()
    response = client.post(url("contribution_delete", project, note.pk))
    assert response.status_code == 302
    assert response["Location"].endswith("#section-ethics-data_sources")
    assert not Contribution.objects.exists()


def test_a_note_of_another_project_or_workspace_is_not_found(
    client, editor, project, workspace, other_workspace, note
):
    elsewhere = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    EthicsCanvas.for_project(elsewhere)
    client.force_login(editor)
    for name in ("contribution_edit", "contribution_delete"):
        assert client.post(url(name, elsewhere, note.pk), {"text": "Hijacked"}).status_code == 404
    abroad = Project.objects.create(workspace=other_workspace, title="Bins", challenge="Bins")
    other_note = Contribution.objects.create(
        ethics_section=EthicsCanvas.for_project(abroad).sections.get(key="rights"), text="Theirs"
    )
    assert (
        client.post(url("contribution_edit", project, other_note.pk), {"text": "x"}).status_code
        == 404
    )
    note.refresh_from_db()
    other_note.refresh_from_db()
    assert (note.text, other_note.text) == ("The bin sensors log GPS.", "Theirs")


def test_notes_show_as_text_never_as_markup(client, viewer, project, data_sources):
    Contribution.objects.create(
        ethics_section=data_sources, text="<script>alert('x')</script>", author_name="<b>Guest</b>"
    )
    data_sources.summary = "<img src=x onerror=alert(1)>"
    data_sources.save()
    client.force_login(viewer)
    html = client.get(url("ethics", project)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Guest&lt;/b&gt;" in html
    assert "<img src=x" not in html


# --- Who may do what -----------------------------------------------------------------------


def change_requests(project, note):
    """Every change these views accept, as (url, form)."""
    return [
        (section_url(project), {"summary": "Changed", "status": "complete"}),
        (section_url(project, "business", "problem"), {"summary": "Changed", "status": "complete"}),
        (url("contribution_add", project, "ethics", "data_sources"), {"text": "Changed"}),
        (url("contribution_add", project, "business", "problem"), {"text": "Changed"}),
        (url("contribution_edit", project, note.pk), {"text": "Changed"}),
        (url("contribution_delete", project, note.pk), {}),
    ]


def nothing_changed(note) -> bool:
    note.refresh_from_db()
    sections = [*EthicsSection.objects.all(), *BusinessCase.objects.get().sections.all()]
    return (
        note.text == "The bin sensors log GPS."
        and Contribution.objects.count() == 1
        and all(s.summary == "" for s in sections)
    )


def test_anonymous_people_are_sent_to_sign_in(client, project, note):
    BusinessCase.for_project(project)
    for address, form in [*change_requests(project, note), (section_url(project), None)]:
        response = client.post(address, form) if form is not None else client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert nothing_changed(note)


def test_outsiders_find_nothing(client, outsider, project, note):
    BusinessCase.for_project(project)
    client.force_login(outsider)
    assert client.get(section_url(project)).status_code == 404
    for address, form in change_requests(project, note):
        assert client.post(address, form).status_code == 404
    assert nothing_changed(note)


def test_viewers_read_but_change_nothing(client, viewer, project, note):
    BusinessCase.for_project(project)
    client.force_login(viewer)
    assert client.get(section_url(project), **HTMX).status_code == 200
    for address, form in change_requests(project, note):
        assert client.post(address, form).status_code == 403, address
    assert nothing_changed(note)


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_change_sections_and_notes(client, people, project, note, role):
    client.force_login(people[role])
    for address, form in change_requests(project, note):
        assert client.post(address, form).status_code == 302, address
    assert EthicsSection.objects.get(key="data_sources").summary == "Changed"
    assert BusinessCase.objects.get().sections.get(key="problem").summary == "Changed"
    assert list(Contribution.objects.values_list("text", flat=True)) == ["Changed", "Changed"]
