"""How the cases app plugs into core: navigation, dashboard, unit history, demo data.

Called once from CasesConfig.ready(); core never imports this app.
"""

from __future__ import annotations


def register() -> None:
    pass
