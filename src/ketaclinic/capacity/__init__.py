"""Clinic capacity: chairs, staff shifts, opening hours, staffing rules, and the week's planner."""
