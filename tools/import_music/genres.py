"""Tag genres onto the catalog's vocabulary (`resolvers/genres.py`): folded, then by synonym.

Tags are free text ("Hip Hop", "R&B", "Electronica; House"): case, accents and punctuation
are folded away, each part of a multi-genre tag is tried in order, and a part maps when it
names a genre or one of its common synonyms. What maps to nothing is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from resolvers.genres import GENRES
from resolvers.words import fold

# folded synonym -> genre id; the genres' own ids and names are added below.
SYNONYMS: dict[str, str] = {
    "hiphop": "hip-hop",
    "rap": "hip-hop",
    "trap": "hip-hop",
    "gangsta rap": "hip-hop",
    "rnb": "rnb",
    "r and b": "rnb",
    "rhythm and blues": "rnb",
    "contemporary rnb": "rnb",
    "electronica": "electronic",
    "edm": "electronic",
    "house": "electronic",
    "techno": "electronic",
    "trance": "electronic",
    "drum and bass": "electronic",
    "dnb": "electronic",
    "dubstep": "electronic",
    "electro": "electronic",
    "synthpop": "pop",
    "dance": "electronic",
    "idm": "electronic",
    "downtempo": "electronic",
    "alternative": "rock",
    "alternative rock": "rock",
    "alt rock": "rock",
    "indie rock": "rock",
    "indie": "rock",
    "hard rock": "rock",
    "classic rock": "rock",
    "progressive rock": "rock",
    "psychedelic rock": "rock",
    "grunge": "rock",
    "rock and roll": "rock",
    "heavy metal": "metal",
    "death metal": "metal",
    "black metal": "metal",
    "thrash metal": "metal",
    "punk rock": "punk",
    "hardcore": "punk",
    "pop rock": "pop",
    "indie pop": "pop",
    "kpop": "pop",
    "jpop": "pop",
    "dance pop": "pop",
    "smooth jazz": "jazz",
    "bebop": "jazz",
    "swing": "jazz",
    "acid jazz": "jazz",
    "baroque": "classical",
    "opera": "classical",
    "orchestral": "classical",
    "chamber music": "classical",
    "classic": "classical",
    "country and western": "country",
    "bluegrass": "country",
    "americana": "country",
    "folk rock": "folk",
    "singer songwriter": "folk",
    "acoustic": "folk",
    "neo soul": "soul",
    "funk": "soul",
    "motown": "soul",
    "gospel": "soul",
    "dub": "reggae",
    "ska": "reggae",
    "dancehall": "reggae",
    "reggaeton": "latin",
    "salsa": "latin",
    "bossa nova": "latin",
    "samba": "latin",
    "tango": "latin",
    "cumbia": "latin",
    "world music": "world",
    "afrobeat": "world",
    "celtic": "world",
    "chillout": "ambient",
    "new age": "ambient",
    "delta blues": "blues",
    "chicago blues": "blues",
}
# "Rock/Pop", "Jazz; Soul", "Electronic, House": several genres in one tag.
_SEPARATORS = re.compile(r"\s*[;/,|]\s*|\\\\")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def folded(tag: str) -> str:
    """Case, accents and punctuation folded away, words kept apart: 'R&B' -> 'r and b', 'Hip-Hop' -> 'hip hop'."""
    text = fold(tag).replace("&", " and ").replace("'n'", " and ").replace("+", " and ")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _table() -> dict[str, str]:
    table = {folded(s): g for s, g in SYNONYMS.items()}
    for genre_id, name in GENRES.items():
        table[folded(genre_id)] = genre_id
        table[folded(name)] = genre_id
    # "Hip Hop", "Hip-Hop" and "HipHop" alike; "R&B", "RnB", "R 'n' B" alike.
    return table | {key.replace(" ", ""): genre for key, genre in table.items()}


_BY_FOLDED = _table()


def map_genre(tags: Iterable[str]) -> str | None:
    """The first genre of the vocabulary that these tag values name, or None."""
    for tag in tags:
        for part in _SEPARATORS.split(tag):
            key = folded(part)
            if key and (key in _BY_FOLDED or key.replace(" ", "") in _BY_FOLDED):
                return _BY_FOLDED.get(key) or _BY_FOLDED[key.replace(" ", "")]
    return None
