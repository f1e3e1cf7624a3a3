"""The viewer rows of the sessions a process has seen, kept only while they are known true.

Every authenticated request needs its viewer: the open session, its user and, for a
delegate, the active delegations with their partners (domain/sessions.load_viewer). Reading
them is one query per request. On PostgreSQL, triggers announce every change to those rows
(migrations/0022_viewer_changes.py) and a listener in each process
(server/viewer_listener.py) tells this cache what to forget, so a session's rows are read
once and then served from memory until something about them changes.

Rules that keep it true:
- it serves nothing unless a listener is connected (`active`); losing the listener empties
  it, so a notification missed while disconnected cannot leave a stale entry behind;
- rows read before a change and stored after it would be stale: every change bumps
  `generation`, and rows are kept only if no change happened while they were read;
- an entry is kept at most `max_age` seconds, a bound for a listener whose connection died
  without anyone noticing (the listener also checks its connection regularly);
- it holds rows (never model instances, which a request may modify): each request hydrates
  its own models from them;
- it is bounded (least recently used dropped first).

A change reaches another process a few milliseconds after its commit (the time for PostgreSQL
to deliver the notification); within one process, `server.viewer_listener.settle()` waits for
what has been committed so far.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

Rows = list[dict[str, Any]]


@dataclass(slots=True)
class _Entry:
    # Ids as text: notifications carry text, and the driver's UUID type is not uuid.UUID.
    user_id: str
    partner_ids: frozenset[str]
    rows: Rows
    stored_at: float


@dataclass(slots=True)
class _TerminalEntry:
    partner_id: str
    row: dict[str, Any]
    stored_at: float


class ViewerCache:
    def __init__(
        self,
        maxsize: int = 10_000,
        max_age: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maxsize = maxsize
        self.max_age = max_age
        self._clock = clock
        self._entries: OrderedDict[UUID, _Entry] = OrderedDict()
        # Payment terminals (domain/terminals/authentication.py): their row with their
        # partner's status, by terminal id, under the same rules.
        self._terminals: OrderedDict[UUID, _TerminalEntry] = OrderedDict()
        self.generation = 0
        self.active = False

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, session_id: UUID, user_id: UUID) -> Rows | None:
        if not self.active:
            return None
        entry = self._entries.get(session_id)
        if entry is None or entry.user_id != str(user_id):
            return None
        if self._clock() - entry.stored_at > self.max_age:
            del self._entries[session_id]
            return None
        self._entries.move_to_end(session_id)
        return entry.rows

    def put(self, session_id: UUID, user_id: UUID, rows: Rows, read_at_generation: int) -> None:
        """Keep rows read while `generation` was `read_at_generation`, if it still is."""
        if not self.active or read_at_generation != self.generation:
            return
        partner_ids = frozenset(str(row["d.partner_id"]) for row in rows if row["d.partner_id"])
        self._entries[session_id] = _Entry(str(user_id), partner_ids, rows, self._clock())
        self._entries.move_to_end(session_id)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def get_terminal(self, terminal_id: UUID) -> dict[str, Any] | None:
        if not self.active:
            return None
        entry = self._terminals.get(terminal_id)
        if entry is None:
            return None
        if self._clock() - entry.stored_at > self.max_age:
            del self._terminals[terminal_id]
            return None
        self._terminals.move_to_end(terminal_id)
        return entry.row

    def put_terminal(self, terminal_id: UUID, row: dict[str, Any], read_at_generation: int) -> None:
        """Keep a terminal's row read while `generation` was `read_at_generation`."""
        if not self.active or read_at_generation != self.generation:
            return
        self._terminals[terminal_id] = _TerminalEntry(str(row["partner_id"]), row, self._clock())
        self._terminals.move_to_end(terminal_id)
        if len(self._terminals) > self.maxsize:
            self._terminals.popitem(last=False)

    def seen_terminal(self, terminal_id: UUID, last_seen_at: Any) -> None:
        """This process wrote the terminal's « last seen » (a change not announced)."""
        entry = self._terminals.get(terminal_id)
        if entry is not None:
            entry.row = {**entry.row, "last_seen_at": last_seen_at}

    def forget_terminal(self, terminal_id: str) -> None:
        self.generation += 1
        self._terminals.pop(UUID(terminal_id), None)

    def forget_user(self, user_id: str) -> None:
        self._forget(lambda entry: entry.user_id == user_id)

    def forget_partner(self, partner_id: str) -> None:
        self._forget(lambda entry: partner_id in entry.partner_ids)
        for terminal_id in [t for t, e in self._terminals.items() if e.partner_id == partner_id]:
            del self._terminals[terminal_id]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._terminals.clear()

    def activate(self) -> None:
        self.clear()
        self.active = True

    def deactivate(self) -> None:
        self.active = False
        self.clear()

    def _forget(self, matches: Callable[[_Entry], bool]) -> None:
        self.generation += 1
        stale = [session for session, entry in self._entries.items() if matches(entry)]
        for session in stale:
            del self._entries[session]


#: This process's cache; server/viewer_listener.py activates it on PostgreSQL.
viewers = ViewerCache()
