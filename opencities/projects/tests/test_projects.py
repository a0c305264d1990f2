import pytest
from django.urls import reverse

from opencities.projects.models import Project, Stage


@pytest.fixture
def project(workspace, owner):
    return Project.objects.create(
        workspace=workspace,
        title="Cut missed bin collections",
        challenge="Too many bins are missed on collection day.",
        urgency=4,
        impact=5,
        owner=owner,
    )


def form_data(**changes):
    data = {
        "title": "Reduce traffic emissions",
        "challenge": "Air on the ring road breaks legal limits.",
        "goal": "",
        "why_data": "",
        "urgency": "5",
        "impact": "4",
        "public_good": "environment",
        "stage": "exploring",
        "owner": "",
    }
    data.update(changes)
    return data


def test_editor_creates_a_project(client, editor, workspace):
    client.force_login(editor)
    response = client.post(reverse("projects:project_create", args=[workspace.slug]), form_data())
    assert response.status_code == 302
    project = Project.objects.get(title="Reduce traffic emissions")
    assert (project.workspace, project.urgency, project.impact, project.stage) == (
        workspace,
        5,
        4,
        Stage.EXPLORING,
    )
    assert project.priority == 20


@pytest.mark.parametrize("field,value", [("urgency", "6"), ("impact", "0"), ("title", "")])
def test_out_of_range_or_missing_values_are_refused(client, editor, workspace, field, value):
    client.force_login(editor)
    url = reverse("projects:project_create", args=[workspace.slug])
    response = client.post(url, form_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Project.objects.exists()


def test_owner_must_be_a_member_of_the_workspace(client, editor, outsider, workspace):
    client.force_login(editor)
    url = reverse("projects:project_create", args=[workspace.slug])
    response = client.post(url, form_data(owner=str(outsider.pk)))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors


def test_portfolio_places_projects_by_urgency_and_impact(client, viewer, workspace, project):
    client.force_login(viewer)
    response = client.get(reverse("projects:project_list", args=[workspace.slug]))
    rows = dict(response.context["grid_rows"])
    assert [p.title for p in dict(rows[4])[5]] == ["Cut missed bin collections"]
    assert "Cut missed bin collections" in response.content.decode()


def test_stage_filter(client, viewer, workspace, project):
    client.force_login(viewer)
    url = reverse("projects:project_list", args=[workspace.slug])
    assert client.get(url, {"stage": "pilot"}).context["projects"] == []
    assert len(client.get(url, {"stage": "idea"}).context["projects"]) == 1


PAGES = ["projects:project_list", "projects:project_detail"]
EDIT_PAGES = ["projects:project_create", "projects:project_update", "projects:project_delete"]


def url(name, workspace, project):
    args = [workspace.slug] + (
        [project.pk] if name not in {"projects:project_list", "projects:project_create"} else []
    )
    return reverse(name, args=args)


@pytest.mark.parametrize(
    "who,read,edit",
    [
        ("anonymous", 302, 302),
        ("outsider", 404, 404),
        ("viewer", 200, 403),
        ("editor", 200, 200),
        ("owner", 200, 200),
    ],
)
def test_who_may_see_and_change_projects(client, people, workspace, project, who, read, edit):
    if who != "anonymous":
        client.force_login(people[who])
    for name in PAGES:
        assert client.get(url(name, workspace, project)).status_code == read, name
    for name in EDIT_PAGES:
        assert client.get(url(name, workspace, project)).status_code == edit, name
    if edit != 200:
        client.post(url("projects:project_update", workspace, project), form_data())
        client.post(url("projects:project_delete", workspace, project))
        project.refresh_from_db()
        assert project.title == "Cut missed bin collections"


def test_a_project_of_another_workspace_is_not_found(client, editor, workspace, other_workspace):
    theirs = Project.objects.create(workspace=other_workspace, title="Theirs", challenge="x")
    client.force_login(editor)
    assert (
        client.get(reverse("projects:project_detail", args=[workspace.slug, theirs.pk])).status_code
        == 404
    )
    client.post(reverse("projects:project_delete", args=[workspace.slug, theirs.pk]))
    assert Project.objects.filter(pk=theirs.pk).exists()


def test_project_text_is_escaped(client, viewer, workspace):
    Project.objects.create(workspace=workspace, title="<script>x()</script>", challenge="<b>hi</b>")
    client.force_login(viewer)
    html = client.get(reverse("projects:project_list", args=[workspace.slug])).content.decode()
    assert "<script>x()" not in html
    assert "&lt;b&gt;hi" in html


def test_project_page_shows_both_canvases_and_links_the_reports(client, viewer, workspace):
    from datetime import timedelta

    from django.utils import timezone

    from opencities.canvases.models import BusinessCase, EthicsCanvas, SectionStatus

    project = Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")
    client.force_login(viewer)
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count("Not started") == 2  # neither canvas begun yet
    assert "start it" not in page  # a viewer cannot start one

    canvas = EthicsCanvas.for_project(project)
    canvas.sections.filter(key__in=["data_sources", "rights"]).update(status=SectionStatus.COMPLETE)
    canvas.next_review = timezone.localdate() - timedelta(days=1)
    canvas.save()
    BusinessCase.for_project(project)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "2 of 15 sections complete" in page and "0 of 12 sections complete" in page
    assert "overdue" in page
    for report in ("pack", "ethics", "business"):
        assert f"/projects/{project.pk}/reports/{report}/" in page
