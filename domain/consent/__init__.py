"""Consent to marketing: each person's opt-in per channel; a parent's consent for an under-15."""
