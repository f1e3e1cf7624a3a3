"""The Meilisearch backend: the shared contract against a real server (only when
MEILISEARCH_URL is set: none runs here), and, always, what needs no server: the documents,
the filter strings, the cursor, the answer's reading, and when the index is kept in sync."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest

from domain.accounts.viewer import Viewer
from domain.core import clock
from domain.core.errors import DomainError
from domain.department_services.services import ServiceChanges, create_service, update_service
from domain.offers.moderation import decide, set_super
from domain.partners.structures import set_partner_status
from infra.settings import Settings, use_settings
from models.accounts import StaffRole
from models.offers import DealType, Offer, OfferRevision, OfferTheme, ServiceCategory
from models.partners import Partner, PartnerStatus
from search import sync
from search.backend import (
    BoundingBox,
    HitKind,
    Near,
    Position,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from search.meilisearch import (
    MeilisearchBackend,
    MeilisearchIndex,
    OffsetCursor,
    filters_for,
    search_params,
    sort_for,
)
from tests.factories import staff_member
from tests.search.contract import ADULT, EVERYONE, VIEUX_PORT, SearchContract, World, offset
from tests.support import jobs_done
from workers.broker import configure_broker

pytestmark = pytest.mark.usefixtures("settings")

MEILISEARCH_URL = os.environ.get("MEILISEARCH_URL")
DAY = date(2026, 3, 14)
KINDS = 'kind IN ["deal", "event", "partner", "service"]'
VALID = '(kind IN ["partner", "service"] OR (valid_from <= 20260314 AND valid_until >= 20260314))'
FOR_EVERYONE = 'adults_only = false AND theme NOT IN ["insertion_professionnelle", "tourisme"]'


# --- against a real server -------------------------------------------------------------------


@pytest.mark.skipif(MEILISEARCH_URL is None, reason="MEILISEARCH_URL is not set")
class TestMeilisearchBackend(SearchContract):
    """Each case writes to an index of its own, holding only its world's rows."""

    @pytest.fixture
    async def index(self) -> AsyncIterator[MeilisearchIndex]:
        assert MEILISEARCH_URL is not None
        index = MeilisearchIndex(
            MEILISEARCH_URL, os.environ.get("MEILISEARCH_KEY"), f"cjeune_test_{uuid.uuid4().hex}"
        )
        await index.configure()
        yield index
        await index.drop()

    @pytest.fixture
    def backend(self, index: MeilisearchIndex) -> MeilisearchBackend:
        return MeilisearchBackend(index)

    @pytest.fixture
    def indexed(self, index: MeilisearchIndex, world: World):
        async def sync_world() -> None:
            for identifier in world.ids.values():
                if await Offer.exists(id=identifier):
                    await sync.sync_offer(identifier, index)
                elif await Partner.exists(id=identifier):
                    await sync.sync_partner(identifier, index)
                else:
                    await sync.sync_service(identifier, index)

        return sync_world

    async def test_expiry_and_withdrawal_leave_the_index(
        self, backend: MeilisearchBackend, index: MeilisearchIndex, world: World, indexed
    ) -> None:
        shop = await world.partner("Boutique")
        today = clock.paris_today()
        kept = await world.offer("Gardée", shop, valid=(today, today + timedelta(5)))
        await world.offer("Finie", shop, valid=(today - timedelta(5), today))
        await indexed()
        deals = SearchQuery(text=world.word, kinds=frozenset({HitKind.DEAL}), valid_on=today)

        async def names() -> set[str]:
            return set(world.names((await backend.search(deals, EVERYONE)).hits))

        assert await names() == {"Gardée", "Finie"}
        await sync.expire(today + timedelta(days=1), index)
        assert await names() == {"Gardée"}
        await Offer.filter(id=kept.id).update(withdrawn_at=clock.now())
        await sync.sync_offer(kept.id, index)
        assert await names() == set()


# --- the documents ---------------------------------------------------------------------------


async def indexed_offer(offer: Offer) -> Offer:
    return await sync._offers().get(id=offer.id)


async def test_an_offer_has_one_document_per_place_with_folded_text() -> None:
    world = World()
    shop = await world.partner("Librairie Étoile")
    north = offset(VIEUX_PORT, 1, 0)
    offer = await world.offer(
        "Été du Théâtre", shop, places=(VIEUX_PORT, north), theme=OfferTheme.TOURISME
    )
    await OfferRevision.filter(offer_id=offer.id).update(description="Pièces d'Œuvre")

    documents = sync.document_for_offer(await indexed_offer(offer))

    assert len(documents) == 2
    assert len({d["doc_id"] for d in documents}) == 2
    assert [d["_geo"] for d in documents] == [
        {"lat": VIEUX_PORT[0], "lng": VIEUX_PORT[1]},
        {"lat": north[0], "lng": north[1]},
    ]
    first = documents[0]
    assert first["doc_id"].startswith(f"offer-{offer.id}-")
    today = clock.paris_today()
    assert {k: v for k, v in first.items() if k not in ("doc_id", "_geo", "generation")} == {
        "id": str(offer.id),
        "kind": "deal",
        "title": f"Été du Théâtre {world.word}",
        "subtitle": f"Librairie Étoile {world.word}",
        "theme": "tourisme",
        "deal_type": "discount_percent",
        "adults_only": True,
        "valid_from": int((today - timedelta(days=10)).strftime("%Y%m%d")),
        "valid_until": int((today + timedelta(days=30)).strftime("%Y%m%d")),
        "is_super": False,
        "text_title": f"ete du theatre {world.word}",
        "text_partner": f"librairie etoile {world.word}",
        "text_city": "marseille",
        "text_description": "pieces d oeuvre",
    }
    assert isinstance(first["generation"], int)


async def test_an_offer_without_places_has_one_document_without_geo() -> None:
    world = World()
    offer = await world.offer("Sans lieu", await world.partner("Club"), places=())

    documents = sync.document_for_offer(await indexed_offer(offer))

    assert [d["doc_id"] for d in documents] == [f"offer-{offer.id}"]
    assert "_geo" not in documents[0]


async def test_what_is_not_on_show_has_no_document() -> None:
    world = World()
    shop = await world.partner("Boutique")
    today = clock.paris_today()
    hidden = [
        await world.offer("Expirée", shop, valid=(today - timedelta(30), today - timedelta(1))),
        await world.offer("Retirée", shop, withdrawn=True),
        await world.offer("En attente", shop, published=False),
    ]
    later = await world.offer("Plus tard", shop, valid=(today + timedelta(5), today + timedelta(9)))

    for offer in hidden:
        assert sync.document_for_offer(await indexed_offer(offer)) == []
    assert len(sync.document_for_offer(await indexed_offer(later))) == 1  # filtered by date


async def test_partner_and_service_documents() -> None:
    world = World()
    await world.partner("Dojo", categories=("sport",), accessibility=("motor",))
    nowhere = await world.partner("Sans adresse", at=None)
    service = await world.service("Point Écoute", at=None)
    partner = await Partner.get(id=world.ids["Dojo"]).prefetch_related("profile")

    (document,) = sync.document_for_partner(partner)
    assert document["doc_id"] == f"partner-{partner.id}"
    assert document["categories"] == ["sport"]
    assert document["accessibility"] == ["motor"]
    assert document["_geo"] == {"lat": VIEUX_PORT[0], "lng": VIEUX_PORT[1]}
    assert document["text_title"] == f"dojo {world.word}"
    await nowhere.fetch_related("profile")
    assert sync.document_for_partner(nowhere) == []
    (listed,) = sync.document_for_service(service)
    assert listed["kind"] == "service"
    assert listed["theme"] == "listening_place"
    assert listed["text_title"] == f"point ecoute {world.word}"
    assert "_geo" not in listed
    service.published = False
    assert sync.document_for_service(service) == []


# --- the query ---------------------------------------------------------------------------------


def test_filters_everyone_sees_by_default() -> None:
    assert filters_for(SearchQuery(valid_on=DAY), EVERYONE) == [KINDS, VALID, FOR_EVERYONE]
    assert filters_for(SearchQuery(valid_on=DAY), ADULT) == [KINDS, VALID]


def test_filters_radius_and_sort_by_distance() -> None:
    query = SearchQuery(valid_on=DAY, near=Near(43.2951, 5.3744, 2.5))

    assert filters_for(query, ADULT)[-1] == "_geoRadius(43.2951, 5.3744, 2500.0)"
    assert sort_for(query) == ["_geoPoint(43.2951, 5.3744):asc", "id:asc"]
    assert sort_for(SearchQuery()) == ["id:asc"]


def test_filters_bounding_box_top_right_then_bottom_left() -> None:
    query = SearchQuery(valid_on=DAY, bbox=BoundingBox(43.2, 5.3, 43.4, 5.5))

    assert filters_for(query, ADULT)[-1] == "_geoBoundingBox([43.4, 5.5], [43.2, 5.3])"


def test_filters_themes_types_and_partner_filters() -> None:
    themed = SearchQuery(
        valid_on=DAY,
        themes=frozenset({OfferTheme.SPORT, OfferTheme.CULTURE}),
        deal_types=frozenset({DealType.PROMO_CODE}),
    )
    assert filters_for(themed, EVERYONE) == [
        'kind IN ["deal"]',
        VALID,
        FOR_EVERYONE,
        'theme IN ["culture", "sport"]',
        'deal_type IN ["promo_code"]',
    ]
    partners = SearchQuery(
        partner_categories=frozenset({"sport"}), accessibility=frozenset({"motor", "hearing"})
    )
    assert filters_for(partners, ADULT) == [
        'kind IN ["partner"]',
        'categories IN ["sport"]',
        'accessibility = "hearing"',
        'accessibility = "motor"',
    ]


def test_validity_is_today_in_paris_by_default() -> None:
    from datetime import UTC, datetime

    with clock.frozen(datetime(2026, 3, 13, 23, 30, tzinfo=UTC)):  # 00:30 on the 14th
        assert filters_for(SearchQuery(), ADULT)[1] == VALID


def test_search_params_ask_one_more_than_the_page() -> None:
    params = search_params(SearchQuery(first=20), ADULT, offset=40)

    assert (params["offset"], params["limit"], params["matchingStrategy"]) == (40, 21, "all")


def test_offset_cursor_round_trip_and_refusals() -> None:
    cursor = OffsetCursor(60).encode()

    assert OffsetCursor.decode(cursor) == OffsetCursor(60)
    for bad in ("pas-un-curseur", Position(None, "abc").encode()):
        with pytest.raises(DomainError) as refused:
            OffsetCursor.decode(bad)
        assert refused.value.field == "after"


@dataclass
class CannedIndex:
    """Answers each search with the next canned hits; records what it was asked."""

    answers: list[list[dict[str, Any]]]
    asked: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def search(self, text: str, params: dict[str, Any]) -> dict[str, Any]:
        self.asked.append((text, params))
        return {"hits": self.answers.pop(0)}


async def test_backend_reads_hits_distances_and_pages() -> None:
    deal = {"id": "b", "kind": "deal", "title": "Judo", "subtitle": "Club", "theme": "sport",
            "is_super": True, "_geo": {"lat": 43.3, "lng": 5.4}, "_geoDistance": 1234}  # fmt: skip
    partner = {"id": "a", "kind": "partner", "title": "Club", "_geo": {"lat": 43.31, "lng": 5.41}}
    index = CannedIndex([[deal, partner], [partner]])
    backend = MeilisearchBackend(index)  # type: ignore[arg-type]
    near = Near(43.3, 5.4, 10)

    first = await backend.search(SearchQuery(text="Théâtre JUDO", near=near, first=1), ADULT)
    second = await backend.search(SearchQuery(near=near, first=1, after=first.next_cursor), ADULT)

    assert first == SearchPage(
        [SearchHit(HitKind.DEAL, "b", "Judo", "Club", 1.234, 43.3, 5.4, "sport", True)],
        OffsetCursor(1).encode(),
    )
    assert second.next_cursor is None
    assert [(text, params["offset"]) for text, params in index.asked] == [
        ("theatre judo", 0),
        ("", 1),
    ]


# --- keeping the index in sync -------------------------------------------------------------


@dataclass
class RecordingIndex:
    put_documents: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    configured: int = 0

    async def configure(self) -> None:
        self.configured += 1

    async def put(self, documents: Sequence[dict[str, Any]]) -> None:
        self.put_documents += documents

    async def delete_where(self, filter_expression: str) -> None:
        self.deleted.append(filter_expression)


@pytest.fixture
def recording(settings: Settings) -> Any:
    """SEARCH_BACKEND=meilisearch with an index that records instead of sending."""
    configure_broker(settings)  # jobs run in-process
    index = RecordingIndex()
    use_settings(
        replace(settings, search_backend="meilisearch", meilisearch_url="http://127.0.0.1:1")
    )
    sync.use_index(index)
    yield index
    sync.use_index(None)
    use_settings(settings)


async def submitted(world: World) -> tuple[Offer, OfferRevision]:
    shop = await world.partner("Boutique")
    offer = await world.offer("Nouveauté", shop, published=False)
    revision = await OfferRevision.get(offer_id=offer.id)
    revision.places = [{"city": "Aubagne", "latitude": 43.29, "longitude": 5.57}]
    await revision.save(update_fields=["places"])
    return offer, revision


async def test_approval_kicks_the_sync_job(recording: RecordingIndex) -> None:
    world = World()
    offer, revision = await submitted(world)
    moderator = Viewer(await staff_member(StaffRole.MODERATION))

    await decide(moderator, revision.id, approve=True, reason=None)
    await jobs_done()

    assert [(d["id"], d["_geo"], d["text_city"]) for d in recording.put_documents] == [
        (str(offer.id), {"lat": 43.29, "lng": 5.57}, "aubagne")
    ]
    (doc_id,) = [d["doc_id"] for d in recording.put_documents]
    assert recording.deleted == [f'id = "{offer.id}" AND doc_id NOT IN ["{doc_id}"]']

    await set_super(moderator, offer.id, True)
    await jobs_done()
    assert recording.put_documents[-1]["is_super"] is True


async def test_a_rejection_does_not_touch_the_index(recording: RecordingIndex) -> None:
    world = World()
    _, revision = await submitted(world)
    moderator = Viewer(await staff_member(StaffRole.MODERATION))

    await decide(moderator, revision.id, approve=False, reason="Photo floue.")
    await jobs_done()

    assert recording.put_documents == recording.deleted == []


async def test_a_withdrawn_offer_is_deleted(recording: RecordingIndex) -> None:
    world = World()
    offer = await world.offer("Retirée", await world.partner("Boutique"), withdrawn=True)

    assert await sync.sync_offer(offer.id) == 0
    assert recording.deleted == [f'id = "{offer.id}"']


async def test_a_partner_sync_rewrites_its_document_and_its_offers(
    recording: RecordingIndex,
) -> None:
    world = World()
    shop = await world.partner("Boutique")
    offer = await world.offer("Visible", shop)

    assert await sync.sync_partner(shop.id) == 2
    assert [d["kind"] for d in recording.put_documents] == ["partner", "deal"]
    assert recording.put_documents[1]["id"] == str(offer.id)


async def test_suspending_a_partner_takes_it_and_its_offers_off_the_map(
    recording: RecordingIndex,
) -> None:
    world = World()
    shop = await world.partner("Boutique")
    await world.offer("Visible", shop)
    support = Viewer(await staff_member(StaffRole.SUPPORT))

    await set_partner_status(support, shop.id, PartnerStatus.SUSPENDED)
    await jobs_done()

    assert recording.put_documents == []
    assert any(str(shop.id) in expression for expression in recording.deleted)


async def test_a_new_or_changed_department_service_reaches_the_index(
    recording: RecordingIndex,
) -> None:
    staff = Viewer(await staff_member(StaffRole.ADMINISTRATOR))

    service = await create_service(
        staff,
        ServiceChanges(
            category=ServiceCategory.LISTENING_PLACE,
            title="Point écoute jeunes",
            description="Un lieu pour parler, sans rendez-vous.",
            postal_code="13400",
            city="Aubagne",
        ),
    )
    await jobs_done()
    await update_service(staff, service.id, ServiceChanges(title="Point écoute Aubagne"))
    await jobs_done()

    titles = [d.get("title") for d in recording.put_documents if d["id"] == str(service.id)]
    assert titles == ["Point écoute jeunes", "Point écoute Aubagne"]


async def test_with_the_database_backend_the_jobs_do_nothing(settings: Settings) -> None:
    configure_broker(settings)
    assert settings.search_backend == "database"
    index = RecordingIndex()
    sync.use_index(index)
    try:
        world = World()
        _, revision = await submitted(world)
        moderator = Viewer(await staff_member(StaffRole.MODERATION))
        await decide(moderator, revision.id, approve=True, reason=None)
        await jobs_done()

        assert await sync.sync_offer(revision.offer_id) is None
        assert await sync.expire() is False
        assert await sync.reindex() == 0
        assert index == RecordingIndex()
    finally:
        sync.use_index(None)


async def test_reindex_writes_in_batches_with_progress_then_drops_older_documents(
    recording: RecordingIndex,
) -> None:
    world = World()
    shop = await world.partner("Boutique")
    for n in range(3):
        await world.offer(f"Offre {n}", shop)
    await world.service("Écoute")
    progress: list[tuple[int, int]] = []

    read = await sync.reindex(lambda done, total: progress.append((done, total)), batch_size=2)

    total = progress[-1][1]
    assert read == total == progress[-1][0]
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert recording.configured == 1
    ours = {d["id"] for d in recording.put_documents} & set(world.ids.values())
    assert ours == set(world.ids.values())
    assert recording.deleted[-1].startswith("generation < ")
    started = int(recording.deleted[-1].split("< ")[1])
    assert all(d["generation"] >= started for d in recording.put_documents)


async def test_expiry_removes_offers_ended_before_today(recording: RecordingIndex) -> None:
    assert await sync.expire(date(2026, 9, 1)) is True
    assert recording.deleted == ['kind IN ["deal", "event"] AND valid_until < 20260901']


def test_the_expiry_job_runs_daily_in_paris() -> None:
    from workers.schedule import PERIODIC_JOBS, TIMEZONE

    (job,) = [j for j in PERIODIC_JOBS if j.task_name == sync.EXPIRE_JOB]
    assert job.cron == "5 0 * * *" and TIMEZONE == "Europe/Paris"


# --- the client's requests, against a local HTTP stand-in of the server ----------------------


def meilisearch_standin(requests: list[tuple[str, str, Any]], hits: list[dict[str, Any]]):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    moment = "2026-03-14T10:00:00.000000Z"  # the client needs fractional seconds

    async def record(request: Request) -> JSONResponse:
        body = await request.json() if request.method != "GET" else None
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.url.path.startswith("/tasks/"):
            uid = int(request.path_params["uid"])
            return JSONResponse(
                {
                    "uid": uid,
                    "status": "succeeded",
                    "type": "x",
                    "enqueuedAt": moment,
                    "startedAt": moment,
                    "finishedAt": moment,
                }
            )
        requests.append((request.method, path, body))
        if request.url.path.endswith("/search"):
            return JSONResponse({"hits": hits, "query": body.get("q", "")})
        task = {"taskUid": len(requests), "indexUid": "cjeune", "status": "enqueued"}
        return JSONResponse({**task, "type": "x", "enqueuedAt": moment}, status_code=202)

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    return Starlette(
        routes=[
            Route("/tasks/{uid}", record, methods=["GET"]),
            Route("/{path:path}", record, methods=methods),
        ]
    )


async def test_the_client_sends_settings_documents_deletions_and_searches() -> None:
    from tests.support import serving

    requests: list[tuple[str, str, Any]] = []
    canned = [{"id": "a", "kind": "service", "title": "Écoute", "_geo": {"lat": 43.3, "lng": 5.4}}]
    async with serving(meilisearch_standin(requests, canned)) as address:
        index = MeilisearchIndex(f"http://{address}", "clé", "cjeune")
        await index.configure()
        await index.put([{"doc_id": "service-a", "id": "a"}])
        await index.delete_where('id = "a"')
        page = await MeilisearchBackend(index).search(SearchQuery(text="écoute"), ADULT)

    assert [(method, path) for method, path, _ in requests] == [
        ("POST", "/indexes"),
        ("PATCH", "/indexes/cjeune/settings"),
        ("POST", "/indexes/cjeune/documents?primaryKey=doc_id"),
        ("POST", "/indexes/cjeune/documents/delete"),
        ("POST", "/indexes/cjeune/search"),
    ]
    created, configured, _, deleted, searched = (body for _, _, body in requests)
    assert created == {"uid": "cjeune", "primaryKey": "doc_id"}
    assert configured["sortableAttributes"] == ["_geo", "id"]
    assert configured["distinctAttribute"] == "id"
    assert "_geo" in configured["filterableAttributes"]
    assert configured["typoTolerance"]["enabled"] is True
    assert deleted == {"filter": 'id = "a"'}
    assert searched["q"] == "ecoute"
    assert searched["sort"] == ["id:asc"] and searched["limit"] == 21
    assert [h.title for h in page.hits] == ["Écoute"]
