"""Realistic demo data for a developer's machine: staff, partners with delegates, young people.

Idempotent: loading twice changes nothing. Every account shares DEMO_PASSWORD.
"""

from __future__ import annotations

from datetime import date

from domain.accounts.passwords import hash_password
from domain.accounts.users import Registration, create_staff, register_young_person
from domain.accounts.viewer import Viewer
from domain.cards import codes as card_codes
from domain.cards.beneficiary_import import import_middle_schoolers
from domain.cards.lifecycle import activate_card, set_pin
from domain.cards.school_years import create_school_year, school_year_on
from domain.core import clock
from domain.core.transactions import atomic
from domain.notifications.devices import register_device
from domain.partners.delegates import invite
from domain.partners.structures import PartnerDetails, Representative, create_partner
from models.accounts import StaffRole, User
from models.cards import Beneficiary, Card
from models.partners import (
    Delegate,
    DelegatePermission,
    DelegateStatus,
    Partner,
    PartnerCategory,
    WalletKind,
)
from server.demo_content import load_content_demo
from server.demo_finance import load_finance_demo
from server.demo_social import load_social_demo

DEMO_PASSWORD = "Calanques-2026!"  # noqa: S105 - printed to the developer on purpose

STAFF = [
    ("admin@cjeune.test", "Camille", "Arnaud", [StaffRole.ADMINISTRATOR]),
    ("moderation@cjeune.test", "Nadia", "Benali", [StaffRole.MODERATION]),
    ("hotline@cjeune.test", "Julien", "Roux", [StaffRole.SUPPORT]),
    ("finances@cjeune.test", "Sophie", "Marchetti", [StaffRole.FINANCE]),
    ("marketing@cjeune.test", "Lucas", "Ferrand", [StaffRole.MARKETING]),
]

# (trade name, legal name, SIRET, categories, wallets, principal, collaborator, permissions)
PARTNERS = [
    (
        "Cinéma Le Prado",
        "SARL Prado Cinéma",
        "73282932000074",
        [PartnerCategory.CULTURE, PartnerCategory.LOISIRS],
        [WalletKind.SPORT_CULTURE_LOISIRS],
        ("direction@cinema-prado.test", "Hélène", "Castellan"),
        ("caisse@cinema-prado.test", "Karim", "Haddad"),
        [DelegatePermission.TRANSACTIONS],
    ),
    (
        "Club Nautique de l'Estaque",
        "Association Club Nautique de l'Estaque",
        "35600000000048",
        [PartnerCategory.SPORT],
        [WalletKind.SPORT_CULTURE_LOISIRS],
        ("president@cn-estaque.test", "Marc", "Olivieri"),
        ("secretariat@cn-estaque.test", "Inès", "Moreau"),
        [
            DelegatePermission.TRANSACTIONS,
            DelegatePermission.OFFERS_AND_POSTS,
            DelegatePermission.PROFILE,
        ],
    ),
    (
        "Aix Soutien Scolaire",
        "SAS Aix Soutien Scolaire",
        "55208131766522",
        [PartnerCategory.SOUTIEN_SCOLAIRE],
        [WalletKind.SOUTIEN_SCOLAIRE],
        ("gerance@aix-soutien.test", "Claire", "Bonnet"),
        ("compta@aix-soutien.test", "Thomas", "Giraud"),
        [DelegatePermission.FINANCE],
    ),
]

YOUNG_PEOPLE = [
    ("lea.martin@jeune.test", "Léa", "Martin", date(2013, 3, 14), "13008"),
    ("yanis.belkacem@jeune.test", "Yanis", "Belkacem", date(2012, 10, 2), "13015"),
    ("manon.garcia@jeune.test", "Manon", "Garcia", date(2009, 6, 21), "13100"),
    ("hugo.lopez@jeune.test", "Hugo", "Lopez", date(2004, 1, 30), "13200"),
]


async def _activate(delegate: Delegate, password_hash: str) -> None:
    """Stand in for the person clicking their invitation link (demo data only)."""
    await User.filter(id=delegate.user_id).update(
        password_hash=password_hash, email_verified_at=clock.now()
    )
    delegate.status = DelegateStatus.ACTIVE
    delegate.accepted_at = clock.now()
    await delegate.save(update_fields=["status", "accepted_at"])


async def _demo_cards(say) -> list[tuple[str, str]]:
    """The current school year, and cards with credited wallets for the demo middle-schoolers,
    imported through the same CSV import as the real ones and activated by their holders."""
    today = clock.paris_today()
    year = await school_year_on(today) or await create_school_year(
        Viewer(client_address="demo"),
        date(today.year if today.month >= 9 else today.year - 1, 9, 1),
    )
    rows = ["identifiant;nom;prenom;date_naissance;etablissement;commune"]
    middle_schoolers = [p for p in YOUNG_PEOPLE if clock.age_on(p[3], year.starts_on) <= 15]
    for index, (_email, first, last, born, _postal) in enumerate(middle_schoolers, 1):
        rows.append(f"DEMO{index:07d};{last};{first};{born:%d/%m/%Y};Collège Longchamp;13201")
    say(f"cartes {year.label} : {len(middle_schoolers)} collégiens")
    await import_middle_schoolers(Viewer(client_address="demo"), year, "\n".join(rows))
    codes = []
    for index, (email, *_rest) in enumerate(middle_schoolers, 1):
        user = await User.get(email=email)
        beneficiary = await Beneficiary.get(school_identifier=f"DEMO{index:07d}")
        card = await Card.get(beneficiary_id=beneficiary.id, school_year_id=year.id)
        if beneficiary.user_id is None:
            await activate_card(Viewer(user=user, client_address="demo"), card.code)
        # A phone of the app: a debit's push notification lands in the push outbox.
        await register_device(user.id, demo_device_token(email), "android")
        codes.append((email, card_codes.format_code(card.code)))
    return codes


LOCKED_PIN_HOLDER = "yanis.belkacem@jeune.test"  # « ma carte est bloquée » at the hotline


async def _lock_pin(email: str) -> None:
    """A PIN chosen, then mistyped three times at a till: the card is locked until support
    staff unlock it in the back office (Jeunes et cartes). Last, once: the demo's other
    data debits the cards first (server/demo_finance.py leaves a locked one alone)."""
    user = await User.get(email=email)
    card = await Card.filter(beneficiary__user_id=user.id).order_by("-created_at").first()
    if card is None or card.pin_hash is not None:
        return
    await set_pin(Viewer(user=user, client_address="demo"), card.id, "2468")
    await Card.filter(id=card.id).update(pin_failures=3, pin_locked_at=clock.now())


def demo_device_token(email: str) -> str:
    """The made-up FCM token of a demo holder's phone (the outbox backend takes any token of
    FCM's form; FCM itself would refuse it)."""
    return "demo-" + email.split("@")[0].replace(".", "-") + "-telephone-android"


async def load_demo(say=print) -> list[tuple[str, str]]:
    """Load the demo data; returns (role, email) of every account."""
    logins: list[tuple[str, str]] = []
    password_hash = await hash_password(DEMO_PASSWORD)
    admin = await User.get_or_none(email=STAFF[0][0])
    for index, (email, first, last, roles) in enumerate(STAFF, 1):
        say(f"[{index}/{len(STAFF)}] personnel : {email}")
        if not await User.exists(email=email):
            created = await create_staff(
                None,
                email=email,
                first_name=first,
                last_name=last,
                roles=roles,
                password=DEMO_PASSWORD,
            )
            admin = admin or created
        logins.append((f"staff {'/'.join(r.value for r in roles)}", email))
    actor = Viewer(user=admin, client_address="demo")
    for index, (
        trade,
        legal,
        siret,
        categories,
        wallets,
        principal,
        collaborator,
        permissions,
    ) in enumerate(PARTNERS, 1):
        say(f"[{index}/{len(PARTNERS)}] partenaire : {trade}")
        partner = await Partner.get_or_none(siret=siret)
        if partner is None:
            partner = await create_partner(
                actor,
                PartnerDetails(
                    legal_name=legal,
                    trade_name=trade,
                    siret=siret,
                    categories=categories,
                    debitable_wallets=wallets,
                    convention_signed_on=date(2023, 9, 1),
                    representative=Representative(*principal),
                ),
            )
            principal_delegate = await Delegate.get(partner_id=partner.id, is_principal=True)
            await _activate(principal_delegate, password_hash)
            principal_viewer = Viewer(
                user=await User.get(id=principal_delegate.user_id),
                client_address="demo",
                delegations={partner.id: principal_delegate},
            )
            async with atomic():
                collaborator_delegate = await invite(
                    principal_viewer,
                    partner,
                    email=collaborator[0],
                    first_name=collaborator[1],
                    last_name=collaborator[2],
                    permissions=permissions,
                )
            await _activate(collaborator_delegate, password_hash)
        logins.append((f"délégué principal, {trade}", principal[0]))
        logins.append(
            (f"délégué ({', '.join(p.value for p in permissions)}), {trade}", collaborator[0])
        )
    for index, (email, first, last, born, postal_code) in enumerate(YOUNG_PEOPLE, 1):
        say(f"[{index}/{len(YOUNG_PEOPLE)}] jeune : {email}")
        if not await User.exists(email=email):
            user = await register_young_person(
                Registration(
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    birth_date=born,
                    postal_code=postal_code,
                )
            )
            await User.filter(id=user.id).update(email_verified_at=clock.now())
        logins.append((f"jeune, {clock.age_on(born, clock.paris_today())} ans", email))
    for email, code in await _demo_cards(say):
        logins.append((f"carte {code}", email))
    await load_social_demo(say)
    await load_finance_demo(say)
    await load_content_demo(say)
    await _lock_pin(LOCKED_PIN_HOLDER)
    return logins
