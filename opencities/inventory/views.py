import io
from math import ceil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, transaction
from django.db.models import Count, Window
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DeleteView, DetailView, TemplateView

from opencities.accounts.mixins import EDIT, WorkspaceMixin
from opencities.uploads import keep_upload

from . import spreadsheet
from .filtersets import ActorFilterSet, DatasetFilterSet
from .forms import ActorForm, ClassificationForm, DatasetForm, DistributionFormSet
from .models import Actor, Dataset, DatasetStatus, ImportRun, Spectrum

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # beyond any real list; keeps the page's offset within SQL's integers


def is_htmx(request) -> bool:
    """A request from htmx for part of a page. When htmx restores a page from the browser's
    history it asks for the whole page, with the same header plus a second one."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def page_with_total(queryset, number) -> Page:
    """A page of a search and the number of matches, in one query instead of two.

    A search has to read every row to find its matches, and Django's paginator reads them twice:
    once to count, once for the page. Counting with a window function over the page query reads
    them once, which halves the time of a search over a large inventory.
    """
    try:
        number = min(max(1, int(number)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.annotate(matches=Window(Count("pk")))
    rows = list(counted[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    if rows:
        total = rows[0].matches
    elif number == 1:
        total = 0
    else:  # past the last page
        total = queryset.count()
        number = max(1, ceil(total / PAGE_SIZE))
        rows = list(counted[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if total else []
    paginator = Paginator(queryset, PAGE_SIZE)
    paginator.count = total
    return Page(rows, number, paginator)


class DashboardView(WorkspaceMixin, TemplateView):
    template_name = "inventory/dashboard.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        datasets = Dataset.objects.filter(workspace=self.workspace)
        by_spectrum = dict(
            datasets.filter(status=DatasetStatus.EXISTS)
            .values_list("spectrum")
            .annotate(n=Count("pk"))
        )
        by_status = dict(datasets.values_list("status").annotate(n=Count("pk")))
        context["spectrum_counts"] = [
            (value, label, by_spectrum.get(value, 0)) for value, label in Spectrum.choices
        ]
        context["spectrum_total"] = sum(by_spectrum.values()) or 1
        context["status_counts"] = [
            (value, label, by_status.get(value, 0)) for value, label in DatasetStatus.choices
        ]
        context["dataset_total"] = sum(by_status.values())
        context["actor_total"] = Actor.objects.filter(workspace=self.workspace).count()
        context["gaps"] = datasets.exclude(status=DatasetStatus.EXISTS).select_related("steward")[
            :12
        ]
        context["recent_datasets"] = datasets.select_related("steward").order_by("-updated")[:8]
        context["recent_actors"] = Actor.objects.filter(workspace=self.workspace).order_by(
            "-updated"
        )[:5]
        context["recent_imports"] = ImportRun.objects.filter(workspace=self.workspace)[:3]
        context["personal_count"] = datasets.filter(
            personal_data__in=["personal", "special"]
        ).count()
        return context


class FilteredListView(WorkspaceMixin, TemplateView):
    """A searchable, filterable, sortable, paginated list; htmx requests get only the results."""

    filterset_class: type
    results_template: str

    def base_queryset(self):  # pragma: no cover - every list overrides it
        return self.filterset_class._meta.model.objects.none()

    def get_template_names(self):
        if is_htmx(self.request):
            return [self.results_template]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request"])  # caches must keep both versions apart
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), workspace=self.workspace
        )
        rows = filterset.qs  # a filter with a wrong value is left out and shown as an error
        if self.request.GET.get("q", "").strip():
            page = page_with_total(rows, self.request.GET.get("page"))
        else:
            page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            oob=is_htmx(self.request),  # htmx swaps the results and updates the count beside them
            filter=filterset,
            page=page,
            rows=page.object_list,
            query_string=query.urlencode(),
            filtered=bool(filterset.is_bound and any(v for k, v in query.items() if k != "sort")),
        )
        return context


class DatasetListView(FilteredListView):
    nav = "datasets"
    template_name = "inventory/dataset_list.html"
    results_template = "inventory/_dataset_results.html"
    filterset_class = DatasetFilterSet

    def base_queryset(self):
        return (
            Dataset.objects.filter(workspace=self.workspace)
            .select_related("steward")
            .only(
                "title",
                "identifier",
                "spectrum",
                "status",
                "personal_data",
                "updated",
                "workspace_id",
                "steward__name",
            )
            .order_by("title")
        )


class ActorListView(FilteredListView):
    nav = "actors"
    template_name = "inventory/actor_list.html"
    results_template = "inventory/_actor_results.html"
    filterset_class = ActorFilterSet

    def base_queryset(self):
        return (
            Actor.objects.filter(workspace=self.workspace)
            .select_related("parent")
            .annotate(dataset_count=Count("stewarded_datasets"))
            .order_by("name")
        )


class WorkspaceObjectMixin(WorkspaceMixin):
    """Objects are only ever looked up inside the workspace in the URL."""

    model: type

    def get_queryset(self):
        return self.model.objects.filter(workspace=self.workspace)


class ActorDetailView(WorkspaceObjectMixin, DetailView):
    nav = "actors"
    model = Actor
    template_name = "inventory/actor_detail.html"
    context_object_name = "actor"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["datasets"] = self.object.stewarded_datasets.order_by("title")
        context["children"] = self.object.children.order_by("name")
        return context


class DatasetDetailView(WorkspaceObjectMixin, DetailView):
    nav = "datasets"
    model = Dataset
    template_name = "inventory/dataset_detail.html"
    context_object_name = "dataset"

    def get_queryset(self):
        return super().get_queryset().select_related("steward").prefetch_related("themes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["classification_form"] = ClassificationForm(instance=self.object)
        return context


class ActorFormMixin(WorkspaceObjectMixin):
    nav = "actors"
    model = Actor
    permission = EDIT
    template_name = "inventory/actor_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def get_object(self):
        return None

    def get_form(self, data=None):
        return ActorForm(data, instance=self.get_object(), workspace=self.workspace)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(form=form, object=self.object), status=400
            )
        actor = form.save(commit=False)
        actor.workspace = self.workspace
        actor.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": actor.name})
        return redirect(actor)


class ActorCreateView(ActorFormMixin, TemplateView):
    pass


class ActorUpdateView(ActorFormMixin, TemplateView):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class DatasetFormMixin(WorkspaceObjectMixin):
    nav = "datasets"
    model = Dataset
    permission = EDIT
    template_name = "inventory/dataset_form.html"

    def get_object(self):
        return None

    def get_forms(self, data=None):
        instance = self.get_object()
        form = DatasetForm(data, instance=instance, workspace=self.workspace)
        formset = DistributionFormSet(data, instance=instance or Dataset(), prefix="dist")
        return form, formset

    def render_forms(self, form, formset, status=200):
        context = self.get_context_data(form=form, formset=formset, object=form.instance)
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.get_forms())

    def post(self, request, *args, **kwargs):
        form, formset = self.get_forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset, status=400)
        with transaction.atomic():
            dataset = form.save()
            formset.instance = dataset
            formset.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": dataset.title})
        return redirect(dataset)


class DatasetCreateView(DatasetFormMixin, TemplateView):
    pass


class DatasetUpdateView(DatasetFormMixin, TemplateView):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class DatasetClassificationView(WorkspaceObjectMixin, View):
    """Inline edit of spectrum, status and personal data (htmx swap, or a plain form post)."""

    model = Dataset
    permission = EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        dataset = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        form = ClassificationForm(request.POST, instance=dataset)
        saved = form.is_valid()
        if saved:
            form.save()
        if is_htmx(request):
            return TemplateResponse(
                request,
                "inventory/_classification.html",
                {
                    "dataset": dataset if saved else Dataset.objects.get(pk=dataset.pk),
                    "classification_form": form,
                    "workspace": self.workspace,
                    "can_edit": True,
                    "saved": saved,
                },
                status=200 if saved else 400,
            )
        if saved:
            messages.success(request, _("Classification saved."))
        else:
            messages.error(request, _("Choose a value from each list."))
        return redirect(dataset)


class WorkspaceDeleteView(WorkspaceObjectMixin, DeleteView):
    permission = EDIT
    template_name = "inventory/confirm_delete.html"

    def form_valid(self, form):
        messages.success(self.request, _("Deleted “%(name)s”.") % {"name": self.object})
        return super().form_valid(form)


class ActorDeleteView(WorkspaceDeleteView):
    model = Actor
    nav = "actors"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stewarded"] = self.object.stewarded_datasets.count()
        context["children"] = self.object.children.count()
        return context

    def get_success_url(self):
        return reverse("inventory:actor_list", args=[self.workspace.slug])


class DatasetDeleteView(WorkspaceDeleteView):
    model = Dataset
    nav = "datasets"

    def get_success_url(self):
        return reverse("inventory:dataset_list", args=[self.workspace.slug])


SESSION_IMPORTS = "pending_imports"
MAX_PREVIEW_ROWS = 300


class ImportUploadView(WorkspaceMixin, TemplateView):
    """Step 1 of an import: upload a file. Nothing is written to the inventory yet."""

    nav = "import"

    permission = EDIT
    template_name = "inventory/import_upload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["column_tables"] = [  # by the names of their sheets, which stay in English
            ("Datasets", spreadsheet.DATASET_COLUMNS),
            ("Actors", spreadsheet.ACTOR_COLUMNS),
        ]
        context["recent_imports"] = ImportRun.objects.filter(workspace=self.workspace)[:10]
        return context

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        error = None
        if upload is None:
            error = _("Choose a CSV or XLSX file to import.")
        elif Path(upload.name).suffix.lower() not in {".csv", ".xlsx"}:
            error = _("“%(name)s” is not a .csv or .xlsx file.") % {"name": upload.name}
        elif upload.size > settings.MAX_IMPORT_BYTES:
            error = _(
                "“%(name)s” is %(size)d MB; the limit is %(limit)d MB. "
                "Use `opencities import` for larger files."
            ) % {
                "name": upload.name,
                "size": upload.size // 1_000_000,
                "limit": settings.MAX_IMPORT_BYTES // 1_000_000,
            }
        if error:
            return self.render_to_response(self.get_context_data(error=error), status=400)
        token = keep_upload(request, SESSION_IMPORTS, upload, workspace=self.workspace.pk)
        return redirect("inventory:import_preview", self.workspace.slug, token)


class ImportPreviewView(WorkspaceMixin, TemplateView):
    """Step 2: show what would change and every problem; apply only a file with no problems."""

    nav = "import"

    permission = EDIT
    template_name = "inventory/import_preview.html"

    def pending(self) -> dict:
        entry = self.request.session.get(SESSION_IMPORTS, {}).get(str(self.kwargs["token"]))
        if not entry or entry["workspace"] != self.workspace.pk or not Path(entry["path"]).exists():
            raise Http404(_("This import is no longer waiting: upload the file again."))
        return entry

    def plan(self, entry):
        try:
            return spreadsheet.read_plan(self.workspace, entry["path"], entry["filename"]), None
        except spreadsheet.SpreadsheetError as exc:
            return None, str(exc)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.pending()
        plan, error = self.plan(entry)
        context.update(filename=entry["filename"], plan=plan, error=error)
        if plan is not None:
            context["counts"] = plan.counts()
            context["problems"] = plan.problems[:MAX_PREVIEW_ROWS]
            context["changes"] = [c for c in plan.changes if c.action != "unchanged"][
                :MAX_PREVIEW_ROWS
            ]
            context["hidden_problems"] = max(0, len(plan.problems) - MAX_PREVIEW_ROWS)
        return context

    def post(self, request, *args, **kwargs):
        entry = self.pending()
        plan, _error = self.plan(entry)
        if plan is None or not plan.ok:
            messages.error(request, _("Nothing was imported: the file has problems listed below."))
            return redirect("inventory:import_preview", self.workspace.slug, kwargs["token"])
        try:
            run = spreadsheet.apply_plan(plan, user=request.user)
        except DatabaseError:
            messages.error(
                request,
                _(
                    "Nothing was imported: the inventory changed while the file was being "
                    "imported. Check the preview again."
                ),
            )
            return redirect("inventory:import_preview", self.workspace.slug, kwargs["token"])
        self.forget(entry)
        messages.success(
            request,
            _(
                "Imported %(filename)s: %(datasets_created)d datasets created, "
                "%(datasets_updated)d updated; %(actors_created)d actors created, "
                "%(actors_updated)d updated."
            )
            % {
                "filename": entry["filename"],
                "datasets_created": run.datasets_created,
                "datasets_updated": run.datasets_updated,
                "actors_created": run.actors_created,
                "actors_updated": run.actors_updated,
            },
        )
        return redirect("inventory:dashboard", self.workspace.slug)

    def forget(self, entry):
        Path(entry["path"]).unlink(missing_ok=True)
        pending = self.request.session.get(SESSION_IMPORTS, {})
        pending.pop(str(self.kwargs["token"]), None)
        self.request.session[SESSION_IMPORTS] = pending


def attachment(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    if isinstance(content, str):
        # The byte-order mark tells Excel the file is UTF-8, so accented names survive.
        content = "\ufeff" + content
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportTemplateView(WorkspaceMixin, View):
    def get(self, request, *args, fmt, **kwargs):
        table = request.GET.get("table", "datasets")
        if fmt not in {"csv", "xlsx"} or table not in {"actors", "datasets"}:
            raise Http404("Templates come as .csv (actors or datasets) or .xlsx.")
        if fmt == "csv":
            text = io.StringIO()
            spreadsheet.write_template("csv", text, table=table)
            return attachment(text.getvalue(), f"opencities-{table}-template.csv", CSV_TYPE)
        binary = io.BytesIO()
        spreadsheet.write_template("xlsx", binary)
        return attachment(binary.getvalue(), "opencities-inventory-template.xlsx", XLSX_TYPE)


class ExportCsvView(WorkspaceMixin, View):
    def get(self, request, *args, table, **kwargs):
        if table not in {"actors", "datasets"}:
            raise Http404("Export actors.csv or datasets.csv.")
        text = io.StringIO()
        spreadsheet.export_csv(self.workspace, table, text)
        return attachment(text.getvalue(), f"{self.workspace.slug}-{table}.csv", CSV_TYPE)


class ExportXlsxView(WorkspaceMixin, View):
    def get(self, request, *args, **kwargs):
        binary = io.BytesIO()
        spreadsheet.export_xlsx(self.workspace, binary)
        return attachment(binary.getvalue(), f"{self.workspace.slug}-inventory.xlsx", XLSX_TYPE)
