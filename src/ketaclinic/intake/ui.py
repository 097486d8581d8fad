"""Navigation and chart tab of the intake app."""

from ketaclinic.core.ui import ChartTab, NavItem, register_chart_tab, register_nav_item

register_nav_item(NavItem("Referrals", "intake:waiting_list", "referral.view", order=15))
register_chart_tab(ChartTab("intake", "Intake", "intake:chart", "intake.view", order=10))
