"""The single table's key schema and indexes, shared by the data layer, CDK and the emulator.

Each index serves named access patterns (keys written by `resolvers/store.py`):

| index      | partition key        | sort key                    | serves                                  |
|------------|----------------------|-----------------------------|-----------------------------------------|
| table      | `ARTIST#id` etc.     | `ARTIST` / `ALBUM` / `SONG` | get one item, BatchGetItem for nested   |
| byKind     | `ARTIST` / `SONG`    | name or creation time       | `artists` by name, `songs` newest first |
| byParent   | `ARTIST#a`/`ALBUM#b` | release date / track number | `Artist.albums`, `Album.songs`          |
| byArtist   | `ARTIST#a`           | creation time               | `songs(filter: {artistId})`             |
| byGenre    | `GENRE#g`            | creation time               | `songs(filter: {genre})`                |

Pure constants: imported by Lambda code and by CDK alike.
"""

from __future__ import annotations

PARTITION_KEY = "PK"
SORT_KEY = "SK"

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
