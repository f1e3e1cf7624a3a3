"""Measurements of the hot paths; each script prints one JSON line of figures."""
