"""Pages of the canvases: ethics."""

urlpatterns: list = []
