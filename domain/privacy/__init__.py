"""A person's rights over their data (GDPR art. 15, 17, 20): closing an account."""
