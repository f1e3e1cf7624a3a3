"""Demo content for the social side: profiles, posts, a deal and an event, the département's
news, and demo young people following the partners. Idempotent, like server/demo.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.offers.editing import (
    OfferChanges,
    PlaceInput,
    SessionInput,
    create_offer,
    update_offer,
)
from domain.offers.moderation import decide, submit
from domain.partners.opening_hours import Weekday
from domain.partners.profiles import Address, ProfileChanges, update_profile
from domain.social.follows import follow
from domain.social.highlights import publish_highlight
from domain.social.posts import create_post
from models.accounts import User, UserKind
from models.offers import DealType, EventKind, Offer, OfferKind, OfferRevision, OfferTheme
from models.partners import Delegate, Partner
from models.social import Highlight, Post

NEWS_TITLE = "Ta carte CJeune est arrivée"
EVENT_TITLE = "Exposition : Marseille fait son cinéma"
MODERATOR = "moderation@cjeune.test"  # a demo staff account of server/demo.py
WEEKDAYS = [Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY]

# trade name -> (address, description, posts, deal title and theme)
SOCIAL = {
    "Cinéma Le Prado": (
        Address("36 Avenue du Prado", "13006", "Marseille"),
        "Cinéma de quartier, 6 salles, films en VO et séances jeunesse.",
        [
            "Cette semaine : avant-première du film d'animation de l'année !",
            "Nouveau : les séances du mercredi à 14 h pour les collégiens.",
        ],
        ("Place de cinéma à 5 €", OfferTheme.CULTURE),
    ),
    "Club Nautique de l'Estaque": (
        Address("Port de l'Estaque", "13016", "Marseille"),
        "Voile, kayak et paddle dans la rade de Marseille, dès 11 ans.",
        [
            "Les inscriptions aux stages de voile des vacances sont ouvertes.",
            "Belle régate ce week-end : bravo à nos jeunes équipages !",
        ],
        ("Séance de paddle offerte", OfferTheme.SPORT),
    ),
    "Aix Soutien Scolaire": (
        Address("8 Cours Mirabeau", "13100", "Aix-en-Provence"),
        "Cours particuliers et stages de révision, du collège au lycée.",
        ["Stage de révision du brevet pendant les vacances de printemps."],
        ("10 € de réduction sur un stage", OfferTheme.SOUTIEN_SCOLAIRE),
    ),
}


async def _principal(partner: Partner) -> Viewer:
    delegate = await Delegate.get(partner_id=partner.id, is_principal=True)
    return Viewer(
        user=await User.get(id=delegate.user_id),
        client_address="demo",
        delegations={partner.id: delegate},
    )


# Waiting for the moderator (the back office's queue): a deal and a new version of one.
PENDING_DEAL = ("Club Nautique de l'Estaque", "Stage de voile : 20 € de réduction")
PENDING_NEW_TITLE = "Place de cinéma à 4 € le mercredi"


async def _submit_pending(moderator: Viewer) -> None:
    """A deal submitted and not decided, and a new version of the cinema's published deal:
    the moderation queue is not empty. Only once: a decided one is not submitted again."""
    trade, title = PENDING_DEAL
    partner = await Partner.get(trade_name=trade)
    if not await OfferRevision.exists(title=title):
        principal = await _principal(partner)
        today = clock.paris_today()
        offer = await create_offer(
            principal,
            partner.id,
            OfferKind.DEAL,
            OfferChanges(
                title=title,
                description="Pour un stage d'une semaine pendant les vacances, dès 11 ans.",
                theme=OfferTheme.SPORT,
                deal_type=DealType.DISCOUNT_EUROS,
                discount_amount="20",
                valid_from=today,
                valid_until=today + timedelta(days=90),
                places=[PlaceInput(*_address_of(partner))],
            ),
        )
        await submit(principal, offer.id)
    cinema = await Partner.get(trade_name="Cinéma Le Prado")
    deal_title = SOCIAL[cinema.trade_name][3][0]
    if not await OfferRevision.exists(title=PENDING_NEW_TITLE):
        offer = await Offer.get(partner_id=cinema.id, kind=OfferKind.DEAL, title=deal_title)
        principal = await _principal(cinema)
        await update_offer(principal, offer.id, OfferChanges(title=PENDING_NEW_TITLE))
        await submit(principal, offer.id)


async def _publish_deal(publisher: Viewer, moderator: Viewer, partner: Partner, title, theme):
    today = clock.paris_today()
    offer = await create_offer(
        publisher,
        partner.id,
        OfferKind.DEAL,
        OfferChanges(
            title=title,
            description="Sur présentation de ta carte CJeune, à la caisse.",
            theme=theme,
            deal_type=DealType.GOODIES,
            valid_from=today,
            valid_until=today + timedelta(days=60),
            places=[PlaceInput(*_address_of(partner))],
        ),
    )
    await submit(publisher, offer.id)
    await decide(moderator, offer.working_revision_id, True, None)


def _address_of(partner: Partner) -> tuple[str, str, str]:
    address = SOCIAL[partner.trade_name][0]
    return address.street, address.postal_code, address.city


async def _publish_event(publisher: Viewer, moderator: Viewer, partner: Partner) -> None:
    """An exhibition open from today for two months: on show at once, in the feed, the
    search and the partner's offers (an event is on show from its first day to its last)."""
    today = clock.paris_today()
    offer = await create_offer(
        publisher,
        partner.id,
        OfferKind.EVENT,
        OfferChanges(
            title=EVENT_TITLE,
            description="Un siècle d'affiches de films tournés à Marseille, dans le hall du "
            "cinéma ; entrée libre aux heures des séances.",
            theme=OfferTheme.CULTURE,
            event_kind=EventKind.EXPOSITION,
            sessions=[
                SessionInput(
                    datetime.combine(today, time(10), tzinfo=clock.PARIS),
                    datetime.combine(today + timedelta(days=60), time(19), tzinfo=clock.PARIS),
                )
            ],
            places=[PlaceInput(*_address_of(partner))],
        ),
    )
    await submit(publisher, offer.id)
    await decide(moderator, offer.working_revision_id, True, None)


async def load_social_demo(say: Callable[[str], None] = print) -> None:
    moderator = Viewer(user=await User.get(email=MODERATOR), client_address="demo")
    for index, (trade, (address, description, posts, deal)) in enumerate(SOCIAL.items(), 1):
        partner = await Partner.get(trade_name=trade)
        say(f"[{index}/{len(SOCIAL)}] profil, publications et bon plan : {trade}")
        if await Post.exists(partner_id=partner.id):
            continue
        principal = await _principal(partner)
        await update_profile(
            principal,
            partner.id,
            ProfileChanges(
                description=description,
                address=address,
                weekly_hours={day: [("09:00", "12:00"), ("14:00", "19:00")] for day in WEEKDAYS},
            ),
        )
        for body in posts:
            await create_post(principal, partner.id, body, [])
        await _publish_deal(principal, moderator, partner, *deal)
        if trade == "Cinéma Le Prado":
            await _publish_event(principal, moderator, partner)
    await _submit_pending(moderator)
    say("modération : un bon plan et une nouvelle version attendent une décision")
    if not await Highlight.exists(title=NEWS_TITLE):
        await publish_highlight(
            moderator,
            NEWS_TITLE,
            "Active-la dans l'appli : 100 € pour le sport, la culture et les loisirs, "
            "50 € pour le soutien scolaire.",
            None,
            None,
            None,
        )
    young = await User.filter(kind=UserKind.YOUNG_PERSON, email__endswith="@jeune.test")
    partners = await Partner.filter(trade_name__in=list(SOCIAL))
    say(f"abonnements : {len(young)} jeunes suivent {len(partners)} partenaires")
    for person in young:
        for partner in partners:
            await follow(person.id, partner.id)
