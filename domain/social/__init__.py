"""The social side: partners' posts, likes, follows, favourites, the feed, the département's
highlights and reports on posts.
"""
