"""Partner structures, their delegates, their public profile and opening hours."""
