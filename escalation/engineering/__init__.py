"""Engineering escalation: the bug report handed to engineering, and tier escalation."""
