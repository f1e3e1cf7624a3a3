"""What the database enforces for the social network (see migrations/_dialect.py)."""

from tortoise import migrations

from migrations._dialect import check_constraint


class Migration(migrations.Migration):
    dependencies = [("models", "0007_social")]

    operations = [
        check_constraint(
            "partner_profiles",
            "partner_profiles_counts_and_position_are_sane",
            "followers_count >= 0 AND (latitude IS NULL) = (longitude IS NULL)"
            " AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)"
            " AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)",
            "NEW.followers_count >= 0 AND (NEW.latitude IS NULL) = (NEW.longitude IS NULL)"
            " AND (NEW.latitude IS NULL OR NEW.latitude BETWEEN -90 AND 90)"
            " AND (NEW.longitude IS NULL OR NEW.longitude BETWEEN -180 AND 180)",
        ),
        check_constraint(
            "posts",
            "posts_hidden_has_a_reason_and_likes_are_counted",
            "like_count >= 0 AND (status <> 'hidden' OR hidden_reason IS NOT NULL)"
            " AND (offer_kind IS NULL) = (offer_id IS NULL)",
            "NEW.like_count >= 0 AND (NEW.status <> 'hidden' OR NEW.hidden_reason IS NOT NULL)"
            " AND (NEW.offer_kind IS NULL) = (NEW.offer_id IS NULL)",
        ),
        check_constraint(
            "post_images",
            "post_images_at_most_four",
            "position BETWEEN 0 AND 3",
            "NEW.position BETWEEN 0 AND 3",
        ),
        check_constraint(
            "opening_exceptions",
            "opening_exceptions_end_after_start",
            "ends_on >= starts_on",
            "NEW.ends_on >= NEW.starts_on",
        ),
    ]
