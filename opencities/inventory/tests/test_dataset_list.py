import pytest
from django.urls import reverse

from opencities.inventory.models import Actor, Dataset, DatasetStatus, Sector, Theme


@pytest.fixture
def catalogue(workspace):
    transport = Actor.objects.create(workspace=workspace, name="Transport", sector=Sector.PUBLIC)
    busco = Actor.objects.create(workspace=workspace, name="Riverbus Ltd", sector=Sector.PRIVATE)
    theme = Theme.objects.create(workspace=workspace, name="Mobility")
    rows = [
        ("bus-timetables", "Bus timetables", busco, "open", ["gtfs"], "none"),
        ("traffic-counts", "Traffic counts", transport, "open", ["roads"], "none"),
        ("parking-permits", "Parking permit holders", transport, "internal", [], "personal"),
        ("bus-positions", "Real-time bus positions", busco, "named", ["gtfs-rt"], "none"),
    ]
    made = {}
    for identifier, title, steward, spectrum, keywords, personal in rows:
        made[identifier] = Dataset.objects.create(
            workspace=workspace,
            identifier=identifier,
            title=title,
            steward=steward,
            spectrum=spectrum,
            keywords=keywords,
            personal_data=personal,
        )
    made["bus-timetables"].themes.add(theme)
    Dataset.objects.create(
        workspace=workspace, identifier="ev-demand", title="EV demand", status=DatasetStatus.GAP
    )
    return made


def titles(response) -> list[str]:
    return [d.title for d in response.context["rows"]]


def list_url(workspace):
    return reverse("inventory:dataset_list", args=[workspace.slug])


def test_search_matches_every_word_in_any_field(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"q": "bus GTFS"})
    assert sorted(titles(response)) == ["Bus timetables", "Real-time bus positions"]


def test_search_finds_a_dataset_by_its_steward(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    assert titles(client.get(list_url(workspace), {"q": "riverbus"})) == [
        "Bus timetables",
        "Real-time bus positions",
    ]


def test_filters_combine(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"spectrum": ["open"], "sector": "public"})
    assert titles(response) == ["Traffic counts"]
    response = client.get(list_url(workspace), {"personal_data": "personal"})
    assert titles(response) == ["Parking permit holders"]
    response = client.get(list_url(workspace), {"status": "gap"})
    assert titles(response) == ["EV demand"]


def test_filter_by_theme_and_steward(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    theme = Theme.objects.get(name="Mobility")
    assert titles(client.get(list_url(workspace), {"theme": theme.pk})) == ["Bus timetables"]
    steward = Actor.objects.get(name="Transport")
    assert titles(client.get(list_url(workspace), {"steward": steward.pk})) == [
        "Parking permit holders",
        "Traffic counts",
    ]


def test_sorting_by_last_changed(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    catalogue["bus-timetables"].save()  # now the most recently changed
    assert titles(client.get(list_url(workspace), {"sort": "-updated"}))[0] == "Bus timetables"


def test_pagination_keeps_the_filters(client, viewer, workspace):
    Dataset.objects.bulk_create(
        Dataset(workspace=workspace, identifier=f"sensor-{n:03}", title=f"Sensor {n:03}")
        for n in range(120)
    )
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"q": "sensor", "page": 3})
    assert titles(response)[0] == "Sensor 100"
    assert len(titles(response)) == 20
    assert 'href="?q=sensor&amp;page=2"' in response.content.decode()


def test_htmx_request_gets_only_the_results(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"q": "traffic"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Traffic counts" in html
    assert "<html" not in html


def test_user_text_is_escaped(client, viewer, workspace):
    Dataset.objects.create(
        workspace=workspace, identifier="xss", title="<script>alert('x')</script>"
    )
    client.force_login(viewer)
    html = client.get(list_url(workspace)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_other_workspaces_datasets_never_appear(client, viewer, workspace, other_workspace):
    Dataset.objects.create(workspace=other_workspace, identifier="theirs", title="Their data")
    client.force_login(viewer)
    assert titles(client.get(list_url(workspace), {"q": "their"})) == []


def test_actor_list_search_and_sector_filter(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    url = reverse("inventory:actor_list", args=[workspace.slug])
    names = [a.name for a in client.get(url, {"sector": "private"}).context["rows"]]
    assert names == ["Riverbus Ltd"]
    names = [a.name for a in client.get(url, {"q": "transp"}).context["rows"]]
    assert names == ["Transport"]


def test_a_wrong_filter_value_is_reported_not_silently_ignored(
    client, viewer, workspace, catalogue
):
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"status": "lost", "q": "bus"})
    assert "status" in response.context["filter"].errors
    assert sorted(titles(response)) == ["Bus timetables", "Real-time bus positions"]


def test_steward_choices_keep_the_selection_and_escape_names(client, viewer, workspace, catalogue):
    odd = Actor.objects.create(workspace=workspace, name="<b>Bold & Co</b>")
    Dataset.objects.create(workspace=workspace, identifier="odd", title="Odd", steward=odd)
    client.force_login(viewer)
    html = client.get(list_url(workspace), {"steward": odd.pk}).content.decode()
    assert '<option value="">Any</option>' in html
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;Bold &amp; Co&lt;/b&gt;</option>' in html
    assert "Parking permit holders" not in html


def test_search_pages_count_matches_and_a_page_past_the_end_shows_the_last(
    client, viewer, workspace
):
    Dataset.objects.bulk_create(
        Dataset(workspace=workspace, identifier=f"meter-{n:03}", title=f"Meter {n:03}")
        for n in range(75)
    )
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"q": "meter", "page": 2})
    assert response.context["page"].paginator.count == 75
    assert titles(response)[0] == "Meter 050"
    response = client.get(list_url(workspace), {"q": "meter", "page": 9})
    assert response.context["page"].number == 2
    assert len(titles(response)) == 25
    response = client.get(list_url(workspace), {"q": "nothing-matches", "page": "x"})
    assert response.context["page"].paginator.count == 0
    assert "No datasets match" in response.content.decode()


def test_an_absurd_page_number_shows_the_last_page(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    huge = "9" * 30
    assert client.get(list_url(workspace), {"q": "bus", "page": huge}).status_code == 200
    assert client.get(list_url(workspace), {"page": huge}).status_code == 200


def test_htmx_restoring_history_gets_the_whole_page(client, viewer, workspace, catalogue):
    client.force_login(viewer)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get(list_url(workspace), {"q": "bus"}, headers=headers)
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_personal_data_filter_takes_several_levels(client, viewer, workspace, catalogue):
    Dataset.objects.create(
        workspace=workspace, identifier="care", title="Care records", personal_data="special"
    )
    client.force_login(viewer)
    response = client.get(list_url(workspace), {"personal_data": ["personal", "special"]})
    assert titles(response) == ["Care records", "Parking permit holders"]
