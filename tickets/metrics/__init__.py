"""The figures of the manager dashboard: per-day rollups of the timeline and the SLA log
(rollup.py), kept current by the engine (engine.py), read with the dashboard's filters
(read.py) and shown as panels (panels.py)."""
