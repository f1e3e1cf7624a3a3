"""The viewer cache serves only what it knows to be true (domain/accounts/viewer_cache.py)."""

from __future__ import annotations

import uuid

from domain.accounts.viewer_cache import ViewerCache

USER = uuid.uuid4()
SESSION = uuid.uuid4()
PARTNER = uuid.uuid4()


def rows(partner=PARTNER):
    return [{"u.id": USER, "d.partner_id": partner, "p.id": partner}]


def active_cache(**options) -> ViewerCache:
    cache = ViewerCache(**options)
    cache.activate()
    return cache


def test_it_serves_nothing_until_a_listener_activates_it() -> None:
    cache = ViewerCache()
    cache.put(SESSION, USER, rows(), cache.generation)
    assert cache.get(SESSION, USER) is None and len(cache) == 0

    cache.activate()
    cache.put(SESSION, USER, rows(), cache.generation)
    assert cache.get(SESSION, USER) == rows()


def test_losing_the_listener_empties_it() -> None:
    cache = active_cache()
    cache.put(SESSION, USER, rows(), cache.generation)

    cache.deactivate()
    cache.activate()

    assert cache.get(SESSION, USER) is None


def test_rows_read_before_a_change_are_not_kept() -> None:
    cache = active_cache()
    read_at = cache.generation
    cache.forget_user(str(uuid.uuid4()))  # any change while the rows were being read

    cache.put(SESSION, USER, rows(), read_at)

    assert cache.get(SESSION, USER) is None


def test_a_change_to_the_user_or_to_a_partner_of_theirs_forgets_the_session() -> None:
    cache = active_cache()
    other_session, other_user = uuid.uuid4(), uuid.uuid4()
    cache.put(SESSION, USER, rows(), cache.generation)
    cache.put(other_session, other_user, rows(partner=None), cache.generation)

    cache.forget_partner(str(uuid.uuid4()))
    assert cache.get(SESSION, USER) is not None

    cache.forget_partner(str(PARTNER))
    assert cache.get(SESSION, USER) is None
    assert cache.get(other_session, other_user) is not None

    cache.forget_user(str(other_user))
    assert cache.get(other_session, other_user) is None


def test_a_session_is_served_only_for_its_own_user() -> None:
    cache = active_cache()
    cache.put(SESSION, USER, rows(), cache.generation)

    assert cache.get(SESSION, uuid.uuid4()) is None


def test_an_entry_older_than_max_age_is_read_again() -> None:
    now = [1000.0]
    cache = active_cache(max_age=60, clock=lambda: now[0])
    cache.put(SESSION, USER, rows(), cache.generation)

    now[0] += 59
    assert cache.get(SESSION, USER) is not None
    now[0] += 2
    assert cache.get(SESSION, USER) is None and len(cache) == 0


def test_it_keeps_the_most_recently_used_sessions() -> None:
    cache = active_cache(maxsize=2)
    sessions = [uuid.uuid4() for _ in range(3)]
    cache.put(sessions[0], USER, rows(), cache.generation)
    cache.put(sessions[1], USER, rows(), cache.generation)
    cache.get(sessions[0], USER)
    cache.put(sessions[2], USER, rows(), cache.generation)

    assert len(cache) == 2
    assert cache.get(sessions[1], USER) is None
    assert cache.get(sessions[0], USER) is not None
