"""Navigation and chart tab of the access app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(NavItem("Access", "access:waiting_list", "access.view", order=55))
register_chart_tab(ChartTab("access", "Access", "access:tab", "access.view", order=65))
