"""Navigation of the outcomes app."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Outcomes", "outcomes:dashboard", "outcomes.view", order=80))
