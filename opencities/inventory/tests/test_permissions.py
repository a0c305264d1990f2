"""Who may do what with the inventory: every URL, every kind of person.

anonymous → sent to sign in; non-member → 404; viewer → reads, cannot change (403, nothing
changes); editor and owner → read and change.
"""

import pytest
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset

READ_PAGES = [
    ("inventory:dashboard", None),
    ("inventory:actor_list", None),
    ("inventory:dataset_list", None),
    ("inventory:actor_detail", "actor"),
    ("inventory:dataset_detail", "dataset"),
    ("inventory:export_xlsx", None),
]
EDIT_PAGES = [
    ("inventory:actor_create", None),
    ("inventory:actor_update", "actor"),
    ("inventory:actor_delete", "actor"),
    ("inventory:dataset_create", None),
    ("inventory:dataset_update", "dataset"),
    ("inventory:dataset_delete", "dataset"),
    ("inventory:import", None),
]


def url_for(name, target, workspace, actor, dataset, **extra):
    args = [workspace.slug]
    if target == "actor":
        args.append(actor.pk)
    elif target == "dataset":
        args.append(dataset.pk)
    return reverse(name, args=args, kwargs=extra or None)


def dataset_form(**changes):
    data = {
        "title": "Road works",
        "identifier": "",
        "status": "exists",
        "description": "",
        "steward": "",
        "themes": "Transport",
        "keywords": "roads",
        "licence": "",
        "formats": "csv",
        "update_frequency": "daily",
        "system": "",
        "personal_data": "none",
        "spectrum": "open",
        "dist-TOTAL_FORMS": "0",
        "dist-INITIAL_FORMS": "0",
        "dist-MIN_NUM_FORMS": "0",
        "dist-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


# Each write: (url name, target, POST data, check that returns True once the change happened)
WRITES = [
    (
        "inventory:actor_create",
        None,
        {"name": "Waste Team", "kind": "team", "sector": "public"},
        lambda ws, actor, dataset: Actor.objects.filter(workspace=ws, name="Waste Team").exists(),
    ),
    (
        "inventory:actor_update",
        "actor",
        {"name": "Highways", "kind": "department", "sector": "public"},
        lambda ws, actor, dataset: Actor.objects.get(pk=actor.pk).name == "Highways",
    ),
    (
        "inventory:actor_delete",
        "actor",
        {},
        lambda ws, actor, dataset: not Actor.objects.filter(pk=actor.pk).exists(),
    ),
    (
        "inventory:dataset_create",
        None,
        dataset_form(),
        lambda ws, actor, dataset: Dataset.objects.filter(title="Road works").exists(),
    ),
    (
        "inventory:dataset_update",
        "dataset",
        dataset_form(title="Bus stops and shelters", identifier="bus-stops"),
        lambda ws, actor, dataset: (
            Dataset.objects.get(pk=dataset.pk).title == "Bus stops and shelters"
        ),
    ),
    (
        "inventory:dataset_classification",
        "dataset",
        {"spectrum": "internal", "status": "exists", "personal_data": "personal"},
        lambda ws, actor, dataset: Dataset.objects.get(pk=dataset.pk).spectrum == "internal",
    ),
    (
        "inventory:dataset_delete",
        "dataset",
        {},
        lambda ws, actor, dataset: not Dataset.objects.filter(pk=dataset.pk).exists(),
    ),
]


@pytest.fixture
def as_person(client, people):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(people[who])
        return client

    return sign_in


@pytest.mark.parametrize("name,target", READ_PAGES + EDIT_PAGES)
def test_anonymous_is_sent_to_sign_in(client, workspace, actor, dataset, name, target):
    response = client.get(url_for(name, target, workspace, actor, dataset))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,target", READ_PAGES + EDIT_PAGES)
def test_non_member_gets_404(as_person, workspace, actor, dataset, name, target):
    response = as_person("outsider").get(url_for(name, target, workspace, actor, dataset))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["viewer", "editor", "owner"])
@pytest.mark.parametrize("name,target", READ_PAGES)
def test_members_can_read(as_person, workspace, actor, dataset, who, name, target):
    response = as_person(who).get(url_for(name, target, workspace, actor, dataset))
    assert response.status_code == 200


@pytest.mark.parametrize("table", ["actors", "datasets"])
def test_members_can_download_csv(as_person, workspace, actor, dataset, table):
    response = as_person("viewer").get(
        reverse("inventory:export_csv", args=[workspace.slug, table])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("name,target", EDIT_PAGES)
def test_viewer_cannot_open_edit_pages(as_person, workspace, actor, dataset, name, target):
    response = as_person("viewer").get(url_for(name, target, workspace, actor, dataset))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["editor", "owner"])
@pytest.mark.parametrize("name,target", EDIT_PAGES)
def test_editors_and_owners_open_edit_pages(
    as_person, workspace, actor, dataset, who, name, target
):
    response = as_person(who).get(url_for(name, target, workspace, actor, dataset))
    assert response.status_code == 200


@pytest.mark.parametrize("name,target,data,changed", WRITES)
def test_viewer_cannot_change_anything(
    as_person, workspace, actor, dataset, name, target, data, changed
):
    response = as_person("viewer").post(url_for(name, target, workspace, actor, dataset), data)
    assert response.status_code == 403
    assert not changed(workspace, actor, dataset)


@pytest.mark.parametrize("name,target,data,changed", WRITES)
def test_non_member_cannot_change_anything(
    as_person, workspace, actor, dataset, name, target, data, changed
):
    response = as_person("outsider").post(url_for(name, target, workspace, actor, dataset), data)
    assert response.status_code == 404
    assert not changed(workspace, actor, dataset)


@pytest.mark.parametrize("who", ["editor", "owner"])
@pytest.mark.parametrize("name,target,data,changed", WRITES)
def test_editors_and_owners_can_change(
    as_person, workspace, actor, dataset, who, name, target, data, changed
):
    response = as_person(who).post(url_for(name, target, workspace, actor, dataset), data)
    assert response.status_code == 302, getattr(response, "context", {}) and response.context.get(
        "form"
    )
    assert changed(workspace, actor, dataset)


def test_records_of_another_workspace_are_not_reachable_through_this_one(
    as_person, workspace, other_workspace, actor
):
    """A member of Testford cannot reach Elsewhere's dataset by putting its id in a Testford URL."""
    theirs = Dataset.objects.create(
        workspace=other_workspace, identifier="secret", title="Elsewhere's secret list"
    )
    client = as_person("editor")
    detail = reverse("inventory:dataset_detail", args=[workspace.slug, theirs.pk])
    assert client.get(detail).status_code == 404
    delete = reverse("inventory:dataset_delete", args=[workspace.slug, theirs.pk])
    assert client.post(delete).status_code == 404
    assert Dataset.objects.filter(pk=theirs.pk).exists()


def test_steward_from_another_workspace_is_refused(as_person, workspace, other_workspace):
    foreign = Actor.objects.create(workspace=other_workspace, name="Elsewhere Parks")
    client = as_person("editor")
    response = client.post(
        reverse("inventory:dataset_create", args=[workspace.slug]),
        dataset_form(steward=str(foreign.pk)),
    )
    assert response.status_code == 400
    assert "steward" in response.context["form"].errors
    assert not Dataset.objects.filter(title="Road works").exists()


def other_urls(workspace):
    """URLs with arguments of their own: downloads, templates and a pending import."""
    slug = workspace.slug
    return {
        "template": reverse("inventory:import_template", args=[slug, "csv"]),
        "export": reverse("inventory:export_csv", args=[slug, "actors"]),
        "preview": reverse(
            "inventory:import_preview", args=[slug, "5f0c8a8e-4d1c-4f39-9c53-6c3a2b1e9d10"]
        ),
    }


# What each person gets: downloads are for every member; a pending import only for editors,
# and then only their own (a token that is not theirs is not found).
EXPECTED = {
    "anonymous": {"template": 302, "export": 302, "preview": 302},
    "outsider": {"template": 404, "export": 404, "preview": 404},
    "viewer": {"template": 200, "export": 200, "preview": 403},
    "editor": {"template": 200, "export": 200, "preview": 404},
    "owner": {"template": 200, "export": 200, "preview": 404},
}


@pytest.mark.parametrize("who", EXPECTED)
def test_downloads_and_pending_imports(as_person, workspace, who):
    client = as_person(who)
    for name, url in other_urls(workspace).items():
        assert client.get(url).status_code == EXPECTED[who][name], name
        if name == "preview":
            assert client.post(url).status_code == EXPECTED[who][name], name
