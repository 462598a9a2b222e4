"""The single table's key schema and indexes, shared by the data layer, CDK and the emulator.

Each index serves named access patterns (keys written by `resolvers/data/`, derived in `listings.py`). An index
holds several kinds of items, kept apart by the prefix of their partition key. Sort keys:
`release` = `releaseDate#createdAt#id` (newest first when read backwards), `title` = the
folded title or name (`resolvers/words.py`), `rank` = `average*10^6 (7 digits)#count (10)#id`
(best first when read backwards; moved in the rating transaction).

| index          | partition key             | sort key          | serves                                            |
|----------------|---------------------------|-------------------|---------------------------------------------------|
| table          | `ARTIST#a` `ALBUM#b` `SONG#s` | the kind      | get one; BatchGetItem (nested fields, pages)  |
| table          | `ARTIST#a`                | `GENRE#g`         | index items: an artist's genres (see byGenre)     |
| table          | `USER#sub`                | `PROFILE`         | a user's profile                                  |
| table          | `USER#sub`                | `RATING#s`        | rate/remove; `Song.myRating` (one BatchGetItem)   |
| table          | `USER#sub`                | `FOLLOW#ARTIST#a` `FOLLOW#GENRE#g` | `myFollows`, email filter policy |
| table          | `USER#sub`                | `NOTE#eventId`    | `notifications` newest first, mark read           |
| table          | `USER#sub`                | `OFFLINE#s`       | the offline library (and its `OFFLINE_COUNT`)     |
| table          | `USER#sub`                | `FEED`            | `feed`: the listener's precomputed picks          |
| table          | `USER#sub`                | `LIKE#KIND#id`    | like/unlike; `liked` (one BatchGetItem)           |
| table          | `USER#sub`                | `PLAY#startedAt#s` | `recentlyPlayed`; a retried play finds itself    |
| table          | `USER#sub`                | `PLAYS`           | history version: plays of one listener in turn    |
| table          | `USER#sub`                | `PLAYCOUNT#s`     | `Song.myPlayCount` (moved with the play)          |
| table          | `USER#sub`                | `ARTISTPLAYS#a`   | the feed's "Because you often play <artist>"      |
| table          | `USER#sub`                | `PLAYQUEUE`       | the play queue; saves conditional on `version`    |
| table          | `PLAYDAY#day`             | `SONG#s`          | a song's plays that UTC day: `charts(WEEK/MONTH)` |
| table          | `EVENT#eventId`           | `EVENT`           | fan-out idempotency: steps done, lease            |
| table          | `PLAYLIST#p`              | `PLAYLIST`        | a playlist's header: owner, visibility, count     |
| table          | `PLAYLIST#p`              | `ENTRY#e`         | an entry by id: remove, move (one item each)      |
| table          | `SHARE#token`             | `SHARE`           | `shared(token)`, revoke; TTL cleans up            |
| table          | `SEARCH#` + 2 first chars | `word#KIND#id`    | `search`: word-prefix Query, then BatchGetItem    |
|                |                           |                   | (KIND: ARTIST, ALBUM, SONG, a PUBLIC PLAYLIST)    |
| byKind         | `ARTIST` `SONG` `ALBUM`   | name / release    | `artists` by name; `songs`, `albums` NEWEST       |
| byKind         | `RATINGS#sub`             | `ratedAt#s`       | `myRatings`, latest first                         |
| byKind         | `LIKES#KIND#sub`          | `likedAt#id`      | `myLikes(kind)`, newest first                     |
| byKind         | `PLAYLISTS#sub`           | `createdAt#p`     | `myPlaylists`, latest created first               |
| byKind         | `SHARES#sub`              | `createdAt#token` | `myShareLinks`, latest first                      |
| byParent       | `ENTRIES#p`               | `position#e`      | `Playlist.entries` in order; an insert's neighbours |
| byParent       | `ARTIST#a`                | `ALBUM#`release   | `Artist.albums`, `albums(artistId)` NEWEST        |
| byParent       | `ALBUM#b`                 | `SONG#track#id`   | `Album.songs`, `songs(albumId)` NEWEST            |
| byParent       | `RATERS#s`                | `USER#sub`        | who rated a song: the feed's similar listeners    |
| byParent       | `UNREAD#sub` (sparse)     | `NOTE#eventId`    | `notifications(unreadOnly)`, unread count         |
| byArtist       | `FOLLOWERS#ARTIST#a`      | `USER#sub`        | fan-out: the followers of an artist               |
| byGenre        | `FOLLOWERS#GENRE#g`       | `USER#sub`        | fan-out: the followers of a genre                 |
| byArtist       | `ARTIST#a`                | release           | `songs(artistId)` NEWEST                          |
| byGenre        | `GENRE#g`                 | release           | `songs(genre)` NEWEST                             |
| byGenre        | `ALBUMS#GENRE#g`          | release           | `albums(genre)` NEWEST                            |
| byGenre        | `ARTISTS#GENRE#g`         | name              | `artists(genre)`: genre items, then BatchGetItem  |
| byTitle        | `SONG` `ALBUM`            | title             | `songs`, `albums` TITLE                           |
| byGenreTitle   | `GENRE#g` `ALBUMS#GENRE#g` | title            | `songs(genre)`, `albums(genre)` TITLE             |
| byArtistTitle  | `ARTIST#a` `ALBUMS#ARTIST#a` | title          | `songs`,`albums(artistId)`; `songs(albumId)`* TITLE |
| byRating       | `SONG`                    | rank              | `songs` TOP_RATED                                 |
| byGenreRating  | `GENRE#g`                 | rank              | `songs(genre)` TOP_RATED                          |
| byArtistRating | `ARTIST#a`                | rank              | `songs(artistId)`, `songs(albumId)`* TOP_RATED    |
| byPlays        | `SONG`                    | `playCount` (N)   | `songs` MOST_PLAYED, `charts(ALL_TIME)`           |
| byGenrePlays   | `GENRE#g`                 | `playCount` (N)   | `songs(genre)` MOST_PLAYED, ALL_TIME genre charts |
| byArtistPlays  | `ARTIST#a`                | `playCount` (N)   | `songs(artistId)`, `songs(albumId)`* MOST_PLAYED  |

A discover page is one Query on the index of its most selective criterion and its order;
the other criteria are a FilterExpression (so a page may be short, `nextToken` still set).
The release and rank keys are also on every song (`GSI1SK`, `GSI8SK`), so a date range or a
minimum rating is a key condition in its own order and a filter in the others. Exceptions,
still at most two calls: `artists(genre)` and `search` read index items then BatchGetItem
the artists (or hits); `songs(albumId)` sorted by TITLE or TOP_RATED reads the album first
to know its artist (*: the album's artist's list, filtered by album). Songs carry their
album's release date (a single: its creation day), so NEWEST needs no join. Projections
are ALL: a page is the items themselves, and the price is that a rating rewrites the song
in each of its ten index entries (see docs/decisions.md).

A notification carries the `byParent` keys only while unread, so that partition holds
exactly the unread ones. Notifications and fan-out records expire through the table's TTL
attribute. Pure constants: imported by Lambda code and by CDK alike.
"""

from __future__ import annotations

PARTITION_KEY = "PK"
SORT_KEY = "SK"
# Epoch seconds after which DynamoDB deletes the item (the table's TimeToLiveSpecification).
TTL_ATTRIBUTE = "expiresAt"

# index name -> (partition key attribute, sort key attribute); string keys but NUMERIC_KEYS, projection ALL
INDEXES: dict[str, tuple[str, str]] = {
    "byKind": ("GSI1PK", "GSI1SK"),
    "byParent": ("GSI2PK", "GSI2SK"),
    "byArtist": ("GSI3PK", "GSI3SK"),
    "byGenre": ("GSI4PK", "GSI4SK"),
    "byTitle": ("GSI5PK", "GSI5SK"),
    "byGenreTitle": ("GSI6PK", "GSI6SK"),
    "byArtistTitle": ("GSI7PK", "GSI7SK"),
    "byRating": ("GSI8PK", "GSI8SK"),
    "byGenreRating": ("GSI9PK", "GSI9SK"),
    "byArtistRating": ("GSI10PK", "GSI10SK"),
    # Sorted by a number the play consumer moves with `ADD` (no key to derive, nothing to rewrite).
    "byPlays": ("GSI1PK", "playCount"),
    "byGenrePlays": ("GSI4PK", "playCount"),
    "byArtistPlays": ("GSI3PK", "playCount"),
}

# Index key attributes that are numbers; every other key attribute is a string.
NUMERIC_KEYS = frozenset({"playCount"})


def key_type(attribute: str) -> str:
    """DynamoDB's attribute type of a key attribute: "N" for a number, else "S"."""
    return "N" if attribute in NUMERIC_KEYS else "S"


def create_table_request(table_name: str) -> dict:
    """Arguments for DynamoDB `CreateTable` (used where CDK is not: tests and the emulator)."""
    attributes = {PARTITION_KEY, SORT_KEY} | {a for keys in INDEXES.values() for a in keys}
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": key_type(a)} for a in sorted(attributes)],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, (pk, sk) in INDEXES.items()
        ],
    }
