"""Navigation and chart tabs of the patients app."""

from ketaclinic.core.ui import ChartTab, NavItem, register

register(
    nav=[NavItem("Patients", "patients:list", "patient.view", order=10)],
    chart_tabs=[ChartTab("overview", "Overview", "patients:chart", "patient.view", order=0)],
)
