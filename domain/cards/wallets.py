"""The card's wallets: a fixed list (the partner guide's two), their amounts set per school
year. Every wallet named by a person or a file is read through `wallet_kind`, so a typo is
an "unknown wallet", never mistaken for a wallet the partner's convention excludes."""

from __future__ import annotations

from domain.core.errors import DomainError, ErrorCode
from models.partners import WalletKind

LABELS = {
    WalletKind.SPORT_CULTURE_LOISIRS: "Sport, culture et loisirs",
    WalletKind.SOUTIEN_SCOLAIRE: "Soutien scolaire et linguistique",
}
# The guide's amounts, suggested when staff create a year without saying otherwise.
DEFAULT_AMOUNTS_CENTS = {
    WalletKind.SPORT_CULTURE_LOISIRS: 100_00,
    WalletKind.SOUTIEN_SCOLAIRE: 50_00,
}


def wallet_kind(value: str, field: str = "walletKind") -> WalletKind:
    """The wallet named `value`; an unknown name is refused with `WALLET_UNKNOWN`."""
    try:
        return WalletKind(value)
    except ValueError:
        known = ", ".join(f"{kind.value} ({label.lower()})" for kind, label in LABELS.items())
        shown = str(value)[:40]
        raise DomainError(
            ErrorCode.WALLET_UNKNOWN,
            f"Porte-monnaie inconnu : « {shown} ». Les porte-monnaie sont {known}.",
            field,
        ) from None
