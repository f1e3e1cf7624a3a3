"""Expected failures: a stable machine-readable code and a French message a person can act on."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    EMAIL_ALREADY_USED = "EMAIL_ALREADY_USED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_TOKEN = "INVALID_TOKEN"
    LINK_EXPIRED = "LINK_EXPIRED"  # an emailed link past its lifetime, or replaced by a newer
    LINK_USED = "LINK_USED"  # an emailed single-use link already used
    SESSION_REVOKED = "SESSION_REVOKED"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_SIRET = "INVALID_SIRET"
    SIRET_ALREADY_USED = "SIRET_ALREADY_USED"
    ALREADY_DELEGATE = "ALREADY_DELEGATE"
    ACCOUNT_KIND_MISMATCH = "ACCOUNT_KIND_MISMATCH"
    INVALID_STATE = "INVALID_STATE"
    AGE_NOT_ELIGIBLE = "AGE_NOT_ELIGIBLE"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    CARD_UNKNOWN = "CARD_UNKNOWN"
    CARD_NOT_USABLE = "CARD_NOT_USABLE"
    WALLET_NOT_ALLOWED = "WALLET_NOT_ALLOWED"
    WALLET_UNKNOWN = "WALLET_UNKNOWN"
    PIN_REQUIRED = "PIN_REQUIRED"
    PIN_NOT_SET = "PIN_NOT_SET"
    PIN_INCORRECT = "PIN_INCORRECT"
    PIN_LOCKED = "PIN_LOCKED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    CANCELLATION_TOO_LATE = "CANCELLATION_TOO_LATE"
    BON_PLAN_NOT_AVAILABLE = "BON_PLAN_NOT_AVAILABLE"
    RATE_LIMITED = "RATE_LIMITED"
    PARENTAL_CONSENT_NOT_NEEDED = "PARENTAL_CONSENT_NOT_NEEDED"
    JOB_NOT_RETRYABLE = "JOB_NOT_RETRYABLE"
    INVALID_IMAGE = "INVALID_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND"
    GEOCODING_UNAVAILABLE = "GEOCODING_UNAVAILABLE"
    PERIOD_NOT_ENDED = "PERIOD_NOT_ENDED"
    RECONCILIATION_FAILED = "RECONCILIATION_FAILED"
    BATCH_TOTAL_MISMATCH = "BATCH_TOTAL_MISMATCH"
    NOTHING_TO_PAY = "NOTHING_TO_PAY"
    LAST_ADMINISTRATOR = "LAST_ADMINISTRATOR"  # the team would be left without an administrator
    # Codes of GraphQL errors (`errors[].extensions.code`) rather than of UserError, listed
    # here so that clients find every code in one enum: the database could not answer (send
    # the request again after Retry-After), and the access token has expired (refresh it).
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"


class DomainError(Exception):
    """A failure the caller is expected to handle and show to the person."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def not_found(what: str = "Élément") -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what} introuvable.")


def forbidden(message: str = "Vous n'avez pas les droits pour cette action.") -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, message)
