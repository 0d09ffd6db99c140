"""``flask seed``: demo employers, tags, generated images, portfolios, links and meta."""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image, ImageDraw
from sqlalchemy import delete, select

from ..audit import record
from ..extensions import db
from ..media import get_storage
from ..media.jobs import queue_variants
from ..media.models import Media
from ..media.uploads import store_upload, written_files
from .models import Employer, Link, Meta, Portfolio, Tag
from .writes import unique_slug

#: (name, size, mode, format, colours): images drawn in code, no downloads.
DEMO_IMAGES = [
    ("sunrise.jpg", (1600, 1067), "RGB", "JPEG", ((255, 136, 0), (90, 20, 120))),
    ("ocean.jpg", (1200, 1600), "RGB", "JPEG", ((0, 90, 160), (0, 200, 180))),
    ("forest.png", (900, 600), "RGB", "PNG", ((20, 90, 40), (200, 230, 120))),
    ("logo-alpha.png", (512, 512), "RGBA", "PNG", ((230, 40, 90), (40, 40, 200))),
    ("print-cmyk.jpg", (800, 800), "CMYK", "JPEG", ((250, 200, 0), (0, 120, 200))),
    ("banner.webp", (1920, 640), "RGB", "WEBP", ((30, 30, 30), (240, 90, 60))),
    ("badge.gif", (256, 256), "RGB", "GIF", ((255, 255, 255), (0, 160, 90))),
    ("desk.jpg", (1000, 750), "RGB", "JPEG", ((120, 80, 40), (230, 210, 180))),
]
DEMO_PDF = "case-study.pdf"

EMPLOYERS = [
    ("Digikala", "An online store for everything.", "logo-alpha.png"),
    ("Northwind Traders", "Specialty foods, worldwide.", "badge.gif"),
    ("Contoso Bank", None, "print-cmyk.jpg"),
    ("Fabrikam Studio", "Furniture and interiors.", None),
]
TAGS = [
    ("sites", "forest.png"),
    ("webs", "sunrise.jpg"),
    ("e-commerce", None),
    ("branding", "logo-alpha.png"),
    ("mobile", None),
    ("django", None),
    ("flask", None),
    ("print", "print-cmyk.jpg"),
]
PORTFOLIOS = [
    # title, employer, tags, image, gallery, active, completed (year, month)
    (
        "Wordpress site",
        "Digikala",
        ["sites", "webs"],
        "sunrise.jpg",
        ["sunrise.jpg", "ocean.jpg"],
        True,
        (2024, 12),
    ),
    (
        "Checkout redesign",
        "Digikala",
        ["e-commerce", "webs"],
        "desk.jpg",
        ["desk.jpg", "banner.webp", "forest.png"],
        True,
        (2025, 3),
    ),
    (
        "Brand book",
        "Northwind Traders",
        ["branding", "print"],
        "logo-alpha.png",
        ["logo-alpha.png", "print-cmyk.jpg"],
        True,
        (2023, 6),
    ),
    ("Mobile ordering app", "Northwind Traders", ["mobile"], "ocean.jpg", ["ocean.jpg"], True, (2025, 9)),
    (
        "Online banking portal",
        "Contoso Bank",
        ["django", "webs"],
        "banner.webp",
        ["banner.webp", "desk.jpg"],
        True,
        (2022, 11),
    ),
    ("Annual report", "Contoso Bank", ["print"], "print-cmyk.jpg", [], True, (2024, 2)),
    (
        "Showroom kiosk",
        "Fabrikam Studio",
        ["flask"],
        "forest.png",
        ["forest.png", "sunrise.jpg"],
        True,
        (2021, 5),
    ),
    ("Catalogue site", "Fabrikam Studio", ["sites", "e-commerce"], "desk.jpg", ["desk.jpg"], True, None),
    ("API for partners", None, ["flask", "django"], None, [], True, (2025, 1)),
    (
        "Loyalty programme",
        "Digikala",
        ["mobile", "branding"],
        "badge.gif",
        ["badge.gif", "logo-alpha.png"],
        True,
        (2024, 7),
    ),
    ("Internal dashboard", "Contoso Bank", ["django"], "banner.webp", [], False, None),
    ("Unreleased concept", None, ["branding"], "ocean.jpg", ["ocean.jpg", "forest.png"], False, None),
]


def draw_image(size: tuple[int, int], mode: str, colours: tuple) -> Image.Image:
    """A diagonal gradient between two colours with a few shapes on it."""
    width, height = size
    start, end = colours
    mask = Image.linear_gradient("L").rotate(-35, expand=True).resize(size)
    image = Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)
    draw = ImageDraw.Draw(image)
    for index in range(5):
        radius = min(size) // (4 + index)
        x = int(width * (0.2 + 0.15 * index))
        y = int(height * (0.5 + 0.3 * math.sin(index)))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=(255, 255, 255), width=6)
    draw.rectangle((width // 10, height // 10, width // 3, height // 4), fill=end)
    if mode == "RGBA":
        alpha = Image.radial_gradient("L").resize(size).point(lambda value: 255 - value)
        image.putalpha(alpha)
    return image.convert(mode)


def demo_pdf() -> bytes:
    """A one-page PDF drawn with Pillow."""
    page = draw_image((595, 842), "RGB", ((250, 250, 250), (200, 220, 240)))
    ImageDraw.Draw(page).text((60, 60), "Case study", fill=(20, 20, 20))
    buffer = io.BytesIO()
    page.save(buffer, "PDF")
    return buffer.getvalue()


def _encoded(image: Image.Image, format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format)
    return buffer.getvalue()


def _store(name: str, data: bytes) -> Media:
    storage = get_storage()
    with written_files(storage) as written:
        media = store_upload(io.BytesIO(data), f"Demo: {name}", name, storage, current_app.config, written)
        db.session.add(media)
        db.session.commit()
    queue_variants(media)
    return media


def _by_name(model, column, values):
    return {
        getattr(row, column.key): row for row in db.session.scalars(select(model).where(column.in_(values)))
    }


def seed_demo_data() -> dict[str, int]:
    """Add whatever demo rows are missing; return how many of each were made."""
    made = dict.fromkeys(["media", "employers", "tags", "portfolios", "links", "meta"], 0)

    names = [f"Demo: {name}" for name, *_ in DEMO_IMAGES] + [f"Demo: {DEMO_PDF}"]
    media = {row.name.removeprefix("Demo: "): row for row in _by_name(Media, Media.name, names).values()}
    for name, size, mode, format, colours in DEMO_IMAGES:
        if name not in media:
            media[name] = _store(name, _encoded(draw_image(size, mode, colours), format))
            made["media"] += 1
    if DEMO_PDF not in media:
        media[DEMO_PDF] = _store(DEMO_PDF, demo_pdf())
        made["media"] += 1

    employers = _by_name(Employer, Employer.name, [name for name, *_ in EMPLOYERS])
    for name, description, image in EMPLOYERS:
        if name not in employers:
            employers[name] = Employer(name=name, description=description, image=media.get(image))
            db.session.add(employers[name])
            made["employers"] += 1

    tags = _by_name(Tag, Tag.name, [name for name, _ in TAGS])
    for name, image in TAGS:
        if name not in tags:
            tags[name] = Tag(name=name, image=media.get(image))
            db.session.add(tags[name])
            made["tags"] += 1

    existing = _by_name(Portfolio, Portfolio.title, [title for title, *_ in PORTFOLIOS])
    for order, (title, employer, tag_names, image, gallery, active, completed) in enumerate(PORTFOLIOS):
        if title in existing:
            continue
        slug = unique_slug(title)
        portfolio = Portfolio(
            title=title,
            slug=slug,
            excerpt=f"{title}: what we built and why it worked.",
            order=order,
            image=media.get(image),
            employer=employers.get(employer),
            tags=[tags[name] for name in tag_names],
            is_active=active,
            completed_at=datetime(*completed, 1, tzinfo=timezone.utc) if completed else None,
            description=f"{title} is a demo project. This is a longer text describing the work, the team and "
            "the results.",
            links=[
                Link(name="Live site", url=f"https://{slug}.example.com", description="The project, live."),
                Link(name="Write-up", url=f"https://blog.example.com/{slug}", image=media.get(image)),
            ],
            meta=[
                Meta(key="role", value_text="Design and development"),
                Meta(key="case-study", value_text="The full story, as a PDF.", value_file=media[DEMO_PDF]),
            ],
        )
        portfolio.images = [media[name] for name in gallery]
        db.session.add(portfolio)
        made["portfolios"] += 1
        made["links"] += 2
        made["meta"] += 2
    record("seed", "content", None, {name: [None, count] for name, count in made.items()})
    db.session.commit()
    return made


def clear_content() -> None:
    """Delete every portfolio, employer, tag and media file (users and keys stay)."""
    storage = get_storage()
    paths = [path for media in db.session.scalars(select(Media)) for path in media.paths]
    db.session.commit()  # end the read: the deletes then wait for SQLite's lock instead of failing
    for model in (Portfolio, Employer, Tag, Media):
        db.session.execute(delete(model))
    record("clear", "content", None)
    db.session.commit()
    for path in paths:
        storage.delete(path)


@click.command("seed")
@with_appcontext
@click.option("--reset", is_flag=True, help="Delete all portfolios, employers, tags and media first.")
@click.option("--yes", is_flag=True, help="Do not ask before --reset deletes.")
def seed_command(reset: bool, yes: bool) -> None:
    """Add demo data; running it again adds nothing."""
    if reset:
        if not yes:
            click.confirm("Delete every portfolio, employer, tag and media file?", abort=True)
        clear_content()
        click.echo("Cleared portfolios, employers, tags and media.")
    made = seed_demo_data()
    click.echo("Seeded: " + ", ".join(f"{count} {name}" for name, count in made.items()) + ".")
