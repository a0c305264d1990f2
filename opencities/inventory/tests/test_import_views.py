from django.urls import reverse

from opencities.inventory.models import Dataset, ImportRun

GOOD = "identifier,title,spectrum\nbins,Bin collection rounds,open\ntrees,Street trees,open\n"
BAD = GOOD + "lamps,Street lights,sometimes\n"


def upload(client, workspace, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("inventory:import", args=[workspace.slug]),
        {"file": SimpleUploadedFile(name, content.encode("utf-8"), "text/csv")},
    )


def test_upload_preview_then_import(client, editor, workspace):
    client.force_login(editor)
    response = upload(client, workspace, "inventory.csv", GOOD)
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["plan"].ok
    assert preview.context["counts"]["datasets"]["create"] == 2
    assert Dataset.objects.count() == 0  # previewing writes nothing
    client.post(response["Location"])
    assert Dataset.objects.filter(workspace=workspace).count() == 2
    run = ImportRun.objects.get()
    assert (run.filename, run.datasets_created, run.user) == ("inventory.csv", 2, editor)


def test_a_bad_row_is_shown_with_row_and_column_and_cannot_be_imported(client, editor, workspace):
    client.force_login(editor)
    location = upload(client, workspace, "inventory.csv", BAD)["Location"]
    preview = client.get(location)
    html = preview.content.decode()
    assert "problem" in html
    [problem] = preview.context["problems"]
    assert (problem.row, problem.column) == (4, "spectrum")
    assert "Import inventory.csv" not in html  # no button to apply
    client.post(location)
    assert Dataset.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(client, editor, workspace):
    client.force_login(editor)
    response = upload(client, workspace, "notes.txt", "hello")
    assert response.status_code == 400
    assert "not a .csv or .xlsx file" in response.content.decode()


def test_an_unreadable_file_is_explained(client, editor, workspace):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    response = client.post(
        reverse("inventory:import", args=[workspace.slug]),
        {"file": SimpleUploadedFile("broken.xlsx", b"this is not a zip file")},
    )
    preview = client.get(response["Location"])
    assert preview.context["error"]
    assert "could not be read" in preview.content.decode()


def test_a_pending_import_belongs_to_its_uploader(client, editor, owner, workspace):
    client.force_login(editor)
    location = upload(client, workspace, "inventory.csv", GOOD)["Location"]
    client.force_login(owner)  # a different session cannot see or apply it
    assert client.get(location).status_code == 404
    assert client.post(location).status_code == 404
    assert Dataset.objects.count() == 0


def test_templates_download(client, viewer, workspace):
    client.force_login(viewer)
    url = reverse("inventory:import_template", args=[workspace.slug, "csv"])
    response = client.get(url, {"table": "actors"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("name")
    xlsx = client.get(reverse("inventory:import_template", args=[workspace.slug, "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    pdf = reverse("inventory:import_template", args=[workspace.slug, "pdf"])
    assert client.get(pdf).status_code == 404


def test_downloaded_csv_imports_back_unchanged(client, editor, workspace, dataset):
    client.force_login(editor)
    download = client.get(reverse("inventory:export_csv", args=[workspace.slug, "datasets"]))
    assert download.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    location = upload(client, workspace, "datasets.csv", download.content.decode("utf-8"))[
        "Location"
    ]
    counts = client.get(location).context["counts"]["datasets"]
    assert counts == {"create": 0, "update": 0, "unchanged": 1}


def test_a_pending_import_cannot_be_applied_to_another_workspace(
    client, editor, workspace, other_workspace
):
    from opencities.accounts.models import Membership

    Membership.objects.create(workspace=other_workspace, user=editor, role="editor")
    client.force_login(editor)
    location = upload(client, workspace, "inventory.csv", GOOD)["Location"]
    token = location.rstrip("/").rsplit("/", 1)[1]
    elsewhere = reverse("inventory:import_preview", args=[other_workspace.slug, token])
    assert client.get(elsewhere).status_code == 404
    assert client.post(elsewhere).status_code == 404
    assert Dataset.objects.count() == 0


def test_uploads_left_waiting_for_a_day_are_removed(client, editor, workspace, settings):
    import os
    import time
    from pathlib import Path

    client.force_login(editor)
    upload(client, workspace, "first.csv", GOOD)
    folder = Path(settings.UPLOAD_DIR)
    [old] = list(folder.iterdir())
    a_day_ago = time.time() - 25 * 3600
    os.utime(old, (a_day_ago, a_day_ago))
    upload(client, workspace, "second.csv", GOOD)
    assert not old.exists()
    assert len(list(folder.iterdir())) == 1
    assert old.parent.stat().st_mode & 0o777 == 0o700
