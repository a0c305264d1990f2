"""The interface in English and Spanish: the switcher, the default, and complete catalogues."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import opencities

PACKAGE = Path(opencities.__file__).parent
# The catalogues of the apps this check covers; an app joins the list once it is translated.
CATALOGUES = [
    PACKAGE / "locale/es/LC_MESSAGES/django.po",
    PACKAGE / "locale/es/LC_MESSAGES/djangojs.po",
    *(
        PACKAGE / app / "locale/es/LC_MESSAGES/django.po"
        for app in ("accounts", "inventory", "projects", "maps", "canvases", "workshops")
    ),
    PACKAGE / "workshops/locale/es/LC_MESSAGES/djangojs.po",
]


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request leaves its language active in the thread, for the tests that follow."""
    yield
    translation.deactivate()


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file, each with its flags, msgctxt, msgid and msgstr(s)."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
        starts = line.startswith("#,") or (keyword and keyword[1] in ("msgctxt", "msgid"))
        if starts and (entry is None or any(key.startswith("msgstr") for key in entry)):
            entry = {"flags": []}
            entries.append(entry)
        if line.startswith("#,"):
            entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
        elif keyword:
            field = keyword[1]
            entry[field] = ast.literal_eval(keyword[2])  # a C string literal reads the same
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
    return entries


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_catalogue_is_complete_and_compiled(path):
    entries = read_po(path)
    assert len(entries) > 10
    for entry in entries:
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert all(translations), f"untranslated: {entry['msgid']!r}"
    with path.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    for entry in entries[1:]:  # after the header
        key = (
            entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        if "msgid_plural" in entry:
            assert catalogue.get((key, 0)) == entry["msgstr[0]"], f"compile {path.name} again"
        else:
            assert catalogue.get(key) == entry["msgstr"], f"compile {path.name} again: {key!r}"


def test_english_is_the_default(client, owner, workspace):
    client.force_login(owner)
    page = client.get(reverse("inventory:dashboard", args=[workspace.slug])).content.decode()
    assert '<html lang="en-gb">' in page
    assert "datasets recorded" in page
    assert "conjuntos de datos registrados" not in page
    assert settings.LANGUAGE_CODE == settings.LANGUAGES[0][0] == "en-gb"


def test_a_spanish_browser_gets_spanish(client, owner, workspace):
    client.force_login(owner)
    page = client.get(
        reverse("inventory:dashboard", args=[workspace.slug]), headers={"accept-language": "es-ES"}
    ).content.decode()
    assert '<html lang="es">' in page
    assert "Resumen" in page and "Overview" not in page


def test_the_switcher_changes_the_language_and_stays_on_the_page(client, owner, workspace):
    client.force_login(owner)
    page = reverse("inventory:dataset_list", args=[workspace.slug]) + "?q=bus"

    response = client.post(reverse("set_language"), {"language": "es", "next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 365 * 24 * 60 * 60
    spanish = client.get(page).content.decode()
    assert "Buscar conjuntos de datos" in spanish and "Search datasets" not in spanish
    client.post(reverse("set_language"), {"language": "en-gb", "next": page})
    assert "Search datasets" in client.get(page).content.decode()


def test_the_switcher_is_on_every_page_even_signed_out(client):
    page = client.get(reverse("login")).content.decode()
    form = re.search(r'<form[^>]*action="/i18n/setlang/".*?</form>', page, re.S)
    assert form is not None
    assert 'name="next" value="/accounts/login/"' in form[0]
    assert re.search(r'<option value="es"[^>]*>Español</option>', form[0])
    assert re.search(r'<option value="en-gb"[^>]*selected>English</option>', form[0])
    assert 'type="submit"' in form[0]


def test_the_login_page_in_spanish_names_each_language_in_itself(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("login")).content.decode()
    assert "Inicie sesión en el espacio de trabajo de su ciudad." in page
    assert "Sign in to your city's workspace." not in page
    assert re.search(r'<option value="en-gb"[^>]*>English</option>', page)
    assert re.search(r'<option value="es"[^>]*selected>Español</option>', page)


def test_the_map_editor_script_gets_its_words_in_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    script = client.get(reverse("javascript-catalog")).content.decode()
    assert "Se han guardado todos los cambios." in script
    assert "mover %(count)s nodos" in script
