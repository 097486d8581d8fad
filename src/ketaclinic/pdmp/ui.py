"""Navigation and chart tab of the PDMP check log."""

from ketaclinic.core.ui import ChartTab, NavItem, register

# The tab opens for every role that records, sees the log or its status; never front desk.
register(
    nav=[NavItem("PDMP", "pdmp:rules", "pdmp.rules_view", order=58)],
    chart_tabs=[ChartTab("pdmp", "PDMP", "pdmp:tab", "pdmp.status", order=75)],
)
