from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("opencities.accounts.urls")),
    path("w/<slug:workspace>/", include("opencities.inventory.urls")),
    path("w/<slug:workspace>/projects/", include("opencities.projects.urls")),
    path("w/<slug:workspace>/projects/<int:project>/maps/", include("opencities.maps.urls")),
    path("w/<slug:workspace>/projects/<int:project>/", include("opencities.canvases.urls")),
]
