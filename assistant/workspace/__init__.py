"""The UI's service layer: everything the Streamlit pages decide, testable without Streamlit.

* :mod:`~assistant.workspace.canvas` — a graph to streamlit-flow nodes and edges and back to edit operations (pure).
* :mod:`~assistant.workspace.session` — :class:`Workspace`: one user's working copy of one graph; edit, critique,
  save (or a typed conflict), rebase, save as a branch.  Working copies persist in the store.
* :mod:`~assistant.workspace.merge` — the three-way merge behind rebase.
* :mod:`~assistant.workspace.roles` — who the user is (settings or OIDC login) and their roles.
* :mod:`~assistant.workspace.review` — review actions with role checks.
* :mod:`~assistant.workspace.analyze` — analyses of validated versions, with a recorded override.
* :mod:`~assistant.workspace.drafting` — dataset upload, the variable table, drafts and accepting them.

Nothing here imports Streamlit; ``ui/`` calls into it and nothing calls back.
"""

from assistant.workspace.roles import EDITOR, REVIEWER, Identity, local_identity, oidc_identity
from assistant.workspace.session import Conflict, SaveOutcome, Workspace

__all__ = ["Conflict", "EDITOR", "Identity", "REVIEWER", "SaveOutcome", "Workspace", "local_identity",
           "oidc_identity"]
