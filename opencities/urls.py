from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the language switcher in the footer posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    # gettext() and interpolate() for the page scripts, in the language of the page.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("opencities.accounts.urls")),
    path("w/<slug:workspace>/", include("opencities.inventory.urls")),
    path("w/<slug:workspace>/projects/", include("opencities.projects.urls")),
    path("w/<slug:workspace>/projects/<int:project>/maps/", include("opencities.maps.urls")),
    path("w/<slug:workspace>/projects/<int:project>/", include("opencities.canvases.urls")),
    # Workshop pages inside a project, and the public join pages and rooms (join/, room/).
    path("", include("opencities.workshops.urls")),
]
