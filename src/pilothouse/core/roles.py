"""The global roles and what each may do, in one place."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PRODUCT_LEADER = "product_leader", "Product leader"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


# Roles that may change anything in the portfolio (and see the people module).
PORTFOLIO_WIDE_ROLES = frozenset({Role.ADMIN, Role.PRODUCT_LEADER})
# Roles that may change what they steward (own, or own the product or line of).
STEWARD_ROLES = frozenset({Role.PRODUCT_MANAGER})

ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Everything, including users, roles and tokens.",
    Role.PRODUCT_LEADER: "Sees and edits everything in the portfolio, including the people module.",
    Role.PRODUCT_MANAGER: "Edits what they own and the items of the products and lines they own.",
    Role.CONTRIBUTOR: "Reads everything; adds feedback, comments and votes.",
    Role.VIEWER: "Read-only.",
}
