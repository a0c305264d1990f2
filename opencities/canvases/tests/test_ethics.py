"""The Data Ethics Canvas pages: the canvas, links to the maps' data, actions and reviews."""

from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from opencities.canvases.models import (
    Action,
    BusinessCase,
    Contribution,
    EthicsCanvas,
    EthicsSection,
    Review,
)
from opencities.inventory.models import Dataset
from opencities.maps.models import EcosystemMap, Exchange, ExchangeKind, Node
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


@pytest.fixture
def canvas(project):
    return EthicsCanvas.for_project(project)


@pytest.fixture
def bin_map(project, actor, dataset):
    """A map with two datasets (one as a node, one only carried by a flow) and a data flow."""
    bin_map = EcosystemMap.objects.create(project=project, title="Waste data today")
    council = Node.objects.create(map=bin_map, actor=actor)
    data = Node.objects.create(map=bin_map, dataset=dataset)
    lifts = Dataset.objects.create(workspace=project.workspace, identifier="lifts", title="Lifts")
    Exchange.objects.create(map=bin_map, source=data, target=council, dataset=lifts)
    Exchange.objects.create(map=bin_map, source=council, target=data, kind=ExchangeKind.MONEY)
    return bin_map


def url(name, project, *args):
    return reverse(f"canvases:{name}", args=[project.workspace.slug, project.pk, *args])


def set_status(canvas, status, *keys):
    canvas.sections.filter(key__in=keys).update(status=status)


# --- The canvas page -----------------------------------------------------------------------


def test_the_canvas_has_fifteen_sections_made_once(project):
    canvas = EthicsCanvas.for_project(project)
    assert EthicsCanvas.for_project(project) == canvas
    keys = [s.key for s in canvas.ordered_sections()]
    assert len(keys) == 15 == EthicsSection.objects.count()
    assert keys[:2] == ["data_sources", "rights"] and keys[-1] == "actions"


def test_the_page_shows_the_four_groups_and_sections_in_order(client, viewer, project):
    client.force_login(viewer)
    response = client.get(url("ethics", project))
    assert response.status_code == 200
    html = response.content.decode()
    headings = [
        '<h2 id="group-know">Know your data</h2>',
        'id="section-ethics-data_sources"',
        'id="section-ethics-context"',
        '<h2 id="group-impact">Explore the impact</h2>',
        'id="section-ethics-reasons"',
        '<h2 id="group-engage">Plan the engagement</h2>',
        'id="section-ethics-sharing"',
        '<h2 id="group-process">Integrate into process</h2>',
        'id="section-ethics-actions"',
    ]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    assert html.count('class="card canvas-section"') == 15
    assert "Which datasets will the project use" in html  # the guiding questions
    assert "Is personal data involved?" in html  # the checks
    assert "Save section" not in html  # viewers read only


def test_the_page_costs_the_same_queries_however_full_the_canvas_is(
    client, editor, owner, canvas, project, bin_map, django_assert_max_num_queries
):
    for section in canvas.sections.all():
        section.summary, section.updated_by = "Agreed", editor
        section.save()
        for text in ("One", "Two", "Three"):
            Contribution.objects.create(ethics_section=section, text=text, author=owner)
        section.datasets.set(canvas.map_datasets())
        section.exchanges.set(canvas.map_flows())
    for description in ("Ask legal", "Write notice", "Publish"):
        Action.objects.create(canvas=canvas, description=description, owner=owner)
    client.force_login(editor)
    with django_assert_max_num_queries(20):
        assert client.get(url("ethics", project)).status_code == 200


def test_completeness_counts_sections_by_status(client, viewer, canvas, project):
    set_status(canvas, "complete", "data_sources", "rights", "context")
    set_status(canvas, "for_review", "reasons")
    set_status(canvas, "in_progress", "openness", "sharing")
    assert canvas.completeness() == (3, 15)
    client.force_login(viewer)
    html = client.get(url("ethics", project)).content.decode()
    assert "3 of 15 sections complete" in html
    assert '<progress max="15" value="3"' in html
    for status, count in [
        ("not_started", 9),
        ("in_progress", 2),
        ("for_review", 1),
        ("complete", 3),
    ]:
        assert f'status-{status}">' in html
        assert f"</span> {count}</li>" in html


def test_an_editor_sets_the_next_review_and_a_past_one_is_overdue(client, editor, canvas, project):
    client.force_login(editor)
    response = client.post(url("ethics_next_review", project), {"next_review": "2020-01-31"})
    assert response.status_code == 302
    canvas.refresh_from_db()
    assert canvas.next_review == date(2020, 1, 31)
    assert canvas.is_review_overdue()
    html = client.get(url("ethics", project)).content.decode()
    assert "31 Jan 2020" in html and '<strong class="badge overdue">overdue</strong>' in html
    client.post(url("ethics_next_review", project), {"next_review": "not a date"})
    canvas.refresh_from_db()
    assert canvas.next_review == date(2020, 1, 31)
    client.post(url("ethics_next_review", project), {"next_review": ""})
    canvas.refresh_from_db()
    assert canvas.next_review is None and not canvas.is_review_overdue()


# --- Links to the maps' datasets and flows ---------------------------------------------------


def test_data_sources_offers_the_maps_datasets_one_by_one_or_all(
    client, editor, canvas, project, bin_map, dataset
):
    lifts = Dataset.objects.get(identifier="lifts")
    Dataset.objects.create(workspace=project.workspace, identifier="elsewhere", title="Not mapped")
    assert list(canvas.map_datasets()) == [dataset, lifts]
    client.force_login(editor)
    html = client.get(url("ethics", project)).content.decode()
    assert "Link all 2 datasets" in html
    assert "Not mapped" not in html

    link = url("ethics_link", project, "data_sources")
    response = client.post(link, {"datasets": [dataset.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith("#section-ethics-data_sources")
    sources = canvas.sections.get(key="data_sources")
    assert list(sources.datasets.all()) == [dataset]
    html = client.get(url("ethics", project)).content.decode()
    assert "Link all" not in html  # only Lifts is left to offer, one click is enough

    client.post(url("ethics_unlink", project, "data_sources"), {"datasets": [dataset.pk]})
    assert not sources.datasets.exists()

    client.post(link, {"datasets": [dataset.pk, lifts.pk]})  # "link all"
    assert set(sources.datasets.all()) == {dataset, lifts}
    html = client.get(url("ethics", project)).content.decode()
    assert "every dataset on the project" in html


def test_sharing_offers_the_maps_data_flows(client, editor, canvas, project, bin_map):
    flow = bin_map.exchanges.get(kind=ExchangeKind.DATA)
    money = bin_map.exchanges.get(kind=ExchangeKind.MONEY)
    assert list(canvas.map_flows()) == [flow]
    client.force_login(editor)
    html = client.get(url("ethics", project)).content.decode()
    assert "Bus stops → Transport Department: Lifts" in html
    sharing = canvas.sections.get(key="sharing")
    assert (
        client.post(url("ethics_link", project, "sharing"), {"exchanges": [flow.pk]}).status_code
        == 302
    )
    assert list(sharing.exchanges.all()) == [flow]
    assert (
        client.post(url("ethics_link", project, "sharing"), {"exchanges": [money.pk]}).status_code
        == 400
    )
    client.post(url("ethics_unlink", project, "sharing"), {"exchanges": [flow.pk]})
    assert not sharing.exchanges.exists()


def test_forged_links_change_nothing(
    client, editor, canvas, project, bin_map, other_workspace, dataset
):
    foreign = Dataset.objects.create(workspace=other_workspace, identifier="x", title="Theirs")
    other_project = Project.objects.create(
        workspace=project.workspace, title="Other", challenge="x"
    )
    other_map = EcosystemMap.objects.create(project=other_project, title="Other map")
    a = Node.objects.create(map=other_map, dataset=dataset)
    b = Node.objects.create(map=other_map, actor=bin_map.nodes.get(actor__isnull=False).actor)
    other_flow = Exchange.objects.create(map=other_map, source=a, target=b)
    client.force_login(editor)
    link = url("ethics_link", project, "data_sources")
    assert client.post(link, {"datasets": [foreign.pk]}).status_code == 400
    assert client.post(link, {"datasets": [dataset.pk, foreign.pk]}).status_code == 400
    assert client.post(link, {"datasets": ["999999"]}).status_code == 400
    assert client.post(link, {}).status_code == 400
    sharing = url("ethics_link", project, "sharing")
    assert client.post(sharing, {"exchanges": [other_flow.pk]}).status_code == 400
    assert (
        client.post(url("ethics_link", project, "rights"), {"datasets": [dataset.pk]}).status_code
        == 400
    )
    assert (
        client.post(url("ethics_link", project, "nope"), {"datasets": [dataset.pk]}).status_code
        == 404
    )
    assert not EthicsSection.datasets.through.objects.exists()
    assert not EthicsSection.exchanges.through.objects.exists()


# --- Actions ---------------------------------------------------------------------------------


def test_actions_are_added_edited_and_deleted(client, editor, owner, canvas, project):
    client.force_login(editor)
    assert client.get(url("action_create", project)).status_code == 200
    response = client.post(
        url("action_create", project),
        {
            "description": "Ask legal about GPS",
            "owner": owner.pk,
            "priority": "high",
            "due": "2030-05-01",
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/ethics/#section-ethics-actions")
    action = canvas.actions.get()
    assert (action.owner, action.priority, action.due) == (owner, "high", date(2030, 5, 1))

    edit = url("action_update", project, action.pk)
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "description": "Ask legal about GPS",
            "owner_name": "Ana from Legal",
            "priority": "low",
            "status": "in_progress",
        },
    )
    action.refresh_from_db()
    assert (action.owner, action.owned_by, action.status, action.due) == (
        None,
        "Ana from Legal",
        "in_progress",
        None,
    )

    assert client.post(url("action_delete", project, action.pk)).status_code == 302
    assert not Action.objects.exists()


def test_an_action_has_one_owner_from_this_workspace(
    client, editor, owner, outsider, canvas, project
):
    client.force_login(editor)
    form = {"description": "X", "priority": "low", "status": "open"}
    both = client.post(
        url("action_create", project), {**form, "owner": owner.pk, "owner_name": "Ana"}
    )
    assert both.status_code == 400
    assert "Choose a member or type a name, not both." in both.content.decode()
    stranger = client.post(url("action_create", project), {**form, "owner": outsider.pk})
    assert stranger.status_code == 400
    assert not Action.objects.exists()


def test_overdue_open_actions_stand_out_in_words(client, viewer, canvas, project):
    yesterday = timezone.localdate() - timedelta(days=1)
    late = Action.objects.create(canvas=canvas, description="Late one", due=yesterday)
    Action.objects.create(canvas=canvas, description="Late but done", due=yesterday, status="done")
    Action.objects.create(canvas=canvas, description="In time", due=yesterday + timedelta(days=30))
    client.force_login(viewer)
    html = client.get(url("ethics", project)).content.decode()
    assert f'<tr class="action overdue" id="action-{late.pk}">' in html
    assert html.count('<strong class="badge overdue">overdue</strong>') == 1
    assert "1 open action is overdue." in html
    assert "In time" in html and "Late but done" not in html  # open ones by default
    html = client.get(url("ethics", project) + "?actions=all").content.decode()
    assert "Late but done" in html
    assert html.count('<strong class="badge overdue">overdue</strong>') == 1


def test_an_action_of_another_project_is_not_found(client, editor, canvas, project, workspace):
    other = EthicsCanvas.for_project(
        Project.objects.create(workspace=workspace, title="O", challenge="x")
    )
    action = Action.objects.create(canvas=other, description="Theirs")
    client.force_login(editor)
    assert client.get(url("action_update", project, action.pk)).status_code == 404
    assert client.post(url("action_delete", project, action.pk)).status_code == 404
    assert Action.objects.filter(pk=action.pk).exists()


# --- Reviews -----------------------------------------------------------------------------------


def test_a_snapshot_can_set_the_next_review_and_is_listed(client, editor, canvas, project):
    set_status(canvas, "complete", "data_sources", "rights")
    client.force_login(editor)
    response = client.post(
        url("review_create", project), {"note": "Before the pilot", "next_review": "2030-09-01"}
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.taken_by, review.note, review.snapshot["next_review"]) == (
        editor,
        "Before the pilot",
        "2030-09-01",
    )
    canvas.refresh_from_db()
    assert canvas.next_review == date(2030, 9, 1)
    html = client.get(url("review_list", project)).content.decode()
    assert "Before the pilot" in html and "2 of 15" in html
    assert client.post(url("review_create", project), {"next_review": "soon"}).status_code == 400
    assert Review.objects.count() == 1


def test_compare_defaults_to_the_latest_two_and_shows_the_change(client, editor, canvas, project):
    client.force_login(editor)
    sources = canvas.sections.get(key="data_sources")
    sources.summary = "Sensors on the trucks."
    sources.save()
    client.post(url("review_create", project), {"note": "First"})
    sources.summary = "Sensors on the bin trucks."
    sources.status = "complete"
    sources.save()
    client.post(url("review_create", project), {"note": "Second"})

    response = client.get(url("review_compare", project))
    assert response.status_code == 200
    html = response.content.decode()
    assert "— First</strong> to <strong>" in html and "— Second</strong>" in html
    assert 'id="change-data_sources"' in html
    assert "<ins>bin </ins>" in html
    assert "Status: Not started → Complete" in html
    assert "14 sections without changes" in html


def test_a_review_compares_with_the_canvas_now(client, editor, canvas, project):
    client.force_login(editor)
    client.post(url("review_create", project), {})
    review = Review.objects.get()
    canvas.sections.filter(key="rights").update(summary="An open licence")
    html = client.get(url("review_compare", project)).content.decode()  # one review: with now
    assert "<ins>An open licence</ins>" in html
    html = client.get(url("review_compare", project), {"a": "now", "b": review.pk}).content.decode()
    assert "<del>An open licence</del>" in html


def test_compare_refuses_reviews_of_another_canvas(client, editor, canvas, project, workspace):
    other = EthicsCanvas.for_project(
        Project.objects.create(workspace=workspace, title="O", challenge="x")
    )
    theirs = Review.objects.create(canvas=other, snapshot={})
    client.force_login(editor)
    client.post(url("review_create", project), {})
    response = client.get(url("review_compare", project), {"a": theirs.pk, "b": "now"})
    assert response.status_code == 400


def test_compare_without_reviews_says_what_to_do(client, viewer, canvas, project):
    client.force_login(viewer)
    response = client.get(url("review_compare", project))
    assert response.status_code == 200
    assert "No snapshot yet" in response.content.decode()


# --- The project page's summary of both canvases ---------------------------------------------


def test_project_canvases_shows_completeness_and_next_review(project):
    html = render_to_string(
        "canvases/_project_canvases.html", {"project": project, "can_edit": True}
    )
    assert html.count("Not started") == 2
    assert url("ethics", project) in html and url("business", project) in html

    canvas = EthicsCanvas.for_project(project)
    set_status(canvas, "complete", "data_sources", "rights")
    canvas.next_review = date(2020, 1, 1)
    canvas.save()
    case = BusinessCase.for_project(project)
    case.sections.filter(key="problem").update(status="complete")
    project = Project.objects.get(pk=project.pk)
    html = render_to_string("canvases/_project_canvases.html", {"project": project})
    assert "2 of 15 sections complete" in html
    assert "1 of 12 sections complete" in html
    assert "1 Jan 2020" in html and "overdue" in html
    assert "Not started" not in html


# --- Who may do what -----------------------------------------------------------------------------


@pytest.fixture
def action(canvas):
    return Action.objects.create(canvas=canvas, description="Ask legal")


@pytest.fixture
def review(canvas):
    return Review.objects.create(canvas=canvas, snapshot={})


def pages(project):
    return [
        url("ethics", project),
        url("review_list", project),
        url("review_compare", project),
    ]


def changes(project, action, dataset):
    return [
        (url("ethics_next_review", project), {"next_review": "2031-01-01"}),
        (url("ethics_link", project, "data_sources"), {"datasets": [dataset.pk]}),
        (url("ethics_unlink", project, "data_sources"), {"datasets": [dataset.pk]}),
        (
            url("action_create", project),
            {"description": "New", "priority": "low", "status": "open"},
        ),
        (
            url("action_update", project, action.pk),
            {"description": "Changed", "priority": "low", "status": "open"},
        ),
        (url("review_create", project), {"note": "New"}),
        (url("action_delete", project, action.pk), {}),
    ]


def unchanged(canvas, action) -> bool:
    canvas.refresh_from_db()
    return (
        canvas.next_review is None
        and list(Action.objects.values_list("description", flat=True)) == ["Ask legal"]
        and Review.objects.count() == 1
        and not EthicsSection.datasets.through.objects.exists()
    )


def test_anonymous_people_are_sent_to_sign_in(client, canvas, project, action, review, dataset):
    for address in [
        *pages(project),
        url("action_create", project),
        url("action_update", project, action.pk),
    ]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for address, form in changes(project, action, dataset):
        response = client.post(address, form)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert unchanged(canvas, action)


def test_outsiders_find_nothing(client, outsider, canvas, project, action, review, dataset):
    client.force_login(outsider)
    for address in pages(project):
        assert client.get(address).status_code == 404
    for address, form in changes(project, action, dataset):
        assert client.post(address, form).status_code == 404
    assert unchanged(canvas, action)


def test_viewers_read_but_change_nothing(
    client, viewer, canvas, project, action, review, dataset, bin_map
):
    client.force_login(viewer)
    for address in pages(project):
        assert client.get(address).status_code == 200
    html = client.get(url("ethics", project)).content.decode()
    assert "Link all" not in html and "Add an action" not in html and "Save date" not in html
    assert client.get(url("action_create", project)).status_code == 403
    for address, form in changes(project, action, dataset):
        assert client.post(address, form).status_code == 403, address
    assert unchanged(canvas, action)


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_change_the_canvas(
    client, people, canvas, project, action, review, dataset, bin_map, role
):
    client.force_login(people[role])
    for address, form in changes(project, action, dataset):
        assert client.post(address, form).status_code == 302, address
    canvas.refresh_from_db()
    assert canvas.next_review == date(2031, 1, 1)
    assert list(Action.objects.values_list("description", flat=True)) == ["New"]
    assert Review.objects.count() == 2
