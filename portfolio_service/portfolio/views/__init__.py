"""The portfolio blueprint's views, one module per resource; importing them registers their routes."""

from . import drafts, employers, links, meta, portfolios, revisions, share_links, tags  # noqa: F401
