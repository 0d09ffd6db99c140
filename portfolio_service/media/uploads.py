"""Turning an uploaded stream into stored files and a ``Media`` row, all or nothing."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import string
from collections.abc import Iterator
from typing import BinaryIO

import filetype
from marshmallow import ValidationError
from PIL import Image
from werkzeug.utils import secure_filename

from ..database import utcnow
from .images import ImageError
from .models import Media, Thumbnail
from .storage import Storage
from .thumbnails import Thumbnail as ImageThumbnail
from .thumbnails import make_thumbnails
from .variants import placeholder

#: Types a browser could run as a page or script; never accepted whatever the settings say.
NEVER_ACCEPTED = {
    "image/svg+xml",
    "text/html",
    "application/xhtml+xml",
    "text/javascript",
    "application/javascript",
}
HEADER_BYTES = 8192
CORRUPT_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
MAX_STEM = 100
#: 14 characters of 36: 72 bits, so a stored name cannot be guessed (contract, section 6).
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 14


def clean_name(name: str) -> str:
    """A display name: no directories, no control characters (header injection), at most 255."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if char.isprintable()).strip()[:255]


def storage_stem(name: str) -> str:
    """A safe ASCII file stem from a display name, with a random suffix.

    ``../Résumé 1.pdf`` gives ``Resume_1_k7q2x9m4c1vbn8``.

    The suffix keeps media of drafts and inactive portfolios private until
    someone is given their URL: a cleaned upload name alone could be guessed.
    """
    stem = secure_filename(os.path.splitext(name)[0])[:MAX_STEM].strip("._") or "file"
    return f"{stem}_{random_suffix()}"


def random_suffix() -> str:
    """72 random bits in [a-z0-9]: what ends every stored name (originals, thumbnails, variants)."""
    return "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _size(stream: BinaryIO) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _ends_like_pdf(stream: BinaryIO) -> bool:
    """A PDF ends with ``%%EOF`` (give or take whitespace); a PDF header on other content does not."""
    stream.seek(max(0, _size(stream) - 1024))
    return b"%%EOF" in stream.read()


@contextlib.contextmanager
def written_files(storage: Storage) -> Iterator[list[str]]:
    """Collect the paths written inside the block; delete them all if the block fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for path in written:
            storage.delete(path)
        raise


def store_upload(
    stream: BinaryIO, name: str, filename: str, storage: Storage, config, written: list[str]
) -> Media:
    """Check the content, write the file and its thumbnails, and return the unsaved ``Media``.

    The type comes from the bytes (Pillow for images, ``filetype`` for the
    rest), never from the name or the client's header. The stored file is
    named after the uploaded ``filename``; ``name`` is what the API shows.
    Every path written is appended to ``written`` so the caller can undo it.
    """
    size = _size(stream)
    if size == 0:
        raise _file_error("The submitted file is empty.")

    try:
        result = make_thumbnails(
            stream, config["THUMBNAIL_SIZES"], config["MAX_IMAGE_PIXELS"], config["MAX_DECODE_BYTES"]
        )
    except ImageError as error:
        raise _file_error(str(error)) from None
    if result is not None:
        info, thumbnails = result
        mime, extension = info.mime, info.extension
    else:
        stream.seek(0)
        kind = filetype.guess(stream.read(HEADER_BYTES))
        if kind is None:
            raise _file_error("Unsupported file type.")
        if kind.mime.startswith("image/"):
            # Looks like an image but Pillow could not read it: broken, or a format we do not decode.
            raise _file_error(CORRUPT_IMAGE)
        mime, extension, thumbnails, info = kind.mime, kind.extension, [], None
        if mime == "application/pdf" and not _ends_like_pdf(stream):
            raise _file_error("Upload a valid PDF: this one has no end-of-file marker.")
    if mime in NEVER_ACCEPTED or mime not in config["ACCEPTED_MEDIA_TYPES"]:
        raise _file_error(f"Unsupported file type {mime}.")

    folder = f"core_media/{utcnow():%Y/%m/%d}"
    stream.seek(0)
    path = storage.save(f"{folder}/{storage_stem(filename)}.{extension}", stream, mime)
    written.append(path)
    media = Media(
        name=name,
        path=path,
        type=mime,
        size=size,
        width=info.width if info else None,
        height=info.height if info else None,
        mode=info.mode if info else None,
        thumbnails=save_thumbnails(storage, path, mime, thumbnails, written),
        variants=[],  # made later, by a worker
    )
    if info is not None:
        media.variants_status, media.variants_requested_at = "pending", utcnow()
    if thumbnails:
        # Cheap from the smallest thumbnail, so it is there as soon as the upload answers (with no
        # thumbnails configured, the variants job makes it from the image).
        shown = placeholder(Image.open(io.BytesIO(thumbnails[0].data)))
        media.placeholder_color, media.placeholder_thumbhash = shown["color"], shown["thumbhash"]
    return media


def save_thumbnails(
    storage: Storage, original: str, mime: str, thumbnails: list[ImageThumbnail], written: list[str]
) -> list[Thumbnail]:
    """Store thumbnails beside ``original`` (``.../thumbnails/<stem>_thumbnail_64x64.<ext>``)."""
    folder, _, filename = original.rpartition("/")
    stem, _, extension = filename.rpartition(".")
    rows = []
    for thumbnail in thumbnails:
        edge = thumbnail.size
        path = storage.save(
            f"{folder}/thumbnails/{stem}_thumbnail_{edge}x{edge}.{extension}",
            io.BytesIO(thumbnail.data),
            mime,
        )
        written.append(path)
        rows.append(Thumbnail(size=edge, path=path, width=thumbnail.width, height=thumbnail.height))
    return rows
