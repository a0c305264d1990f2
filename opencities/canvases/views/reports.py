"""Pages of the canvases: reports."""

urlpatterns: list = []
