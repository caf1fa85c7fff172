"""Alert intake: monitoring systems post alerts; an alert opens (or adds to) an incident ticket,
pages per policy, and clears."""
