"""The controlled genre vocabulary: filters, follows and releases rely on its stable ids.

It sits below the catalog, releases, follows, discover and the feed, which all check or
name genres, so none of them needs to import another for it.
"""

from __future__ import annotations

from typing import Any

from resolvers.errors import ValidationError

GENRES: dict[str, str] = {
    "ambient": "Ambient",
    "blues": "Blues",
    "classical": "Classical",
    "country": "Country",
    "electronic": "Electronic",
    "folk": "Folk",
    "hip-hop": "Hip-Hop",
    "jazz": "Jazz",
    "latin": "Latin",
    "metal": "Metal",
    "pop": "Pop",
    "punk": "Punk",
    "reggae": "Reggae",
    "rnb": "R&B",
    "rock": "Rock",
    "soul": "Soul",
    "world": "World",
}


def genre(value: Any, field: str = "genre") -> str:
    if value not in GENRES:
        raise ValidationError(f"{field}: unknown genre {value!r}; see the `genres` query")
    return value


def list_genres() -> list[dict[str, str]]:
    return [{"id": key, "name": name} for key, name in GENRES.items()]
