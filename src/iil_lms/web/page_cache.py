"""Rendered parts of heavy pages, kept in-process under a key that changes whenever what
they show changes (a fingerprint read from the database on every request, plus the
language, the day, the filters and the reader's role), so a repeat view costs the
fingerprint's one query and no rebuilding.

The database fingerprint covers changes made by any process. What it cannot see (a
person's or a circle's new name) is covered in this process by clearing every cache
when such a row is flushed through the ORM (`clear_on_flush`)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

_V = TypeVar("_V")
_caches: list[PageCache[Any]] = []
_watched: tuple[type, ...] = ()


class PageCache(Generic[_V]):
    """A small least-recently-used map, safe across the thread pool's threads."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, _V] = OrderedDict()
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: Hashable) -> _V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: _V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def clear_all() -> None:
    for cache in _caches:
        cache.clear()


def clear_on_flush(*models: type) -> None:
    """Clear every page cache when a row of one of `models` is added, changed or
    deleted through the ORM in this process."""
    global _watched
    _watched = tuple({*_watched, *models})


@event.listens_for(OrmSession, "after_flush")
def _flushed(session: OrmSession, _context: Any) -> None:
    if not _watched:
        return
    for collection in (session.new, session.dirty, session.deleted):
        if any(isinstance(obj, _watched) for obj in collection):
            clear_all()
            return
