"""Navigation, the patient-chart tab and trajectory-chart markers of the treatments app."""

from ketaclinic.core.ui import (
    ChartTab,
    NavItem,
    register_chart_tab,
    register_nav_item,
    register_trajectory_markers,
)
from ketaclinic.treatments.queries import trajectory_markers

register_nav_item(NavItem("Chair board", "treatments:board", "session.view", order=15))
register_nav_item(NavItem("REMS forms", "treatments:rems_due", "rems.view", order=40))
register_chart_tab(ChartTab("treatment", "Treatment", "treatments:chart", "course.view", order=30))
register_trajectory_markers(trajectory_markers)
