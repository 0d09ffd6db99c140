"""The portfolio blueprint's views, one module per resource; importing them registers their routes."""

from . import employers, links, meta, portfolios, tags  # noqa: F401
