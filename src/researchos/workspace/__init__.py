"""The workspace on disk: layout, creation and default policies (DESIGN §4)."""

from researchos.workspace.layout import Workspace
from researchos.workspace.setup import default_home, init_workspace, is_workspace, open_workspace

__all__ = ["Workspace", "default_home", "init_workspace", "is_workspace", "open_workspace"]
