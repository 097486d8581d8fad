"""Navigation and chart tab of the access app."""

from ketaclinic.core.ui import ChartTab, NavItem, register

register(
    nav=[NavItem("Access", "access:waiting_list", "access.view", order=55)],
    chart_tabs=[ChartTab("access", "Access", "access:tab", "access.view", order=65)],
)
