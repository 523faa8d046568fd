"""The application's routes as a flat list, for the authorization matrix and docs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute


def iter_api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, looking inside included routers however FastAPI nests them."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
            continue
        nested = getattr(route, "original_router", None) or getattr(route, "router", None)
        if nested is not None and hasattr(nested, "routes"):
            yield from iter_api_routes(nested.routes)
