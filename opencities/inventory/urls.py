from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("actors/", views.ActorListView.as_view(), name="actor_list"),
    path("actors/new/", views.ActorCreateView.as_view(), name="actor_create"),
    path("actors/<int:pk>/", views.ActorDetailView.as_view(), name="actor_detail"),
    path("actors/<int:pk>/edit/", views.ActorUpdateView.as_view(), name="actor_update"),
    path("actors/<int:pk>/delete/", views.ActorDeleteView.as_view(), name="actor_delete"),
    path("datasets/", views.DatasetListView.as_view(), name="dataset_list"),
    path("datasets/new/", views.DatasetCreateView.as_view(), name="dataset_create"),
    path("datasets/<int:pk>/", views.DatasetDetailView.as_view(), name="dataset_detail"),
    path("datasets/<int:pk>/edit/", views.DatasetUpdateView.as_view(), name="dataset_update"),
    path(
        "datasets/<int:pk>/classification/",
        views.DatasetClassificationView.as_view(),
        name="dataset_classification",
    ),
    path("datasets/<int:pk>/delete/", views.DatasetDeleteView.as_view(), name="dataset_delete"),
    path("import/", views.ImportUploadView.as_view(), name="import"),
    path("import/<uuid:token>/", views.ImportPreviewView.as_view(), name="import_preview"),
    path(
        "import/template.<str:fmt>",
        views.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path("export/<str:table>.csv", views.ExportCsvView.as_view(), name="export_csv"),
    path("export/inventory.xlsx", views.ExportXlsxView.as_view(), name="export_xlsx"),
]
