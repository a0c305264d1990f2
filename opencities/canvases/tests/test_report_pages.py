"""The report pages and downloads (`views/reports.py`): who may read them, and what they send."""

import pytest
from django.conf import settings
from django.urls import reverse

from opencities.canvases.reports import FORMATS, REPORTS
from opencities.projects.models import Project

from .test_reports import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(workspace):
    return make_project(workspace)


def page(project: Project, report: str = "pack") -> str:
    return reverse("canvases:report", args=[project.workspace.slug, project.pk, report])


def download(project: Project, report: str = "pack", fmt: str = "pdf") -> str:
    return reverse(
        "canvases:report_download", args=[project.workspace.slug, project.pk, report, fmt]
    )


def every_url(project: Project) -> list[str]:
    return [page(project, r) for r in REPORTS] + [download(project, "ethics", f) for f in FORMATS]


def test_anonymous_people_are_sent_to_sign_in(client, project):
    for address in every_url(project):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), address


def test_someone_of_another_city_finds_nothing(client, outsider, project):
    client.force_login(outsider)
    for address in every_url(project):
        assert client.get(address).status_code == 404, address


def test_a_project_of_another_workspace_is_not_found_under_this_one(
    client, viewer, project, other_workspace
):
    elsewhere = Project.objects.create(workspace=other_workspace, title="Theirs", challenge="-")
    client.force_login(viewer)
    address = reverse("canvases:report", args=[project.workspace.slug, elsewhere.pk, "pack"])
    assert client.get(address).status_code == 404


def test_a_viewer_reads_the_print_page_with_links_to_each_format(client, viewer, project):
    client.force_login(viewer)

    response = client.get(page(project))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Cut missed bins" in html
    assert 'onclick="window.print()"' in html
    for fmt in FORMATS:
        assert f'href="{download(project, "pack", fmt)}"' in html


@pytest.mark.parametrize(
    ("fmt", "start"), [("pdf", b"%PDF-"), ("docx", b"PK\x03\x04"), ("html", b"<!doctype html>")]
)
def test_a_viewer_downloads_each_format_as_a_named_attachment(client, viewer, project, fmt, start):
    client.force_login(viewer)

    response = client.get(download(project, "business", fmt))

    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="cut-missed-bins-business.{fmt}"'
    )
    assert response.content.lstrip().startswith(start)


def test_the_downloaded_html_has_no_toolbar(client, viewer, project):
    client.force_login(viewer)

    html = client.get(download(project, "pack", "html")).content.decode()

    assert "window.print()" not in html
    assert "data:image/svg+xml;base64," in html  # the map travels inside the file


def test_unknown_reports_and_formats_are_not_found(client, viewer, project):
    client.force_login(viewer)
    for address in (page(project, "summary"), download(project, "summary", "pdf")):
        assert client.get(address).status_code == 404, address
    assert client.get(download(project, "pack", "odt")).status_code == 404
