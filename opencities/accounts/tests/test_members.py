import pytest
from django.urls import reverse

from opencities.accounts.models import Membership, Role, Workspace
from opencities.conftest import PASSWORD, make_user


def members_url(workspace):
    return reverse("members", args=[workspace.slug])


def test_owner_adds_a_member_by_email(client, owner, workspace):
    newcomer = make_user("nina")
    client.force_login(owner)
    response = client.post(members_url(workspace), {"user": "nina@example.org", "role": "editor"})
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == Role.EDITOR


def test_adding_an_unknown_person_says_so_and_changes_nothing(client, owner, workspace):
    client.force_login(owner)
    response = client.post(members_url(workspace), {"user": "nobody@example.org", "role": "viewer"})
    assert response.status_code == 400
    assert "No single account" in response.content.decode()


def test_members_are_added_by_email_not_by_username(client, owner, workspace):
    make_user("nina")
    client.force_login(owner)
    response = client.post(members_url(workspace), {"user": "nina", "role": "viewer"})
    assert response.status_code == 400
    assert not workspace.memberships.filter(user__username="nina").exists()
    assert workspace.memberships.count() == 1


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_only_owners_add_members(client, people, workspace, who):
    make_user("nina")
    client.force_login(people[who])
    response = client.post(members_url(workspace), {"user": "nina@example.org", "role": "owner"})
    assert response.status_code == 403
    assert not workspace.memberships.filter(user__username="nina").exists()


def test_members_list_is_readable_by_a_viewer_but_hidden_from_outsiders(
    client, viewer, outsider, workspace
):
    client.force_login(viewer)
    assert client.get(members_url(workspace)).status_code == 200
    client.force_login(outsider)
    assert client.get(members_url(workspace)).status_code == 404


def test_owner_changes_a_role(client, owner, viewer, workspace):
    membership = Membership.objects.get(user=viewer, workspace=workspace)
    client.force_login(owner)
    client.post(reverse("member_update", args=[workspace.slug, membership.pk]), {"role": "editor"})
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


def test_editor_cannot_promote_themselves(client, editor, workspace):
    membership = Membership.objects.get(user=editor, workspace=workspace)
    client.force_login(editor)
    response = client.post(
        reverse("member_update", args=[workspace.slug, membership.pk]), {"role": "owner"}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


def test_last_owner_cannot_step_down_or_be_removed(client, owner, workspace):
    membership = Membership.objects.get(user=owner, workspace=workspace)
    client.force_login(owner)
    client.post(reverse("member_update", args=[workspace.slug, membership.pk]), {"role": "viewer"})
    client.post(reverse("member_remove", args=[workspace.slug, membership.pk]))
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.parametrize("who", ["editor", "viewer", "outsider"])
def test_only_owners_of_this_workspace_remove_members(client, people, workspace, who):
    membership = Membership.objects.get(user=people["viewer"], workspace=workspace)
    client.force_login(people[who])
    response = client.post(reverse("member_remove", args=[workspace.slug, membership.pk]))
    assert response.status_code == (404 if who == "outsider" else 403)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_workspace_slugs_differ_by_more_than_case(client, viewer, workspace):
    client.force_login(viewer)
    response = client.post(
        reverse("workspace_create"), {"name": "Testford 2", "slug": "Testford", "description": ""}
    )
    assert response.status_code == 200
    assert Workspace.objects.filter(slug__iexact="testford").count() == 1


def test_owner_removes_a_member(client, owner, viewer, workspace):
    membership = Membership.objects.get(user=viewer, workspace=workspace)
    client.force_login(owner)
    client.post(reverse("member_remove", args=[workspace.slug, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_workspace_cannot_be_changed_through_this_one(
    client, owner, outsider, workspace, other_workspace
):
    theirs = Membership.objects.get(user=outsider, workspace=other_workspace)
    client.force_login(owner)
    response = client.post(
        reverse("member_update", args=[workspace.slug, theirs.pk]), {"role": "viewer"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.OWNER


def test_creating_a_workspace_makes_you_its_owner(client, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("workspace_create"), {"name": "Lakeside", "slug": "lakeside", "description": ""}
    )
    assert response.status_code == 302
    lakeside = Workspace.objects.get(slug="lakeside")
    assert lakeside.role_of(viewer) == Role.OWNER


def test_home_lists_every_workspace_of_a_person_in_several(client, viewer, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=viewer, role=Role.VIEWER)
    client.force_login(viewer)
    page = client.get(reverse("home")).content.decode()
    assert "Testford City Council" in page
    assert "Elsewhere Borough" in page


def test_home_goes_straight_to_the_only_workspace(client, viewer, workspace):
    client.force_login(viewer)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("inventory:dashboard", args=[workspace.slug])


def test_sign_in_and_sign_out(client, viewer):
    response = client.post(reverse("login"), {"username": "vera", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # to the workspace, not to sign-in
    client.post(reverse("logout"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_wrong_password_is_refused(client, viewer):
    response = client.post(reverse("login"), {"username": "vera", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_change_password(client, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("another-long-passphrase-7")


def test_owner_renames_the_workspace_but_not_its_slug(client, owner, workspace):
    client.force_login(owner)
    url = reverse("workspace_settings", args=[workspace.slug])
    client.post(url, {"name": "Testford Council", "description": "Data office", "slug": "x"})
    workspace.refresh_from_db()
    assert (workspace.name, workspace.slug) == ("Testford Council", "testford")


@pytest.mark.parametrize("who,status", [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_change_workspace_details(client, people, workspace, who, status):
    client.force_login(people[who])
    url = reverse("workspace_settings", args=[workspace.slug])
    assert client.get(url).status_code == status
    assert client.post(url, {"name": "Hijacked"}).status_code == status
    workspace.refresh_from_db()
    assert workspace.name == "Testford City Council"
