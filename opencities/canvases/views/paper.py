"""Pages of the canvases: paper."""

urlpatterns: list = []
