"""What a process remembers: rendered documents and media, each with the version it was built at."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import current_app

DOCUMENTS_CACHED = 4096
MEDIA_CACHED = 16384
#: Parsed, so about 3.6 times a document's bytes (some 45 KB each): writes go to few portfolios at once.
REVISIONS_CACHED = 512


class VersionedCache:
    """Values remembered with the version they were built at; least recently used out first.

    A version is anything compared with ``==``: a number, or (number, ETag) for revisions.
    """

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[Any, tuple[Any, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, version: Any):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key, version: Any, value) -> None:
        with self.lock:
            self.entries[key] = (version, value)
            self.entries.move_to_end(key)
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)


class Caches:
    """One app's rendered documents and media, the documents of portfolios' last revisions, and
    which portfolios have a draft (per app: two apps in one process share nothing)."""

    def __init__(self):
        self.documents = VersionedCache(DOCUMENTS_CACHED)
        self.media = VersionedCache(MEDIA_CACHED)
        self.revisions = VersionedCache(REVISIONS_CACHED)
        #: The ids of the portfolios that have a draft, at ``drafts_version`` (``publishing/drafts.py``).
        self.drafted = VersionedCache(1)


def caches() -> Caches:
    caches = current_app.extensions.get("portfolio_documents")
    if caches is None:
        caches = current_app.extensions["portfolio_documents"] = Caches()
    return caches


def forget_all() -> None:
    """Drop every document and media this app remembers."""
    current_app.extensions.pop("portfolio_documents", None)
