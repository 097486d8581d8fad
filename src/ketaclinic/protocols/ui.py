"""Navigation of the protocols app."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Protocols", "protocols:list", "protocol.view", order=60))
