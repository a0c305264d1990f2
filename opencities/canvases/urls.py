"""Canvas pages live under a project: /w/<workspace>/projects/<project>/…"""

from .views import business, ethics, paper, reports, sections

app_name = "canvases"

urlpatterns = [
    *ethics.urlpatterns,
    *business.urlpatterns,
    *reports.urlpatterns,
    *paper.urlpatterns,
    *sections.urlpatterns,
]
