"""A brute-force model of `songs(filter, sort)`: what the indexes must agree with, worked out the obvious way."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from resolvers.words import sort_text


def expected_songs(songs: Iterable[dict[str, Any]], criteria: dict[str, Any], sort: str) -> list[str]:
    """The ids `songs(filter: criteria, sort: sort)` must return, in order, from these songs
    (as the API shows them: releaseDate, createdAt, trackNumber, ratingCount, averageRating)."""
    genres = set(criteria.get("genres") or []) or None
    if "genre" in criteria:
        genres = {criteria["genre"]} & genres if genres else {criteria["genre"]}

    def rank(song: dict[str, Any]) -> int:
        average = Decimal(str(song["averageRating"] or 0))
        return int(average * 10**6) if song["ratingCount"] else 0

    def wanted(song: dict[str, Any]) -> bool:
        return (
            (genres is None or song["genre"] in genres)
            and criteria.get("artistId", song["artistId"]) == song["artistId"]
            and criteria.get("albumId", song.get("albumId")) == song.get("albumId")
            and criteria.get("releasedAfter", "0000") <= song["releaseDate"] <= criteria.get("releasedBefore", "9999")
            and (
                "minRating" not in criteria or (song["ratingCount"] and song["averageRating"] >= criteria["minRating"])
            )
        )

    chosen = [s for s in songs if wanted(s)]
    if sort == "NEWEST" and "albumId" in criteria:
        chosen.sort(key=lambda s: s["trackNumber"])
    elif sort == "NEWEST":
        chosen.sort(key=lambda s: (s["releaseDate"], s["createdAt"], s["id"]), reverse=True)
    elif sort == "TITLE":
        chosen.sort(key=lambda s: (sort_text(s["title"]), s["id"]))
    else:
        chosen.sort(key=lambda s: (rank(s), s["ratingCount"], s["id"]), reverse=True)
    return [s["id"] for s in chosen]
