"""Garbage-collector settings for a serving process.

CPython's cyclic collector runs its youngest generation every 700 net allocations of container
objects; a GraphQL request allocates thousands (documents, execution contexts, ORM rows), so
a busy worker spent about a tenth of its CPU in the collector, and each full collection walked
every object loaded at start-up (the schema, the models, the libraries) — a pause of tens of
milliseconds in the middle of a till's debit.

Once start-up is done, `settle()` moves what is alive into the permanent generation
(`gc.freeze()`): the collector never walks it again. Later collections then see only what
requests allocate, and the youngest generation is collected less often. Reference counting
still frees almost everything at once; the collector only breaks cycles, which a request
leaves few of.
"""

from __future__ import annotations

import gc

#: Net container allocations before the youngest generation is collected (CPython's default: 700).
YOUNG_THRESHOLD = 20_000


def settle() -> None:
    """Freeze what start-up loaded and space out collections; call once the process is ready."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
