"""The hand-written SQL of the social features: the feed's posts of followed partners."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from models import sql
from models.social import Post

# Partner by partner through the (partner, created_at, id) index: at most $4 rows per
# followed partner, whatever the size of the table.
LATERAL_POSTS = """
SELECT p.* FROM follows f
CROSS JOIN LATERAL (
  SELECT p.* FROM posts p
  WHERE p.partner_id = f.partner_id AND p.status = 'published'
    AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2::timestamptz, $3::uuid))
  ORDER BY p.created_at DESC, p.id DESC
  LIMIT $4
) p
WHERE f.user_id = $1
ORDER BY p.created_at DESC, p.id DESC
LIMIT $4
"""


async def followed_posts_before(
    user_id: UUID, moment: datetime | None, post_id: UUID | int | None, limit: int
) -> list[Post]:
    """PostgreSQL only: the newest published posts of the partners the user follows, older
    than (moment, post_id) when given."""
    connection = sql.connection()
    # The rows become Post objects in the same round trip (Tortoise's raw-SQL path).
    executor = connection.executor_class(model=Post, db=connection)
    return await executor.execute_select(LATERAL_POSTS, [user_id, moment, post_id, limit])
