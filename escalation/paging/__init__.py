"""Escalation policies, pages and acknowledgements (DESIGN.md section 6)."""
