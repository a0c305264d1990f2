"""Pages of the canvases: business."""

urlpatterns: list = []
