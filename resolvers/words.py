"""Text folded for sorting and searching: case- and accent-insensitive, word by word.

Titles sort, and names are found, the way a listener types them: "beyo" finds "Beyoncé",
"Ångström" sorts with the a's. The same folding builds the index keys (resolvers/data/listings.py) and reads
the query (search), so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters and digits; apostrophes join ("Don't" is one word, "dont").
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")
# Search partitions are the first two characters of a word: shorter words are not indexed.
MIN_WORD = 2
MAX_WORDS = 16  # distinct words indexed per name; titles rarely have more
# Folding can lengthen a name many times over (U+FDFA is 18 letters and spaces under NFKD),
# and index keys hold folded text: these bounds keep any key within DynamoDB's 1,024 bytes.
MAX_WORD = 100  # characters of a word that index and query keep (at most 400 bytes)
MAX_SORT_BYTES = 600  # of the form a title sorts by


def fold(text: str) -> str:
    """Casefolded, NFKD-decomposed, without combining marks: 'Beyoncé' -> 'beyonce'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def all_words(text: str) -> list[str]:
    """Every folded word (its first MAX_WORD characters), in order, repeats and short words included."""
    return [word[:MAX_WORD] for word in _WORD.findall(fold(text).translate(_APOSTROPHES))]


def sort_text(text: str) -> str:
    """The form a title sorts by: its folded words, single-spaced, punctuation dropped; its
    first MAX_SORT_BYTES bytes, as titles alike that far may sort either way."""
    folded = " ".join(all_words(text)) or fold(text).strip()
    return folded.encode()[:MAX_SORT_BYTES].decode(errors="ignore")


def index_words(text: str) -> list[str]:
    """The distinct words a name is found by (at least two characters, at most MAX_WORDS)."""
    return [w for w in dict.fromkeys(all_words(text)) if len(w) >= MIN_WORD][:MAX_WORDS]
