"""Navigation and chart tab of the billing app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(NavItem("Billing", "billing:overview", "billing.view", order=60))
register_chart_tab(ChartTab("billing", "Billing", "billing:tab", "billing.view", order=60))
