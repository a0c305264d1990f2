"""`opencities report`: writes each format, and fails with exit status 2 and a clear message."""

import pytest

from opencities.cli import main

from .test_reports import docx_text, make_project, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(workspace):
    return make_project(workspace)


def report(*args: str) -> int:
    return main(["report", *args])


def test_each_format_is_written(project, tmp_path, capsys):
    pk = str(project.pk)
    for fmt in ("pdf", "docx", "html"):
        out = tmp_path / f"pack.{fmt}"
        assert report("--project", pk, "--format", fmt, "-o", str(out)) == 0
        assert f"Wrote {out}" in capsys.readouterr().out
    assert "Sign the data sharing agreement" in pdf_text((tmp_path / "pack.pdf").read_bytes())
    assert "Fewer repeat collection trips" in docx_text((tmp_path / "pack.docx").read_bytes())
    assert "Cut missed bins" in (tmp_path / "pack.html").read_text(encoding="utf-8")


def test_another_report_and_a_workspace_check(project, tmp_path):
    out = tmp_path / "ethics.docx"
    args = ["--project", str(project.pk), "--format", "docx", "-o", str(out)]

    assert report(*args, "--report", "ethics", "--workspace", "testford") == 0

    text = docx_text(out.read_bytes())
    assert "Data sources" in text and "Fewer repeat collection trips" not in text


def test_a_missing_project_fails_clearly(db, tmp_path, capsys):
    out = tmp_path / "pack.pdf"

    assert report("--project", "404", "--format", "pdf", "-o", str(out)) == 2

    assert "no project with the id 404" in capsys.readouterr().err
    assert not out.exists()


def test_a_project_of_another_workspace_fails_clearly(project, tmp_path, capsys):
    args = ["--project", str(project.pk), "--format", "html", "-o", str(tmp_path / "x.html")]

    assert report(*args, "--workspace", "elsewhere") == 2

    assert "not in the workspace “elsewhere”" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_fails_clearly(project, tmp_path, capsys):
    pk = str(project.pk)
    missing_folder = tmp_path / "nowhere" / "pack.html"
    assert report("--project", pk, "--format", "html", "-o", str(missing_folder)) == 2
    assert "there is no folder" in capsys.readouterr().err

    assert report("--project", pk, "--format", "html", "-o", str(tmp_path)) == 2  # a folder
    assert f"cannot write {tmp_path}" in capsys.readouterr().err
