"""Navigation of the audit app."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Audit log", "audit:log", "audit.view", order=90))
