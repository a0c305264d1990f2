"""Reports of a project: the print page, and the same report as PDF, Word or HTML to download.

Reading a report is reading the project, so every member, viewers included, may have one; the
content is built by `canvases/reports.py`, shared with `opencities report` on the command line.
"""

from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from opencities.projects.mixins import ProjectMixin

from .. import reports


class ReportMixin(ProjectMixin):
    def report_kind(self) -> str:
        kind = self.kwargs["report"]
        if kind not in reports.REPORTS:
            raise Http404(
                _("No such report: choose the pack, the ethics canvas or the business case.")
            )
        return kind


class ReportView(ReportMixin, View):
    """The report as a page to read and print, with links to download it."""

    def get(self, request, *args, **kwargs):
        project = self.get_project()
        kind = self.report_kind()
        report = reports.build_report(project, kind, picture=reports.PICTURES["html"])
        download = "canvases:report_download"
        args = [self.workspace.slug, project.pk, kind]
        links = [
            (_("Back to the project"), project.get_absolute_url()),
            (_("Download PDF"), reverse(download, args=[*args, "pdf"])),
            (_("Download Word"), reverse(download, args=[*args, "docx"])),
            (_("Download HTML"), reverse(download, args=[*args, "html"])),
        ]
        return HttpResponse(reports.render_html(report, downloads=links))


class ReportDownloadView(ReportMixin, View):
    """The report as a file, named after the project and the report."""

    def get(self, request, *args, fmt: str, **kwargs):
        project = self.get_project()
        kind = self.report_kind()
        if fmt not in reports.FORMATS:
            raise Http404(_("Reports download as .pdf, .docx or .html."))
        report = reports.build_report(project, kind, picture=reports.PICTURES[fmt])
        response = HttpResponse(reports.render(report, fmt), content_type=reports.FORMATS[fmt])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=reports.filename(project, kind, fmt)
        )
        return response


urlpatterns = [
    path("reports/<str:report>/", ReportView.as_view(), name="report"),
    path("reports/<str:report>.<str:fmt>", ReportDownloadView.as_view(), name="report_download"),
]
