"""The school year's window is kept by the debit's own write, not only by Python's check;
years never overlap; a wallet is one of the fixed kinds, or "Porte-monnaie inconnu"."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from domain.accounts.viewer import Viewer
from domain.cards import ledger, queries
from domain.cards.school_years import (
    WalletType,
    create_school_year,
    school_year_by_label,
)
from domain.cards.transactions import DebitRequest, _record_debit, debit_card
from domain.core import clock
from domain.core.errors import DomainError, ErrorCode
from domain.partners.structures import PartnerDetails, Representative, create_partner
from models import sql
from models.cards import SchoolYear, SchoolYearWallet
from models.ledger import AccountKind, LedgerAccount
from models.partners import Delegate, PartnerCategory, WalletKind
from models.transactions import CardTransaction
from tests.factories import card_holder, current_school_year, till
from tests.ledger_invariants import assert_ledger_invariants
from tests.support import unique, valid_siret

SPORT = WalletKind.SPORT_CULTURE_LOISIRS


@pytest.fixture(autouse=True)
async def ledger_stays_consistent(settings):
    yield
    await assert_ledger_invariants()


async def year_starting(starts_on: date) -> SchoolYear:
    label = f"{starts_on.year}-{starts_on.year + 1}"
    return await school_year_by_label(label) or await create_school_year(Viewer(), starts_on)


async def next_school_year() -> SchoolYear:
    current = await current_school_year()
    return await year_starting(date(current.starts_on.year + 1, 9, 1))


async def sport_wallet(holder) -> LedgerAccount:
    return await LedgerAccount.get(
        kind=AccountKind.WALLET,
        beneficiary_id=holder.beneficiary.id,
        school_year_id=holder.card.school_year_id,
        wallet_kind=SPORT,
    )


async def cashier_viewer(team, cashier) -> Viewer:
    delegate = await Delegate.get(partner_id=team.partner.id, user_id=cashier.id)
    return Viewer(user=cashier, delegations={team.partner.id: delegate})


@pytest.mark.parametrize("which", ["current", "next"])
async def test_the_debits_write_refuses_a_year_not_started_even_past_the_python_check(which):
    """`_record_debit` is what `debit_card` calls once the card's state was checked: called
    directly, only the write itself stands between a next year's card and its money."""
    team, cashier = await till()
    year = await current_school_year() if which == "current" else await next_school_year()
    # Without an account: no notification, so no job to kick outside the app.
    holder = await card_holder(year, activated=False)
    await holder.card.fetch_related("beneficiary", "school_year")
    wallet = await sport_wallet(holder)
    request = DebitRequest(team.partner.id, holder.card.code, SPORT, "10", uuid.uuid4().hex)

    async def write():
        return await _record_debit(
            await cashier_viewer(team, cashier),
            team.partner,
            holder.card,
            wallet,
            await ledger.payable_account(team.partner.id),
            request,
            10_00,
            "f" * 64,
        )

    if which == "current":  # the same call writes the debit within the year
        assert (await write()).amount_cents == 10_00
        assert (await sport_wallet(holder)).balance_cents == 90_00
        return
    with pytest.raises(DomainError) as refused:
        await write()
    assert refused.value.code == ErrorCode.CARD_NOT_USABLE
    assert "pas encore valable" in refused.value.message
    assert not await CardTransaction.filter(card_id=holder.card.id).exists()
    assert (await sport_wallet(holder)).balance_cents == 100_00


async def test_the_wallets_conditional_update_checks_the_day_against_the_year():
    """SPEND_WALLET (the SQLite debit's write; the same condition as the PostgreSQL
    statement's) on the year's first and last days, and the days around them."""
    year = await next_school_year()
    holder = await card_holder(year)
    wallet = await sport_wallet(holder)
    before, first = year.starts_on - timedelta(days=1), year.starts_on
    last, after = year.ends_on, date(year.ends_on.year, 9, 1)
    assert await queries.spend_wallet(wallet.id, 1_00, before) is None
    assert await queries.spend_wallet(wallet.id, 1_00, after) is None
    assert await queries.spend_wallet(wallet.id, 1_00, first) == 99_00
    assert await queries.spend_wallet(wallet.id, 1_00, last) == 98_00
    # Put it back as a cancellation would: the ledger invariants hold at the end.
    assert await queries.move_wallet(wallet.id, 2_00) == 100_00


async def test_the_one_statement_debit_writes_nothing_outside_the_year():
    if not sql.is_postgres():
        pytest.skip("the one-statement debit is PostgreSQL's")
    team, cashier = await till()
    holder = await card_holder(await next_school_year())
    wallet = await sport_wallet(holder)
    payable = await ledger.payable_account(team.partner.id)
    rows = queries.DebitRows(
        transaction_id=uuid.uuid4(),
        reference="TTESTFENETRE",
        partner_id=team.partner.id,
        delegate_user_id=cashier.id,
        card_id=holder.card.id,
        wallet_id=wallet.id,
        payable_id=payable.id,
        wallet_kind=SPORT,
        amount_cents=5_00,
        idempotency_key=uuid.uuid4().hex,
        fingerprint="0" * 64,
        ledger_description="Débit hors année",
        at=clock.now(),
        actor_kind="delegate",
        client_address=None,
        audit_after={},
        holder_user_id=None,
        audit_action="transaction.debited",
        notification_id=uuid.uuid4(),
        notification_kind="card_debit",
        notification_title="",
        body_before_balance="",
        body_after_balance="",
    )
    assert await queries.write_debit(rows) is None
    assert not await CardTransaction.filter(id=rows.transaction_id).exists()
    assert (await sport_wallet(holder)).balance_cents == 100_00


async def test_school_years_never_overlap():
    first = await year_starting(date(2301, 9, 1))
    with pytest.raises(DomainError) as overlapping:
        await create_school_year(Viewer(), date(2302, 8, 25))  # a rentrée before 31 August
    assert overlapping.value.code == ErrorCode.INVALID_STATE
    assert first.label in overlapping.value.message and "31/08/2302" in overlapping.value.message
    with pytest.raises(DomainError) as again:
        await create_school_year(Viewer(), date(2301, 9, 3))
    assert "existe déjà" in again.value.message
    assert (await year_starting(date(2302, 9, 1))).starts_on == date(2302, 9, 1)


async def test_an_unknown_wallet_is_unknown_not_outside_the_convention():
    team, cashier = await till()
    holder = await card_holder()
    for typo in ("SPORT", "sport_culture_loisirs", "SOUTIEN-SCOLAIRE", ""):
        with pytest.raises(DomainError) as refused:
            await debit_card(
                await cashier_viewer(team, cashier),
                DebitRequest(team.partner.id, holder.card.code, typo, "5", uuid.uuid4().hex),
            )
        assert refused.value.code == ErrorCode.WALLET_UNKNOWN, typo
        assert refused.value.message.startswith("Porte-monnaie inconnu")
        assert refused.value.field == "walletKind"
    assert (await sport_wallet(holder)).balance_cents == 100_00


async def test_a_years_wallet_types_and_a_partners_wallets_are_the_known_kinds():
    with pytest.raises(DomainError) as year_refused:
        await create_school_year(
            Viewer(), date(2305, 9, 1), [WalletType("MOBILITE", "Mobilité", 10_00)]
        )
    assert year_refused.value.code == ErrorCode.WALLET_UNKNOWN
    assert year_refused.value.field == "walletTypes"
    assert await school_year_by_label("2305-2306") is None

    seed = int(unique(""))
    with pytest.raises(DomainError) as partner_refused:
        await create_partner(
            Viewer(),
            PartnerDetails(
                legal_name="Piscine SAS",
                trade_name="Piscine",
                siret=valid_siret(seed),
                categories=[PartnerCategory.SPORT],
                debitable_wallets=["SPORT"],  # type: ignore[list-item]  # a script's string
                convention_signed_on=date(2026, 9, 1),
                representative=Representative(f"{unique('rep')}@piscine.test", "Léo", "Roux"),
            ),
        )
    assert partner_refused.value.code == ErrorCode.WALLET_UNKNOWN


async def test_a_year_created_without_labels_takes_the_usual_names():
    year = await create_school_year(
        Viewer(), date(2307, 9, 1), [WalletType(WalletKind.SOUTIEN_SCOLAIRE, "", 60_00)]
    )
    [wallet] = await SchoolYearWallet.filter(school_year_id=year.id)
    assert (wallet.kind, wallet.label, wallet.amount_cents) == (
        "SOUTIEN_SCOLAIRE",
        "Soutien scolaire et linguistique",
        60_00,
    )
