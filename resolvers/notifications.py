"""The in-app inbox: each listener reads and marks only their own notifications."""

from __future__ import annotations

from typing import Any

from resolvers.data import inbox as inbox_data
from resolvers.errors import ValidationError
from resolvers.validation import identifier, page_size

MARK_IDS_MAX = 100


def list_for(user_id: str, limit: Any, next_token: str | None, unread_only: Any) -> dict[str, Any]:
    page = inbox_data.notifications_page(user_id, page_size(limit), next_token, unread_only is True)
    return {"items": page.items, "nextToken": page.next_token}


def unread_count(user_id: str) -> int:
    return inbox_data.count_unread(user_id)


def mark_read(user_id: str, ids: list[Any] | None, all_: Any) -> int:
    """Mark these notifications (or, with all, every unread one) read; returns how many changed."""
    if all_ is True:
        if ids:
            raise ValidationError("give either ids or all: true, not both")
        return inbox_data.mark_notifications_read(user_id, None)
    if ids is None:
        raise ValidationError("give the ids to mark read, or all: true")
    if len(ids) > MARK_IDS_MAX:
        raise ValidationError(f"ids: at most {MARK_IDS_MAX} at a time; use all: true for everything")
    return inbox_data.mark_notifications_read(user_id, [identifier(i, "ids") for i in ids])
