"""Navigation and chart tab of the measures app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(NavItem("Safety alerts", "measures:alerts", "measure.alerts", order=30))
register_nav_item(NavItem("Measures due", "measures:due", "measure.schedule", order=35))
register_chart_tab(ChartTab("measures", "Measures", "measures:chart", "measure.view", order=20))
