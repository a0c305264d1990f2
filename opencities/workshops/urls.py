"""Workshop pages inside a project, and the public join pages and room at the root.

Mounted once at the root of the site, so both halves share the ``workshops`` namespace.
"""

from django.urls import path

from . import room_api, views

app_name = "workshops"

PROJECT = "w/<slug:workspace>/projects/<int:project>/workshops/"
WORKSHOP = PROJECT + "<int:pk>/"
STEP = WORKSHOP + "steps/<int:step>/"

urlpatterns = [
    path(PROJECT, views.WorkshopListView.as_view(), name="list"),
    path(PROJECT + "new/", views.WorkshopCreateView.as_view(), name="create"),
    path(WORKSHOP, views.WorkshopDetailView.as_view(), name="detail"),
    path(WORKSHOP + "edit/", views.WorkshopUpdateView.as_view(), name="edit"),
    path(WORKSHOP + "delete/", views.WorkshopDeleteView.as_view(), name="delete"),
    path(WORKSHOP + "summary/", views.SummaryView.as_view(), name="summary"),
    path(WORKSHOP + "summary/print/", views.SummaryPrintView.as_view(), name="summary_print"),
    path(WORKSHOP + "summary.pdf", views.SummaryPdfView.as_view(), name="summary_pdf"),
    path(WORKSHOP + "steps/", views.StepAddView.as_view(), name="step_add"),
    path(STEP, views.StepChangeView.as_view(), name="step_edit"),
    path(STEP + "move/", views.StepMoveView.as_view(), name="step_move"),
    path(STEP + "remove/", views.StepRemoveView.as_view(), name="step_remove"),
    path("join/", views.JoinView.as_view(), name="join"),
    path("join/<str:code>/", views.JoinCodeView.as_view(), name="join_code"),
    path("room/<uuid:room>/", views.RoomView.as_view(), name="room"),
    path("room/<uuid:room>/control/", views.ControlView.as_view(), name="control"),
    path(
        "room/<uuid:room>/map/findings/",
        room_api.RoomFindingsApi.as_view(),
        name="room_map_findings",
    ),
    path(
        "room/<uuid:room>/map/inventory/",
        room_api.RoomInventoryApi.as_view(),
        name="room_map_inventory",
    ),
]
