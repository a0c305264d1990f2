"""Pages of the canvases: paper — blank canvases to print for a workshop held in a room, and the
room's notes brought back in, pasted as text or imported from a spreadsheet.

Both ways in show what would be added before anything is saved, like the toolkit's other
imports; the work itself is done by `opencities/canvases/paper.py`.
"""

import hashlib
import io
import json
from datetime import datetime, time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from opencities.accounts.mixins import EDIT
from opencities.inventory.views import XLSX_TYPE, attachment
from opencities.projects.mixins import ProjectMixin
from opencities.uploads import keep_upload

from .. import paper

SESSION_NOTE_IMPORTS = "pending_note_imports"
ACCEPTED_SUFFIXES = {".xlsx", ".csv"}
MAX_PREVIEW_PROBLEMS = 300
# A workshop's notes run to a few thousand characters; this only keeps a stray paste of a whole
# document from being parsed.
MAX_PASTE_LENGTH = 200_000


class PaperView(ProjectMixin, TemplateView):
    """The blank canvases to download, and (for editors) the ways to bring notes back in."""

    template_name = "canvases/paper.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.get_project()
        context["canvases"] = [
            {
                "key": canvas,
                "name": paper.CANVAS_NAMES[canvas],
                "downloads": [
                    {
                        "size": size,
                        "colour": colour,
                        "url": reverse(
                            "canvases:blank",
                            args=[self.workspace.slug, project.pk, canvas, size, colour],
                        ),
                    }
                    for size in paper.SIZES
                    for colour in paper.COLOURS
                ],
            }
            for canvas in paper.CANVASES
        ]
        return context


class BlankCanvasView(ProjectMixin, View):
    """A blank canvas as a PDF, for anyone who can see the project."""

    def get(self, request, *args, canvas: str, size: str, colour: str, **kwargs):
        try:
            filename = paper.blank_canvas_filename(canvas, size, colour)
        except ValueError as exc:
            raise Http404(
                _("Blank canvases: ethics or business, a3 or a4, colour or grey.")
            ) from exc
        pdf = paper.blank_canvas_pdf(canvas, size, colour, self.get_project())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _workshop_time(day) -> datetime:
    """When a room's notes count as written: midday of the workshop's date, so they sort among
    that day's notes and no time-zone difference moves them to another day."""
    return timezone.make_aware(datetime.combine(day, time(12)))


class PasteForm(forms.Form):
    section = forms.ChoiceField(label=gettext_lazy("Section"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=MAX_PASTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy(
            "One note per line. Blank lines and bullets (“- ”, “• ”, “* ”) are left out."
        ),
    )
    author_name = forms.CharField(
        label=gettext_lazy("Who wrote them"),
        max_length=paper.MAX_AUTHOR_LENGTH,
        help_text=gettext_lazy("The workshop or group, e.g. “Room workshop 12 March”."),
    )
    date = forms.DateField(
        label=gettext_lazy("Date of the workshop"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # What the preview showed, so that "Add" adds exactly the notes that were checked.
    checked = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, canvas: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].help_text = _(
            "For notes on several sections, choose “Several” and put a heading line above each "
            "section's notes, such as “# %(example)s”."
        ) % {"example": paper.SECTIONS[canvas][0].name}
        self.fields["section"].choices = [
            ("", _("Several: use headings in the text")),
            *[
                (section.key, f"{number}. {section.name}")
                for number, section in enumerate(paper.SECTIONS[canvas], 1)
            ],
        ]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The workshop cannot have been held in the future."))
        return day

    def digest(self) -> str:
        data = self.cleaned_data
        values = [data["section"], data["notes"], data["author_name"], data["date"].isoformat()]
        return hashlib.sha256(json.dumps(values).encode()).hexdigest()


class PasteNotesView(ProjectMixin, TemplateView):
    """Type or paste a room's notes into one canvas: check them, then add them."""

    permission = EDIT
    template_name = "canvases/paper_paste.html"

    def canvas(self) -> str:
        canvas = self.kwargs["canvas"]
        if canvas not in paper.CANVASES:
            raise Http404(_("Notes go to the ethics or the business canvas."))
        return canvas

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        canvas = self.canvas()
        context.setdefault(
            "form", PasteForm(canvas, initial={"date": timezone.localdate().isoformat()})
        )
        context["canvas_key"] = canvas
        context["canvas_name"] = paper.CANVAS_NAMES[canvas]
        context["headings_example"] = [
            f"# {section.name}" for section in paper.SECTIONS[canvas][:2]
        ]
        return context

    def post(self, request, *args, **kwargs):
        canvas = self.canvas()
        form = PasteForm(canvas, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        plan = paper.plan_pasted_notes(
            self.get_project(), canvas, data["notes"], data["author_name"], data["section"]
        )
        digest = form.digest()
        stale = False
        if "confirm" in request.POST and plan.ok and plan.new:
            if data["checked"] == digest:
                added = paper.apply_notes(plan, created=_workshop_time(data["date"]))
                messages.success(request, _added_message(added, len(plan.already)))
                return redirect("canvases:paper", self.workspace.slug, self.get_project().pk)
            stale = True
        form = PasteForm(canvas, {**request.POST.dict(), "checked": digest})
        return self.render_to_response(
            self.get_context_data(form=form, plan=plan, stale=stale, **_preview(plan))
        )


def _added_message(added: int, already: int) -> str:
    text = ngettext("Added %(count)d note.", "Added %(count)d notes.", added) % {"count": added}
    if already:
        text += " " + ngettext(
            "%(count)d note was already there and was not added again.",
            "%(count)d notes were already there and were not added again.",
            already,
        ) % {"count": already}
    return text


def _preview(plan: paper.NotesPlan) -> dict:
    return {
        "problems": plan.problems[:MAX_PREVIEW_PROBLEMS],
        "hidden_problems": max(0, len(plan.problems) - MAX_PREVIEW_PROBLEMS),
        "planned_sections": plan.sections(),
    }


class NotesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        help_text=gettext_lazy("Columns canvas, section, note and, if you like, author."),
    )
    author = forms.CharField(
        label=gettext_lazy("Who wrote them, for rows without an author"),
        max_length=paper.MAX_AUTHOR_LENGTH,
        required=False,
        help_text=gettext_lazy("e.g. “Room workshop 12 March”."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(
                _("“%(file)s” is not an .xlsx or a .csv file.") % {"file": upload.name}
            )
        if upload.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("“%(file)s” is %(size)d MB; the limit is %(limit)d MB.")
                % {
                    "file": upload.name,
                    "size": upload.size // 1_000_000,
                    "limit": settings.MAX_IMPORT_BYTES // 1_000_000,
                }
            )
        return upload


class NotesImportView(ProjectMixin, TemplateView):
    """Step 1 of a spreadsheet import: upload the file. Nothing is added yet."""

    permission = EDIT
    template_name = "canvases/paper_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NotesUploadForm())
        context["columns"] = paper.NOTE_COLUMNS
        return context

    def post(self, request, *args, **kwargs):
        form = NotesUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        token = keep_upload(
            request,
            SESSION_NOTE_IMPORTS,
            upload,
            author=form.cleaned_data["author"],
            workspace=self.workspace.pk,
            project=self.get_project().pk,
        )
        return redirect(
            "canvases:paper_import_preview", self.workspace.slug, self.get_project().pk, token
        )


class NotesImportPreviewView(ProjectMixin, TemplateView):
    """Step 2: show every note the file adds and every problem; add them only when there are
    none. The file is read again on confirming, so what lands is checked against the canvases
    as they are then."""

    permission = EDIT
    template_name = "canvases/paper_import_preview.html"

    def pending(self) -> dict:
        """The upload this session made for this very project: a token is no key to another."""
        entry = self.request.session.get(SESSION_NOTE_IMPORTS, {}).get(str(self.kwargs["token"]))
        if (
            not entry
            or entry["workspace"] != self.workspace.pk
            or entry["project"] != self.get_project().pk
            or not Path(entry["path"]).exists()
        ):
            raise Http404(_("This import is no longer waiting: upload the file again."))
        return entry

    def plan(self, entry: dict) -> tuple[paper.NotesPlan | None, str | None]:
        try:
            plan = paper.plan_notes_file(
                self.get_project(), entry["path"], entry["filename"], entry["author"]
            )
        except paper.NotesFileError as exc:
            return None, str(exc)
        return plan, None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.pending()
        plan, error = self.plan(entry)
        context.update(filename=entry["filename"], plan=plan, error=error)
        if plan is not None:
            context.update(_preview(plan))
        return context

    def post(self, request, *args, **kwargs):
        entry = self.pending()
        plan, _error = self.plan(entry)
        if plan is None or not plan.ok:
            messages.error(request, _("Nothing was imported: the file has problems listed below."))
            return redirect(request.path)
        added = paper.apply_notes(plan)
        Path(entry["path"]).unlink(missing_ok=True)
        pending = request.session.get(SESSION_NOTE_IMPORTS, {})
        pending.pop(str(self.kwargs["token"]), None)
        request.session[SESSION_NOTE_IMPORTS] = pending
        messages.success(
            request,
            _("Imported %(file)s.") % {"file": entry["filename"]}
            + " "
            + _added_message(added, len(plan.already)),
        )
        return redirect("canvases:paper", self.workspace.slug, self.get_project().pk)


class NotesTemplateView(ProjectMixin, View):
    """The workbook to type a room's notes into, listing every section with its key."""

    permission = EDIT

    def get(self, request, *args, **kwargs):
        self.get_project()  # only for a project of this workspace
        binary = io.BytesIO()
        paper.write_notes_template(binary)
        return attachment(binary.getvalue(), "opencities-canvas-notes.xlsx", XLSX_TYPE)


urlpatterns = [
    path("paper/", PaperView.as_view(), name="paper"),
    path(
        "blank/<str:canvas>-<str:size>-<str:colour>.pdf",
        BlankCanvasView.as_view(),
        name="blank",
    ),
    path("paper/<str:canvas>/paste/", PasteNotesView.as_view(), name="paper_paste"),
    path("paper/import/", NotesImportView.as_view(), name="paper_import"),
    path(
        "paper/import/<uuid:token>/",
        NotesImportPreviewView.as_view(),
        name="paper_import_preview",
    ),
    path("paper/notes-template.xlsx", NotesTemplateView.as_view(), name="paper_template"),
]
