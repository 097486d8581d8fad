"""Navigation and chart tabs of the patients app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(NavItem("Patients", "patients:list", "patient.view", order=10))
register_chart_tab(ChartTab("overview", "Overview", "patients:chart", "patient.view", order=0))
