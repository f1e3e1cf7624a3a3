"""The search index follows what it shows: after a commit that changes an offer, a partner
or a département service, domain/ kicks one of these jobs by name (search/sync.py runs them;
with the database backend they do nothing)."""

SYNC_OFFER_JOB = "search.sync_offer"
SYNC_PARTNER_JOB = "search.sync_partner"
SYNC_SERVICE_JOB = "search.sync_service"
