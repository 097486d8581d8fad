"""Navigation of the capacity app."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Capacity", "capacity:resources", "capacity.view", order=65))
