"""Navigation of the network views (network roles only)."""

from ketaclinic.core.ui import NavItem, register

register(nav=[NavItem("Network", "network:home", "network.view", order=5)])
