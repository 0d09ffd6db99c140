"""Uploading through the test client, and looking at the files it stored."""

from __future__ import annotations

import io
import os
import re

from PIL import Image

#: A stored name: the cleaned upload name, a random suffix of 14 [a-z0-9] (72 bits), then
#: for a thumbnail its size, then the extension.
STORED_NAME = re.compile(r"(?P<stem>.+)_(?P<suffix>[a-z0-9]{14})(?P<rest>(?:_thumbnail_\d+x\d+)?\.\w+)")


def unsuffixed(url: str) -> str:
    """The stored file name in ``url`` without its random suffix, which must be there."""
    match = STORED_NAME.fullmatch(url.rsplit("/", 1)[1])
    assert match, f"no random suffix in {url}"
    return match["stem"] + match["rest"]


def upload(client, headers, data: bytes, filename: str = "file.bin", **form):
    return client.post(
        "/api/media",
        data={"file": (io.BytesIO(data), filename), **form},
        headers=headers,
        content_type="multipart/form-data",
    )


def stored_files(app) -> list[str]:
    root = app.config["MEDIA_ROOT"]
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def served(client, url: str, **kwargs):
    """GET a file URL through the app (the response is read whole and closed)."""
    with client.get(url.removeprefix("http://localhost"), **kwargs) as response:
        response.get_data()
    return response


def open_served(client, url: str) -> Image.Image:
    response = served(client, url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.data))
