"""Who may run a workshop: its facilitator, and any editor or owner of its workspace (so a
workshop goes on when the facilitator cannot come). Guests and viewers never do.

Checked by the pages (`views.py`) and the live layer alike:
``user.has_perm("workshops.run_workshop", workshop)``.
"""

import rules

from opencities.accounts.rules import is_editor


@rules.predicate
def is_facilitator(user, workshop) -> bool:
    return user.is_authenticated and workshop.facilitator_id == user.pk


@rules.predicate
def is_workspace_editor(user, workshop) -> bool:
    return is_editor(user, workshop.project.workspace)


rules.add_perm("workshops.run_workshop", is_facilitator | is_workspace_editor)
