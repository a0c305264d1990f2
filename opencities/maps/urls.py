from django.urls import path

from . import api, import_views, views

app_name = "maps"

urlpatterns = [
    path("new/", views.MapCreateView.as_view(), name="map_create"),
    path("<int:pk>/", views.MapDetailView.as_view(), name="map_detail"),
    path("<int:pk>/table/", views.MapTableView.as_view(), name="map_table"),
    path("<int:pk>/api/", api.MapApi.as_view(), name="api_map"),
    path("<int:pk>/api/findings/", api.FindingsApi.as_view(), name="api_findings"),
    path("<int:pk>/api/inventory/", api.InventoryApi.as_view(), name="api_inventory"),
    path("<int:pk>/api/nodes/", api.NodesApi.as_view(), name="api_nodes"),
    path("<int:pk>/api/nodes/<int:node>/", api.NodeApi.as_view(), name="api_node"),
    path("<int:pk>/api/positions/", api.PositionsApi.as_view(), name="api_positions"),
    path("<int:pk>/api/exchanges/", api.ExchangesApi.as_view(), name="api_exchanges"),
    path("<int:pk>/api/exchanges/<int:exchange>/", api.ExchangeApi.as_view(), name="api_exchange"),
    path("<int:pk>/edit/", views.MapUpdateView.as_view(), name="map_update"),
    path("<int:pk>/delete/", views.MapDeleteView.as_view(), name="map_delete"),
    path("<int:pk>/future/", views.MapFutureView.as_view(), name="map_future"),
    path("<int:pk>/export.<str:fmt>", views.MapExportView.as_view(), name="map_export"),
    path("<int:pk>/nodes/", views.NodeCreateView.as_view(), name="node_create"),
    path("<int:pk>/nodes/<int:node>/", views.NodeUpdateView.as_view(), name="node_update"),
    path("<int:pk>/nodes/<int:node>/delete/", views.NodeDeleteView.as_view(), name="node_delete"),
    path("<int:pk>/exchanges/", views.ExchangeCreateView.as_view(), name="exchange_create"),
    path(
        "<int:pk>/exchanges/<int:exchange>/",
        views.ExchangeUpdateView.as_view(),
        name="exchange_update",
    ),
    path(
        "<int:pk>/exchanges/<int:exchange>/delete/",
        views.ExchangeDeleteView.as_view(),
        name="exchange_delete",
    ),
    path("<int:pk>/import/", import_views.MapImportView.as_view(), name="map_import"),
    path(
        "<int:pk>/import/<uuid:token>/",
        import_views.MapImportPreviewView.as_view(),
        name="map_import_preview",
    ),
    path(
        "<int:pk>/import/template.xlsx",
        import_views.MapImportTemplateView.as_view(),
        name="map_import_template",
    ),
]
