"""The contract's field lists, in the source page's order."""

PORTFOLIO_KEYS = [
    "id", "title", "slug", "excerpt", "order", "image_data", "employer_data", "tags_data", "links_data",
    "is_active", "completed_at", "created_at", "updated_at", "description", "images_data", "meta",
    "publish_at", "unpublish_at", "has_draft",  # section 8's, after the source's sixteen
]  # fmt: skip
MEDIA_KEYS = [
    "id",
    "type",
    "name",
    "size",
    "human_readable_size",
    "f",
    "width",
    "height",
    "mode",
    "thumbnails",
    # section 9: after the source's fields
    "alt",
    "focal_point",
    "placeholder",
    "variants",
    "variants_status",
]
