"""Navigation and chart tab of the PDMP check log."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

# The tab opens for every role that records, sees the log or its status; never front desk.
register_chart_tab(ChartTab("pdmp", "PDMP", "pdmp:tab", "pdmp.status", order=75))
register_nav_item(NavItem("PDMP", "pdmp:rules", "pdmp.rules_view", order=58))
