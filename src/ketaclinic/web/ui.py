"""Navigation entries of the web shell."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Home", "web:home", "patient.view", order=0))
