"""Demo content of the partner space's own sections: deals and events in every state a
partner meets (a draft, one refused with the département's reason, an event with two dates
waiting for moderation, a published deal with a new version under review), profiles with
their practical details, likes on the posts, and a few payments at the cinema's till so the
dashboard has takings. Loaded after server/demo_social.py; idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from domain.accounts.viewer import Viewer
from domain.cards.transactions import DebitRequest, debit_card
from domain.core import clock
from domain.core.errors import DomainError
from domain.offers.editing import (
    OfferChanges,
    PlaceInput,
    SessionInput,
    create_offer,
    school_year_start,
    update_offer,
)
from domain.offers.moderation import decide, submit
from domain.partners.profiles import AccessibilityType, ProfileChanges, update_profile
from domain.social.likes import like_post
from models.accounts import User, UserKind
from models.cards import Card, CardStatus
from models.offers import DealType, EventKind, Offer, OfferKind, OfferRevision, OfferTheme
from models.partners import Delegate, Partner
from models.social import Post, PostLike

MODERATOR = "moderation@cjeune.test"
CLUB = "Club Nautique de l'Estaque"
CINEMA = "Cinéma Le Prado"
REFUSED_TITLE = "-20 % sur les stages de voile"
REFUSAL = "Précisez les dates des stages et le nombre de places réservées aux jeunes."

PROFILES = {
    CINEMA: ("04 91 00 00 01", "https://www.cinema-prado.test", ["motor", "hearing"],
             "Salles 1 à 4 de plain-pied ; boucle magnétique à l'accueil."),
    CLUB: ("04 91 00 00 02", "https://www.cn-estaque.test", ["mental"],
           "Moniteurs formés à l'accueil des jeunes en situation de handicap."),
}  # fmt: skip


async def _principal(partner: Partner) -> Viewer:
    delegate = await Delegate.get(partner_id=partner.id, is_principal=True)
    return Viewer(
        user=await User.get(id=delegate.user_id),
        client_address="demo",
        delegations={partner.id: delegate},
    )


def _validity(days: int) -> tuple[date, date]:
    today = clock.paris_today()
    year_end = date(school_year_start(today).year + 1, 8, 31)
    return today, min(today + timedelta(days=days), year_end)


async def _club_offers(club: Partner, moderator: Viewer) -> None:
    principal = await _principal(club)
    place = [PlaceInput("Port de l'Estaque", "13016", "Marseille", "Base nautique")]
    starts, ends = _validity(90)
    await create_offer(
        principal,
        club.id,
        OfferKind.DEAL,
        OfferChanges(
            title="Une gourde du club offerte",
            description="À ta première séance, sur présentation de ta carte CJeune.",
            theme=OfferTheme.SPORT,
            deal_type=DealType.GOODIES,
            valid_from=starts,
            valid_until=ends,
            places=place,
        ),
    )  # a draft, not submitted yet
    refused = await create_offer(
        principal,
        club.id,
        OfferKind.DEAL,
        OfferChanges(
            title=REFUSED_TITLE,
            description="Sur tous nos stages de voile des vacances.",
            theme=OfferTheme.SPORT,
            deal_type=DealType.DISCOUNT_PERCENT,
            discount_percent=20,
            valid_from=starts,
            valid_until=ends,
            places=place,
        ),
    )
    await submit(principal, refused.id)
    await decide(moderator, (await Offer.get(id=refused.id)).working_revision_id, False, REFUSAL)
    first = clock.paris_today() + timedelta(days=12)
    event = await create_offer(
        principal,
        club.id,
        OfferKind.EVENT,
        OfferChanges(
            title="Régate des jeunes de l'Estaque",
            description="Deux après-midi de régate en optimist, ouverts aux 11-17 ans.",
            theme=OfferTheme.SPORT,
            event_kind=EventKind.COMPETITION,
            sessions=[
                SessionInput(
                    datetime.combine(day, time(14), clock.PARIS),
                    datetime.combine(day, time(17, 30), clock.PARIS),
                )
                for day in (first, first + timedelta(days=1))
            ],
            places=place,
        ),
    )
    await submit(principal, event.id)  # waiting for moderation


async def _cinema_new_version(cinema: Partner) -> None:
    """The cinema's published deal gets a new version under review; the first stays on show."""
    principal = await _principal(cinema)
    deal = (
        await Offer.filter(partner_id=cinema.id, kind=OfferKind.DEAL).order_by("created_at").first()
    )
    if deal is None or deal.published_revision_id != deal.working_revision_id:
        return
    await update_offer(
        principal,
        deal.id,
        OfferChanges(practical_info="Toutes les séances, sauf les avant-premières."),
    )
    await submit(principal, deal.id)


async def _profiles_and_likes() -> None:
    for trade, (phone, website, accessibility, notes) in PROFILES.items():
        partner = await Partner.get(trade_name=trade)
        await update_profile(
            await _principal(partner),
            partner.id,
            ProfileChanges(
                phone=phone,
                website=website,
                accessibility=[AccessibilityType(a) for a in accessibility],
                accessibility_notes=notes,
            ),
        )
    young = await User.filter(kind=UserKind.YOUNG_PERSON, email__endswith="@jeune.test")
    for post in await Post.filter(partner__trade_name__in=list(PROFILES)):
        for person in young[:3]:
            if not await PostLike.exists(post_id=post.id, user_id=person.id):
                await like_post(person.id, post.id)


async def _cinema_takings(cinema: Partner) -> None:
    """Two payments today at the cinema's till (by the cashier), for the dashboard."""
    cashier = await User.get(email="caisse@cinema-prado.test")
    delegate = await Delegate.get(user_id=cashier.id, partner_id=cinema.id)
    viewer = Viewer(user=cashier, client_address="demo", delegations={cinema.id: delegate})
    cards = (
        await Card.filter(
            status=CardStatus.ACTIVE, beneficiary__school_identifier__startswith="DEMO"
        )
        .order_by("code")
        .limit(2)
    )
    today = clock.paris_today()
    for index, (card, amount) in enumerate(zip(cards, ("5,00", "7,50"), strict=False)):
        try:
            await debit_card(
                viewer,
                DebitRequest(
                    cinema.id, card.code, "SPORT_CULTURE_LOISIRS", amount, f"demo-{today}-{index}"
                ),
            )
        except DomainError:  # a PIN asked, a balance spent: the demo goes on without
            continue


async def load_content_demo(say: Callable[[str], None] = print) -> None:
    club, cinema = await Partner.get(trade_name=CLUB), await Partner.get(trade_name=CINEMA)
    moderator = Viewer(user=await User.get(email=MODERATOR), client_address="demo")
    say("bons plans et événements dans tous leurs états, profils, j'aime, encaissements")
    if not await OfferRevision.exists(title=REFUSED_TITLE, offer__partner_id=club.id):
        await _club_offers(club, moderator)
        await _cinema_new_version(cinema)
        await _profiles_and_likes()
    await _cinema_takings(cinema)
