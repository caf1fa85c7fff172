"""The pieces of `manage.py seed_scale`: a large, realistic dataset loaded with COPY."""
