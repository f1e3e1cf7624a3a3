"""Consent to marketing: each person's opt-in per channel, and a parent's consent for an under-15."""
