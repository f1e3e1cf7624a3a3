"""Deals and events: drafting by partners, moderation by the département, who may see them, and the
geocoding of their places.
"""
