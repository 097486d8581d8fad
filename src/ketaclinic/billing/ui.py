"""Navigation and chart tab of the billing app."""

from ketaclinic.core.ui import ChartTab, NavItem, register

register(
    nav=[NavItem("Billing", "billing:overview", "billing.view", order=60)],
    chart_tabs=[ChartTab("billing", "Billing", "billing:tab", "billing.view", order=60)],
)
