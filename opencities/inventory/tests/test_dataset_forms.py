from django.urls import reverse

from opencities.inventory.models import Actor, Dataset
from opencities.inventory.tests.test_permissions import dataset_form


def test_create_dataset_with_themes_keywords_and_a_distribution(client, editor, workspace, actor):
    client.force_login(editor)
    data = dataset_form(
        title="Air quality readings",
        steward=str(actor.pk),
        themes="Environment; Health",
        keywords="air, NO2, air",
        formats="csv, json",
        **{
            "dist-TOTAL_FORMS": "1",
            "dist-0-title": "Hourly readings",
            "dist-0-url": "https://data.testford.example/air.csv",
            "dist-0-format": "CSV",
        },
    )
    response = client.post(reverse("inventory:dataset_create", args=[workspace.slug]), data)
    assert response.status_code == 302
    dataset = Dataset.objects.get(title="Air quality readings")
    assert dataset.identifier == "air-quality-readings"
    assert dataset.steward == actor
    assert sorted(t.name for t in dataset.themes.all()) == ["Environment", "Health"]
    assert dataset.keywords == ["air", "NO2"]
    assert dataset.formats == ["CSV", "JSON"]
    assert dataset.distributions.get().url == "https://data.testford.example/air.csv"


def test_bad_url_and_missing_title_are_reported_and_nothing_is_saved(client, editor, workspace):
    client.force_login(editor)
    data = dataset_form(
        title="",
        **{"dist-TOTAL_FORMS": "1", "dist-0-url": "not a url", "dist-0-format": "CSV"},
    )
    response = client.post(reverse("inventory:dataset_create", args=[workspace.slug]), data)
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert "url" in response.context["formset"].forms[0].errors
    assert Dataset.objects.count() == 0


def test_identifier_must_be_unique_in_the_workspace(client, editor, workspace, dataset):
    client.force_login(editor)
    response = client.post(
        reverse("inventory:dataset_create", args=[workspace.slug]),
        dataset_form(identifier="bus-stops"),
    )
    assert response.status_code == 400
    assert "identifier" in response.context["form"].errors


def test_inline_classification_edit_with_htmx_returns_the_fragment(
    client, editor, workspace, dataset
):
    client.force_login(editor)
    response = client.post(
        reverse("inventory:dataset_classification", args=[workspace.slug, dataset.pk]),
        {"spectrum": "group", "status": "exists", "personal_data": "pseudonymised"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="classification"' in response.content.decode()
    assert "<html" not in response.content.decode()
    dataset.refresh_from_db()
    assert (dataset.spectrum, dataset.personal_data) == ("group", "pseudonymised")


def test_inline_classification_rejects_unknown_values(client, editor, workspace, dataset):
    client.force_login(editor)
    response = client.post(
        reverse("inventory:dataset_classification", args=[workspace.slug, dataset.pk]),
        {"spectrum": "wide-open", "status": "exists", "personal_data": "none"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    dataset.refresh_from_db()
    assert dataset.spectrum == "open"


def test_actor_cannot_be_made_part_of_its_own_team(client, editor, workspace, actor):
    team = Actor.objects.create(workspace=workspace, name="Data Team", parent=actor)
    client.force_login(editor)
    response = client.post(
        reverse("inventory:actor_update", args=[workspace.slug, actor.pk]),
        {"name": actor.name, "kind": "department", "sector": "public", "parent": team.pk},
    )
    assert response.status_code == 400
    assert "parent" in response.context["form"].errors
    actor.refresh_from_db()
    assert actor.parent is None


def test_actor_names_are_unique_ignoring_case(client, editor, workspace, actor):
    client.force_login(editor)
    response = client.post(
        reverse("inventory:actor_create", args=[workspace.slug]),
        {"name": "transport department", "kind": "team", "sector": "public"},
    )
    assert response.status_code == 400
    assert Actor.objects.filter(workspace=workspace).count() == 1


def test_detail_page_shows_steward_and_distributions(client, viewer, workspace, dataset):
    dataset.distributions.create(url="https://data.testford.example/stops.csv", format="CSV")
    client.force_login(viewer)
    html = client.get(dataset.get_absolute_url()).content.decode()
    assert "Transport Department" in html
    assert "https://data.testford.example/stops.csv" in html
    assert "<form" not in html.split('id="classification"')[1].split("</div>")[0]


def test_dashboard_counts_by_spectrum_and_status(client, viewer, workspace, dataset):
    Dataset.objects.create(workspace=workspace, identifier="gap", title="Missing", status="gap")
    client.force_login(viewer)
    context = client.get(reverse("inventory:dashboard", args=[workspace.slug])).context
    spectrum = {value: n for value, _, n in context["spectrum_counts"]}
    status = {value: n for value, _, n in context["status_counts"]}
    assert spectrum["open"] == 1
    assert spectrum["internal"] == 0  # the gap is not counted as existing internal data
    assert status == {"exists": 1, "gap": 1, "unidentified": 0}
    assert [d.title for d in context["gaps"]] == ["Missing"]


def test_deleting_a_steward_warns_about_its_datasets(client, editor, workspace, dataset):
    client.force_login(editor)
    page = client.get(reverse("inventory:actor_delete", args=[workspace.slug, dataset.steward.pk]))
    assert "1 dataset names this actor as steward" in page.content.decode()
    client.post(reverse("inventory:actor_delete", args=[workspace.slug, dataset.steward.pk]))
    dataset.refresh_from_db()
    assert dataset.steward is None  # the dataset stays, without a steward


def test_themes_match_in_any_letter_case_and_have_a_length_limit(client, editor, workspace):
    from opencities.inventory.models import Theme

    Theme.objects.create(workspace=workspace, name="Transport")
    client.force_login(editor)
    url = reverse("inventory:dataset_create", args=[workspace.slug])
    assert client.post(url, dataset_form(themes="transport")).status_code == 302
    assert list(Theme.objects.values_list("name", flat=True)) == ["Transport"]
    response = client.post(url, dataset_form(title="Other", themes="x" * 150))
    assert response.status_code == 400
    assert "themes" in response.context["form"].errors
    assert not Dataset.objects.filter(title="Other").exists()


def test_a_steward_or_parent_from_another_workspace_is_refused_by_the_model(
    workspace, other_workspace, actor
):
    """The admin site validates with the model, so it cannot mix cities either."""
    import pytest
    from django.core.exceptions import ValidationError

    foreign = Actor.objects.create(workspace=other_workspace, name="Elsewhere Parks")
    with pytest.raises(ValidationError, match="same workspace"):
        Dataset(workspace=workspace, identifier="x", title="X", steward=foreign).full_clean()
    with pytest.raises(ValidationError, match="same workspace"):
        Actor(workspace=workspace, name="Team", parent=foreign).full_clean()
