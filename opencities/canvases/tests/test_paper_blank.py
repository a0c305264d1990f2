"""Blank canvases to print: page sizes, every section and question on the paper, and greyscale
that holds no colour at all."""

import functools
import io

import pytest
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ContentStream

from opencities.accounts.models import Workspace
from opencities.canvases import paper
from opencities.canvases.sections import BUSINESS_SECTIONS, ETHICS_SECTIONS
from opencities.projects.models import Project

A3 = (841.89, 1190.55)
A4 = (595.28, 841.89)


@functools.cache
def blank(canvas: str, size: str, colour: str) -> PdfReader:
    """Each PDF once per test run: WeasyPrint takes a moment over a page. The project need not
    be saved; the canvas only prints its title and its workspace's name."""
    workspace = Workspace(name="Testford City Council", slug="testford")
    project = Project(workspace=workspace, title="Fewer missed bin collections")
    return PdfReader(io.BytesIO(paper.blank_canvas_pdf(canvas, size, colour, project)))


def page_sizes(reader: PdfReader) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def text_of(reader: PdfReader) -> str:
    """The PDF's text with every run of spaces and line breaks as one space, so words that
    wrap onto a new line still read as they were written."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("canvas", paper.CANVASES)
def test_a3_is_one_landscape_a3_page(canvas):
    (width, height), *others = page_sizes(blank(canvas, "a3", "colour"))
    assert not others
    assert width == pytest.approx(A3[1], abs=1) and height == pytest.approx(A3[0], abs=1)


@pytest.mark.parametrize("canvas", paper.CANVASES)
def test_a4_is_two_portrait_a4_pages(canvas):
    sizes = page_sizes(blank(canvas, "a4", "grey"))
    assert len(sizes) == 2
    for width, height in sizes:
        assert width == pytest.approx(A4[0], abs=1) and height == pytest.approx(A4[1], abs=1)


@pytest.mark.parametrize("size", paper.SIZES)
def test_the_ethics_canvas_shows_all_fifteen_sections_with_their_questions(size):
    text = text_of(blank("ethics", size, "colour"))
    for section in ETHICS_SECTIONS:
        assert str(section.name) in text, section.key
    assert str(ETHICS_SECTIONS[0].questions[0]) in text
    assert str(ETHICS_SECTIONS[-1].questions[0]) in text
    assert str(ETHICS_SECTIONS[0].checks[0].question) in text
    for _key, group in paper.ETHICS_GROUPS:  # printed in capitals
        assert str(group).upper() in text


def test_the_business_case_shows_its_twelve_sections_and_figure_rows():
    text = text_of(blank("business", "a4", "colour"))
    for section in BUSINESS_SECTIONS:
        assert str(section.name) in text, section.key
    assert "Cash-releasing" in text and "Recurring" in text and "Year 5" in text


def test_the_canvas_names_its_project_and_leaves_a_date_to_fill_in():
    text = text_of(blank("ethics", "a3", "grey"))
    assert "Data Ethics Canvas" in text
    assert "Fewer missed bin collections · Testford City Council" in text
    assert "Date" in text and "Open Cities Toolkit" in text


def test_the_canvas_is_printed_in_the_active_language():
    workspace = Workspace(name="Testford City Council", slug="testford")
    project = Project(workspace=workspace, title="Menos contenedores sin recoger")
    with translation.override("es"):
        html = paper.blank_canvas_html("ethics", "a4", "grey", project)
    assert '<html lang="es">' in html


# Colour operators of a PDF content stream: grey, RGB and CMYK fills and strokes, and those
# that set a colour in a colour space of its own.
GREY_OPS = {b"g", b"G"}
RGB_OPS = {b"rg", b"RG"}
OTHER_COLOUR_OPS = {b"k", b"K", b"sc", b"SC", b"scn", b"SCN", b"cs", b"CS"}


def colours_used(reader: PdfReader) -> set[tuple[float, ...]]:
    """Every colour the pages paint with, as (r, g, b); fails on any other way of painting
    colour (CMYK, colour spaces, images, shadings) that this check would not see."""
    colours = set()
    for page in reader.pages:
        resources = page["/Resources"]
        for kind in ("/XObject", "/Shading", "/Pattern"):
            assert not resources.get(kind), f"the page uses a {kind}"
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            assert operator not in OTHER_COLOUR_OPS, operator
            if operator in RGB_OPS:
                colours.add(tuple(round(float(value), 4) for value in operands))
            elif operator in GREY_OPS:
                colours.add((round(float(operands[0]), 4),) * 3)
    return colours


@pytest.mark.parametrize("canvas", paper.CANVASES)
def test_greyscale_paints_in_greys_only(canvas):
    colours = colours_used(blank(canvas, "a4", "grey"))
    assert len(colours) >= 3  # black, white and the greys of the bands
    assert all(r == g == b for r, g, b in colours), colours


def test_the_colour_canvas_does_use_colour():
    """The same check sees colour where there is some, so the test above means something."""
    colours = colours_used(blank("ethics", "a3", "colour"))
    assert any(not r == g == b for r, g, b in colours)


def test_greyscale_groups_differ_by_tone_and_border():
    """A photocopy loses subtle tints: each ethics group has its own grey and border style."""
    tones = [paper.PALETTES["grey"].tones[key] for key, _name in paper.ETHICS_GROUPS]
    assert len({tone.band for tone in tones}) == 4
    assert len({tone.border_style for tone in tones}) == 4


def test_there_is_no_such_blank_canvas():
    with pytest.raises(ValueError, match="no blank canvas"):
        paper.blank_canvas_filename("ethics", "a5", "colour")
