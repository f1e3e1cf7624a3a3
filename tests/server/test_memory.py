"""A serving process freezes what start-up loaded and spaces out young collections."""

import gc

import pytest

from server.memory import YOUNG_THRESHOLD, settle


@pytest.fixture
def collector_restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_start_up_objects_and_raises_the_young_threshold(collector_restored) -> None:
    loaded_at_start_up = [[] for _ in range(10)]  # containers: what the collector tracks
    _, middle, old = gc.get_threshold()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0

    settle()

    assert gc.get_freeze_count() >= len(loaded_at_start_up)
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
