"""NetSuite's collection paging (NS:section_156414087576, NS:section_1540810951).

``limit`` is 1..1000 (default 1000), ``offset`` must be divisible by ``limit`` for record lists;
the body carries links self/first/prev/next/last and count, offset, hasMore, totalResults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from etail.sandbox.netsuite.records.problems import invalid_parameter

MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _integer(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise invalid_parameter(
            f"Invalid value for the query parameter {name!r}: {raw[:40]!r} is not a "
            "non-negative integer.",
            name,
        )
    return int(raw)


def page_of(limit: str | None, offset: str | None, *, divisible: bool = True) -> Page:
    size = _integer(limit, "limit", MAX_LIMIT)
    start = _integer(offset, "offset", 0)
    if not 1 <= size <= MAX_LIMIT:
        raise invalid_parameter(
            f"Invalid value for the query parameter 'limit': use 1 to {MAX_LIMIT}.", "limit"
        )
    if divisible and start % size:
        raise invalid_parameter(
            f"Invalid value for the query parameter 'offset': the offset ({start}) must be "
            f"divisible by the limit ({size}).",
            "offset",
        )
    return Page(size, start)


def collection(
    url: str,
    params: dict[str, str],
    page: Page,
    items: list[dict[str, Any]],
    total: int,
) -> dict[str, Any]:
    """The paging body around ``items`` (already cut to the page)."""

    def link(rel: str, offset: int) -> dict[str, str]:
        query = urlencode({**params, "limit": str(page.limit), "offset": str(offset)})
        return {"rel": rel, "href": f"{url}?{query}"}

    has_more = page.offset + len(items) < total
    last = max(0, (total - 1) // page.limit * page.limit) if total else 0
    links = [link("self", page.offset), link("first", 0)]
    if page.offset > 0:
        links.append(link("prev", max(0, page.offset - page.limit)))
    if has_more:
        links.append(link("next", page.offset + page.limit))
    links.append(link("last", last))
    return {
        "links": links,
        "count": len(items),
        "hasMore": has_more,
        "items": items,
        "offset": page.offset,
        "totalResults": total,
    }
