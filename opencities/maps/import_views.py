"""Import a workbook or a Kumu export into a map: upload, preview every change and problem, then
confirm. The same two steps as the inventory import, and the same handling of uploaded files."""

import io
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opencities.accounts.mixins import EDIT
from opencities.inventory.views import XLSX_TYPE, attachment
from opencities.uploads import keep_upload

from . import importing
from .views import MapMixin

SESSION_MAP_IMPORTS = "pending_map_imports"
ACCEPTED_SUFFIXES = {".xlsx", ".json"}
MAX_PREVIEW_ROWS = 300


class MapImportView(MapMixin, TemplateView):
    """Step 1: upload a file for this map. Nothing is written to the map yet."""

    permission = EDIT
    template_name = "maps/map_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["map"] = self.get_map()
        context["column_tables"] = [
            (table.capitalize(), [(c, importing.allowed_values(c)) for c in columns])
            for table, columns in importing.COLUMNS.items()
        ]
        context["node_type_words"] = importing.NODE_TYPE_WORDS
        return context

    def post(self, request, *args, **kwargs):
        ecosystem_map = self.get_map()
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Choose an Excel workbook (.xlsx) or a Kumu export (.json) to import.")
        elif Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            error = _("“%(name)s” is not an .xlsx or a .json file.") % {"name": upload.name}
        elif upload.size > settings.MAX_IMPORT_BYTES:
            error = _(
                "“%(name)s” is %(size)d MB; the limit is %(limit)d MB. "
                "Use `opencities import-map` for larger files."
            ) % {
                "name": upload.name,
                "size": upload.size // 1_000_000,
                "limit": settings.MAX_IMPORT_BYTES // 1_000_000,
            }
        if error:
            return self.render_to_response(self.get_context_data(error=error), status=400)
        token = keep_upload(
            request,
            SESSION_MAP_IMPORTS,
            upload,
            workspace=self.workspace.pk,
            map=ecosystem_map.pk,
        )
        return redirect(
            "maps:map_import_preview",
            self.workspace.slug,
            ecosystem_map.project_id,
            ecosystem_map.pk,
            token,
        )


class MapImportPreviewView(MapMixin, TemplateView):
    """Step 2: show what the import would do and every problem; apply only a file without any.

    The file is read again when the import is confirmed, so what lands is checked against the
    map as it is then, not as it was when the preview was shown.
    """

    permission = EDIT
    template_name = "maps/map_import_preview.html"

    def pending(self) -> dict:
        """The upload this session made for this very map: a token is no key to another map."""
        ecosystem_map = self.get_map()
        entry = self.request.session.get(SESSION_MAP_IMPORTS, {}).get(str(self.kwargs["token"]))
        if (
            not entry
            or entry["workspace"] != self.workspace.pk
            or entry["map"] != ecosystem_map.pk
            or not Path(entry["path"]).exists()
        ):
            raise Http404(_("This import is no longer waiting: upload the file again."))
        return entry

    def plan(self, entry: dict) -> tuple[importing.MapImportPlan | None, str | None]:
        try:
            return importing.plan_map_import(self.get_map(), entry["path"], entry["filename"]), None
        except importing.MapImportError as exc:
            return None, str(exc)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.pending()
        plan, error = self.plan(entry)
        context.update(map=self.get_map(), filename=entry["filename"], plan=plan, error=error)
        if plan is not None:
            changes = [c for c in plan.changes if c.action != "unchanged"]
            context.update(
                counts=plan.counts(),
                problems=plan.problems[:MAX_PREVIEW_ROWS],
                hidden_problems=max(0, len(plan.problems) - MAX_PREVIEW_ROWS),
                changes=changes[:MAX_PREVIEW_ROWS],
                hidden_changes=max(0, len(changes) - MAX_PREVIEW_ROWS),
                from_kumu=plan.file_format == "json",
            )
        return context

    def post(self, request, *args, **kwargs):
        entry = self.pending()
        plan, _error = self.plan(entry)
        again = redirect(request.path)
        if plan is None or not plan.ok:
            messages.error(request, _("Nothing was imported: the file has problems listed below."))
            return again
        try:
            summary = importing.apply_map_import(plan)
        except (importing.MapImportError, DatabaseError):
            messages.error(
                request,
                _(
                    "Nothing was imported: the map changed while the file was being imported. "
                    "Check the preview again."
                ),
            )
            return again
        self.forget(entry)
        messages.success(
            request,
            _("Imported %(filename)s: %(summary)s.")
            % {"filename": entry["filename"], "summary": summary},
        )
        return redirect(self.get_map())

    def forget(self, entry: dict) -> None:
        Path(entry["path"]).unlink(missing_ok=True)
        pending = self.request.session.get(SESSION_MAP_IMPORTS, {})
        pending.pop(str(self.kwargs["token"]), None)
        self.request.session[SESSION_MAP_IMPORTS] = pending


class MapImportTemplateView(MapMixin, View):
    """An empty workbook in the import layout, with example rows and a Help sheet."""

    permission = EDIT

    def get(self, request, *args, **kwargs):
        self.get_map()  # only for a map of this project and workspace
        binary = io.BytesIO()
        importing.write_map_template(binary)
        return attachment(binary.getvalue(), "opencities-map-import-template.xlsx", XLSX_TYPE)
