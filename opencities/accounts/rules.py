"""Named permission rules for workspaces, checked by every view and template.

Each rule takes the workspace as its object: `user.has_perm("accounts.edit_workspace", ws)`.
"""

import rules

from .models import ROLE_RANK, Role


def _has_role(minimum: str):
    @rules.predicate(name=f"has_role_{minimum}")
    def predicate(user, workspace) -> bool:
        if workspace is None:
            return False
        role = workspace.role_of(user)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]

    return predicate


is_viewer = _has_role(Role.VIEWER)
is_editor = _has_role(Role.EDITOR)
is_owner = _has_role(Role.OWNER)

rules.add_perm("accounts.view_workspace", is_viewer)
rules.add_perm("accounts.edit_workspace", is_editor)
rules.add_perm("accounts.manage_workspace", is_owner)
