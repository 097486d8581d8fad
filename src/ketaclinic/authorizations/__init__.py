"""Insurance coverage, benefits checks and prior authorizations tracked against the course."""
