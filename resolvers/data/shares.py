"""Share links: one item per token (`SHARE#token` / `SHARE`), listed by owner on `byKind`
(`SHARES#sub`, `createdAt#token`). The table's TTL attribute deletes a link some time after
it expires; reads check the expiry themselves, since that deletion comes late.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.data.table import Page, client, query_page, table_name, to_item, to_raw, written
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE


def share_key(token: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SHARE#{token}", SORT_KEY: "SHARE"}


def put_share(share: Mapping[str, Any], expires_epoch: int) -> None:
    by_owner = INDEXES["byKind"]
    item = {
        **share_key(share["token"]),
        by_owner[0]: f"SHARES#{share['ownerId']}",
        by_owner[1]: f"{share['createdAt']}#{share['token']}",
        "kind": "SHARE",
        TTL_ATTRIBUTE: expires_epoch,
        **share,
    }
    client().put_item(TableName=table_name(), Item=to_raw(item), ConditionExpression="attribute_not_exists(PK)")


def get_share(token: str) -> dict[str, Any] | None:
    raw = client().get_item(TableName=table_name(), Key=to_raw(share_key(token))).get("Item")
    return to_item(raw) if raw else None


def delete_share(token: str, owner_id: str) -> bool:
    """Revoke: delete the link if the caller made it; False otherwise (or when there was none)."""
    return written(
        "delete_item",
        Key=to_raw(share_key(token)),
        ConditionExpression="ownerId = :me",
        ExpressionAttributeValues=to_raw({":me": owner_id}),
    )


def shares_page(owner_id: str, limit: int, next_token: str | None) -> Page:
    return query_page("byKind", f"SHARES#{owner_id}", limit=limit, next_token=next_token, newest_first=True)
