"""The single table's key schema and indexes, shared by the data layer, CDK and the emulator.

Each index serves named access patterns (keys written by `resolvers/store.py`); an index
holds several kinds of items, kept apart by the prefix of their partition key:

| index    | partition key          | sort key                             | serves                                    |
|----------|------------------------|--------------------------------------|-------------------------------------------|
| table    | `ARTIST#id` etc.       | `ARTIST` / `ALBUM` / `SONG`          | get one item, BatchGetItem for nested     |
| table    | `USER#sub`             | `PROFILE`                            | a user's profile and email settings       |
| table    | `USER#sub`             | `FOLLOW#ARTIST#a` / `FOLLOW#GENRE#g` | `myFollows`, the email filter policy      |
| table    | `USER#sub`             | `NOTE#eventId` (time-ordered)        | `notifications` newest first, mark read   |
| table    | `EVENT#eventId`        | `EVENT`                              | fan-out idempotency: steps done, lease    |
| byKind   | `ARTIST` / `SONG`      | name or creation time                | `artists` by name, `songs` newest first   |
| byParent | `ARTIST#a` / `ALBUM#b` | release date / track number          | `Artist.albums`, `Album.songs`            |
| byParent | `UNREAD#sub` (sparse)  | `NOTE#eventId`                       | `notifications(unreadOnly)`, unread count |
| byArtist | `ARTIST#a`             | creation time                        | `songs(filter: {artistId})`               |
| byArtist | `FOLLOWERS#ARTIST#a`   | `USER#sub`                           | fan-out: the followers of an artist       |
| byGenre  | `GENRE#g`              | creation time                        | `songs(filter: {genre})`                  |
| byGenre  | `FOLLOWERS#GENRE#g`    | `USER#sub`                           | fan-out: the followers of a genre         |

A notification carries the `byParent` keys only while unread, so that partition holds
exactly the unread ones. Notifications and fan-out records expire through the table's TTL
attribute. Pure constants: imported by Lambda code and by CDK alike.
"""

from __future__ import annotations

PARTITION_KEY = "PK"
SORT_KEY = "SK"
# Epoch seconds after which DynamoDB deletes the item (the table's TimeToLiveSpecification).
TTL_ATTRIBUTE = "expiresAt"

# index name -> (partition key attribute, sort key attribute); all string keys, projection ALL
INDEXES: dict[str, tuple[str, str]] = {
    "byKind": ("GSI1PK", "GSI1SK"),
    "byParent": ("GSI2PK", "GSI2SK"),
    "byArtist": ("GSI3PK", "GSI3SK"),
    "byGenre": ("GSI4PK", "GSI4SK"),
}


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
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
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
