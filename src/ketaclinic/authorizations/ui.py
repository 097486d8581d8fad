"""Navigation and the patient-chart tab of the authorizations app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(
    NavItem("Authorizations", "authorizations:work_queue", "authorization.view", order=62)
)
register_chart_tab(
    ChartTab("coverage", "Coverage", "authorizations:tab", "authorization.view", order=62)
)
