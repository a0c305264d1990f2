"""The paper pages: blank canvas downloads, pasting and importing a room's notes, and who may
use each URL of `views/paper.py`."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from opencities.canvases.models import Contribution, ContributionSource, EthicsCanvas
from opencities.projects.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, title="Bins", challenge="Missed bins")


def url(project, name, *extra):
    return reverse(f"canvases:{name}", args=[project.workspace.slug, project.pk, *extra])


def xlsx(rows, header=("canvas", "section", "note", "author")) -> SimpleUploadedFile:
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(list(row))
    binary = io.BytesIO()
    book.save(binary)
    return SimpleUploadedFile("room.xlsx", binary.getvalue())


PASTE = {
    "section": "",
    "notes": "# Data sources\r\n- Bin rounds\r\n\r\n# Actions\r\n- Ask legal",
    "author_name": "Room workshop 12 March",
    "date": "2025-03-12",
}


def checked(response) -> str:
    """The digest of the notes the preview showed, as the page's form carries it."""
    return re.search(r'name="checked" value="([0-9a-f]+)"', response.content.decode())[1]


# Blank canvases -----------------------------------------------------------------------------


def test_the_paper_page_links_every_blank_canvas(client, viewer, project):
    client.force_login(viewer)
    page = client.get(url(project, "paper")).content.decode()
    for canvas in ("ethics", "business"):
        for size in ("a3", "a4"):
            for colour in ("colour", "grey"):
                assert url(project, "blank", canvas, size, colour) in page
    assert url(project, "paper_import") not in page  # a viewer gets no tools to add notes


def test_a_blank_canvas_downloads_as_a_pdf(client, viewer, project):
    client.force_login(viewer)
    response = client.get(url(project, "blank", "business", "a4", "grey"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="business-case-canvas-a4-grey.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "canvas,size,colour",
    [("poster", "a3", "colour"), ("ethics", "a5", "colour"), ("ethics", "a3", "sepia")],
)
def test_there_is_no_other_blank_canvas(client, viewer, project, canvas, size, colour):
    client.force_login(viewer)
    assert client.get(url(project, "blank", canvas, size, colour)).status_code == 404


# Pasting notes ------------------------------------------------------------------------------


def test_pasted_notes_are_previewed_then_added(client, editor, project):
    client.force_login(editor)
    address = url(project, "paper_paste", "ethics")
    assert client.get(address).status_code == 200

    preview = client.post(address, PASTE)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Bin rounds" in page and "Ask legal" in page and "Add 2 notes" in page
    assert not Contribution.objects.exists()

    done = client.post(address, {**PASTE, "checked": checked(preview), "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == url(project, "paper")
    notes = Contribution.objects.order_by("pk")
    assert [(c.ethics_section.key, c.text, c.author_name, c.source) for c in notes] == [
        ("data_sources", "Bin rounds", "Room workshop 12 March", ContributionSource.ROOM),
        ("actions", "Ask legal", "Room workshop 12 March", ContributionSource.ROOM),
    ]
    assert {c.created.date().isoformat() for c in notes} == {"2025-03-12"}
    assert "Added 2 notes." in client.get(done["Location"]).content.decode()


def test_notes_changed_after_the_preview_are_previewed_again(client, editor, project):
    client.force_login(editor)
    address = url(project, "paper_paste", "ethics")
    preview = client.post(address, PASTE)
    changed = {**PASTE, "notes": PASTE["notes"] + "\r\n- Check the contract"}
    response = client.post(address, {**changed, "checked": checked(preview), "confirm": "1"})
    assert response.status_code == 200
    assert "The notes changed since they were checked" in response.content.decode()
    assert not Contribution.objects.exists()


def test_pasted_notes_with_a_problem_add_nothing(client, editor, project):
    client.force_login(editor)
    address = url(project, "paper_paste", "ethics")
    bad = {**PASTE, "notes": "Before any heading\n# Data sources\n- Bin rounds"}
    preview = client.post(address, bad)
    page = preview.content.decode()
    assert "1 problem to fix" in page and "Add 1 note" not in page
    client.post(address, {**bad, "checked": checked(preview), "confirm": "1"})
    assert not Contribution.objects.exists()


def test_a_workshop_date_in_the_future_is_refused(client, editor, project):
    client.force_login(editor)
    response = client.post(url(project, "paper_paste", "business"), {**PASTE, "date": "2999-01-01"})
    assert "cannot have been held in the future" in response.content.decode()


def test_notes_go_to_the_ethics_or_the_business_canvas_only(client, editor, project):
    client.force_login(editor)
    assert client.get(url(project, "paper_paste", "poster")).status_code == 404


# Importing a spreadsheet --------------------------------------------------------------------


def test_a_spreadsheet_is_uploaded_previewed_and_imported(client, editor, project, settings):
    client.force_login(editor)
    upload = xlsx([("ethics", "Data sources", "Bin rounds", ""), ("business", "costs", "€5k", "")])
    response = client.post(url(project, "paper_import"), {"file": upload, "author": "Room"})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "The file is valid" in page and "Bin rounds" in page and "Import 2 notes" in page
    assert not EthicsCanvas.objects.exists()

    done = client.post(preview_url)
    assert done.status_code == 302 and done["Location"] == url(project, "paper")
    assert sorted(Contribution.objects.values_list("text", "author_name", "source")) == [
        ("Bin rounds", "Room", ContributionSource.SPREADSHEET),
        ("€5k", "Room", ContributionSource.SPREADSHEET),
    ]
    assert not any(settings.UPLOAD_DIR.iterdir())  # the uploaded file is gone
    assert client.get(preview_url).status_code == 404


def test_a_spreadsheet_with_a_bad_row_imports_nothing(client, editor, project):
    client.force_login(editor)
    upload = xlsx([("ethics", "Data sources", "Bin rounds", ""), ("ethics", "Data sauce", "x", "")])
    preview_url = client.post(url(project, "paper_import"), {"file": upload})["Location"]
    page = client.get(preview_url).content.decode()
    assert "1 problem to fix" in page and "“Data sauce” is not a section" in page
    assert "<td>3</td><td>section</td>" in page.replace("\n", "")
    client.post(preview_url)
    assert not Contribution.objects.exists()


def test_only_spreadsheets_are_accepted(client, editor, project):
    client.force_login(editor)
    upload = SimpleUploadedFile("room.pdf", b"%PDF")
    response = client.post(url(project, "paper_import"), {"file": upload})
    assert response.status_code == 400
    assert "is not an .xlsx or a .csv file" in response.content.decode()


def test_an_upload_waits_for_its_own_project_only(client, editor, project, workspace):
    client.force_login(editor)
    upload = xlsx([("ethics", "Data sources", "Bin rounds", "")])
    preview_url = client.post(url(project, "paper_import"), {"file": upload})["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    other = Project.objects.create(workspace=workspace, title="Buses", challenge="Late buses")
    assert client.get(url(other, "paper_import_preview", token)).status_code == 404


def test_the_template_workbook_downloads(client, editor, project):
    client.force_login(editor)
    response = client.get(url(project, "paper_template"))
    assert response.status_code == 200
    assert 'filename="opencities-canvas-notes.xlsx"' in response["Content-Disposition"]


# Who may do what ----------------------------------------------------------------------------


def upload(client, project) -> str:
    """The address of an upload waiting to be confirmed, in the client's session."""
    file = xlsx([("ethics", "Data sources", "Bin rounds", "")])
    return client.post(url(project, "paper_import"), {"file": file})["Location"]


@pytest.fixture
def waiting_import(client, editor, project):
    """An editor's upload waiting to be confirmed, which no one else may see or confirm."""
    client.force_login(editor)
    address = upload(client, project)
    client.logout()
    return address


def readable(project) -> list[str]:
    return [url(project, "paper"), url(project, "blank", "ethics", "a4", "grey")]


def changes(project, waiting_import) -> dict[str, dict]:
    """Every URL that adds notes or belongs to doing so, with what to post to it."""
    return {
        url(project, "paper_paste", "ethics"): PASTE,
        url(project, "paper_paste", "business"): PASTE,
        url(project, "paper_import"): {"file": xlsx([("ethics", "Actions", "Ask", "")])},
        waiting_import: {},
        url(project, "paper_template"): {},
    }


def test_anonymous_people_are_sent_to_sign_in(client, project, waiting_import):
    addresses = [*readable(project), *changes(project, waiting_import)]
    for address in addresses:
        for response in (client.get(address), client.post(address)):
            assert response.status_code == 302, address
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), address
    assert not Contribution.objects.exists()


def test_someone_of_another_city_finds_nothing(client, outsider, project, waiting_import):
    client.force_login(outsider)
    for address in readable(project):
        assert client.get(address).status_code == 404, address
    for address, data in changes(project, waiting_import).items():
        assert client.get(address).status_code == 404, address
        assert client.post(address, data).status_code == 404, address
    assert not Contribution.objects.exists()


def test_a_viewer_may_download_but_add_nothing(client, viewer, project, waiting_import):
    client.force_login(viewer)
    for address in readable(project):
        assert client.get(address).status_code == 200, address
    for address, data in changes(project, waiting_import).items():
        assert client.get(address).status_code == 403, address
        assert client.post(address, data).status_code == 403, address
    assert not Contribution.objects.exists()


def test_an_editor_may_use_every_paper_url(client, editor, project):
    client.force_login(editor)
    for address in [*readable(project), *changes(project, upload(client, project))]:
        assert client.get(address).status_code == 200, address
