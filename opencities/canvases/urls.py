"""Canvas pages live under a project: /w/<workspace>/projects/<project>/…"""

from .views import business, ethics, paper, reports

app_name = "canvases"

urlpatterns = [
    *ethics.urlpatterns,
    *business.urlpatterns,
    *reports.urlpatterns,
    *paper.urlpatterns,
]
