def workspaces(request):
    """The signed-in user's workspaces, for the workspace switcher in the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_workspaces": user.workspaces.order_by("name").only("name", "slug"),
        "current_workspace": getattr(request, "workspace", None),
    }
