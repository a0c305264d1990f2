from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("new/", views.MapCreateView.as_view(), name="map_create"),
    path("<int:pk>/", views.MapDetailView.as_view(), name="map_detail"),
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
]
