"""Navigation of the controlled-substance ledger."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Drug ledger", "inventory:home", "ledger.view", order=50))
