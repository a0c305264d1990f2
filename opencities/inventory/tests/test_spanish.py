"""The inventory's pages in Spanish; spreadsheets keep their English columns and codes."""

import html
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from opencities.inventory import spreadsheet
from opencities.inventory.models import Dataset, PersonalData, Spectrum


@pytest.fixture
def spanish(client, owner):
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    yield client
    translation.deactivate()  # a request leaves its language active in the thread


def test_dashboard_in_spanish(spanish, workspace, dataset):
    page = spanish.get(reverse("inventory:dashboard", args=[workspace.slug])).content.decode()

    assert "conjuntos de datos registrados" in page and "datasets recorded" not in page
    assert "Dónde se sitúan los datos existentes en el espectro de datos" in page
    assert "Abierto — para cualquiera, con licencia abierta" in page
    assert "Open — anyone, open licence" not in page
    assert "Cerrar sesión" in page and "Sign out" not in page


def test_dataset_list_in_spanish(spanish, workspace, dataset):
    url = reverse("inventory:dataset_list", args=[workspace.slug])
    page = spanish.get(url).content.decode()

    assert "Buscar conjuntos de datos" in page and "Search datasets" not in page
    assert "Sector del custodio" in page and "Steward's sector" not in page
    assert "Cualquiera" in page  # the filters' empty choice
    assert "Título (descendente)" in page and "Title (descending)" not in page
    assert "1 conjunto de datos." in page
    results = spanish.get(url, {"q": "bus"}, headers={"HX-Request": "true"}).content.decode()
    assert "1 conjunto de datos coincide." in results


def test_the_dashboard_bar_keeps_css_numbers_in_spanish(spanish, workspace, dataset):
    """A decimal comma would break the width of the Data Spectrum bar."""
    Dataset.objects.create(
        workspace=workspace, identifier="trees", title="Trees", spectrum=Spectrum.INTERNAL
    )
    Dataset.objects.create(
        workspace=workspace, identifier="lamps", title="Lamps", spectrum=Spectrum.INTERNAL
    )
    page = spanish.get(reverse("inventory:dashboard", args=[workspace.slug])).content.decode()
    assert "width: 33.3%" in page and "width: 33,3%" not in page


def test_a_form_speaks_spanish_with_its_errors(spanish, workspace, dataset):
    response = spanish.post(
        reverse("inventory:dataset_create", args=[workspace.slug]),
        {
            "title": "Paradas",
            "identifier": "bus-stops",
            "dist-TOTAL_FORMS": "0",
            "dist-INITIAL_FORMS": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Frecuencia de actualización" in page and "Update frequency" not in page
    assert "Otro conjunto de datos ya tiene el identificador «bus-stops»." in page


def test_import_problems_are_explained_in_spanish(spanish, workspace):
    upload = SimpleUploadedFile("lista.csv", b"identifier,title,spectrum\nbins,Bins,sometimes\n")
    location = spanish.post(reverse("inventory:import", args=[workspace.slug]), {"file": upload})[
        "Location"
    ]

    page = html.unescape(spanish.get(location).content.decode())

    assert "1 problema por corregir" in page
    assert "'sometimes' no es un nivel del espectro de datos; use uno de estos:" in page
    assert "internal, named, group, public, open" in page  # the codes stay as they are


def test_spreadsheets_accept_codes_and_labels_in_either_language(tmp_path, workspace):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "identifier,title,spectrum,personal_data\n"
        "a,A,open,personal\n"
        'b,B,"Open — anyone, open licence",Personal data\n'
        'c,C,"Abierto — para cualquiera, con licencia abierta",Datos personales\n',
        encoding="utf-8",
    )
    plan = spreadsheet.read_plan(workspace, path)

    assert plan.ok, plan.problems
    spreadsheet.apply_plan(plan)
    assert set(Dataset.objects.values_list("spectrum", "personal_data")) == {
        (Spectrum.OPEN, PersonalData.PERSONAL)
    }


def test_a_template_downloaded_in_spanish_keeps_its_columns_in_english():
    binary = io.BytesIO()
    with translation.override("es"):
        spreadsheet.write_template("xlsx", binary)
    book = load_workbook(binary)

    assert book.sheetnames == ["Actors", "Datasets", "Ayuda"]
    assert [cell.value for cell in book["Datasets"][1]][:3] == [
        "identifier",
        "title",
        "description",
    ]
    help_rows = list(book["Ayuda"].values)
    assert help_rows[0] == (
        "hoja",
        "columna",
        "obligatoria",
        "valores admitidos",
        "qué escribir",
        "ejemplo",
    )
    assert help_rows[1][:3] == ("Actors", "name", "sí")
