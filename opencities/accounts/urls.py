from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("workspaces/new/", views.WorkspaceCreateView.as_view(), name="workspace_create"),
    path(
        "w/<slug:workspace>/settings/",
        views.WorkspaceUpdateView.as_view(),
        name="workspace_settings",
    ),
    path("w/<slug:workspace>/members/", views.MemberListView.as_view(), name="members"),
    path(
        "w/<slug:workspace>/members/<int:pk>/",
        views.MemberUpdateView.as_view(),
        name="member_update",
    ),
    path(
        "w/<slug:workspace>/members/<int:pk>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
]
