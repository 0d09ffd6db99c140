"""Seeding a benchmark instance through its API: media, employers, tags, portfolios."""

from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from PIL import Image, ImageDraw

from bench.common import BenchError

N_MEDIA, N_EMPLOYERS, N_TAGS, N_PORTFOLIOS = 60, 5, 10, 200
TAGS_PER_PORTFOLIO, IMAGES_PER_PORTFOLIO, LINKS_PER_PORTFOLIO, META_PER_PORTFOLIO = 5, 6, 2, 2
IMAGE_SIZE = (400, 300)


class Api:
    """A requests.Session that sends the token and insists on 2xx answers."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.base + path, timeout=60, **kwargs)
        if not 200 <= response.status_code < 300:
            raise BenchError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response

    def post(self, path: str, **kwargs) -> dict:
        return self.call("POST", path, **kwargs).json()


@dataclass
class Seeded:
    media: list[int] = field(default_factory=list)
    employers: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    portfolios: list[int] = field(default_factory=list)


def make_image(index: int) -> tuple[str, bytes, str]:
    """A small picture of its own colours: (file name, bytes, MIME type); every 3rd is a PNG."""
    rng = random.Random(index)
    hue = int(255 * index / N_MEDIA)
    image = Image.new("HSV", IMAGE_SIZE, (hue, 120 + rng.randrange(100), 110 + rng.randrange(120))).convert(
        "RGB"
    )
    draw = ImageDraw.Draw(image)
    width, height = IMAGE_SIZE
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(15, 90)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=colour)
    buffer = io.BytesIO()
    if index % 3 == 2:
        image.save(buffer, "PNG")
        return f"bench-{index:02d}.png", buffer.getvalue(), "image/png"
    image.save(buffer, "JPEG", quality=85)
    return f"bench-{index:02d}.jpg", buffer.getvalue(), "image/jpeg"


def seed_media(api: Api) -> list[int]:
    ids = []
    for index in range(N_MEDIA):
        name, data, mime = make_image(index)
        ids.append(api.post("/api/media", files={"file": (name, data, mime)})["id"])
    return ids


def seed_catalogue(api: Api, media: list[int]) -> tuple[list[int], list[int]]:
    employers = [
        api.post(
            "/api/employers",
            json={
                "name": f"Bench Employer {n}",
                "description": f"Client number {n}, a made-up company for the benchmark.",
                "image": media[n % len(media)],
            },
        )["id"]
        for n in range(1, N_EMPLOYERS + 1)
    ]
    tags = [
        api.post("/api/tags", json={"name": f"bench-tag-{n}", "image": media[(7 * n) % len(media)]})["id"]
        for n in range(1, N_TAGS + 1)
    ]
    return employers, tags


def portfolio_body(index: int, seeded: Seeded, rng: random.Random) -> dict:
    completed = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(days=5 * index)
    return {
        "title": f"Bench portfolio {index:03d}",
        "excerpt": f"Portfolio {index}: a site rebuilt, faster and easier to edit.",
        "description": " ".join(
            f"Paragraph {p} of portfolio {index}: what the client needed, what we built, "
            "how it was tested and shipped, and what changed for its users afterwards."
            for p in range(1, 6)
        ),
        "order": index % 50,
        "image": rng.choice(seeded.media),
        "employer": seeded.employers[index % len(seeded.employers)],
        "tags": rng.sample(seeded.tags, TAGS_PER_PORTFOLIO),
        "images": rng.sample(seeded.media, IMAGES_PER_PORTFOLIO),
        "completed_at": completed.isoformat().replace("+00:00", "Z"),
    }


def seed_portfolio(api: Api, index: int, seeded: Seeded, rng: random.Random) -> int:
    """One portfolio with its links and meta; its id."""
    portfolio = api.post("/api/portfolios", json=portfolio_body(index, seeded, rng))["id"]
    for n in range(1, LINKS_PER_PORTFOLIO + 1):
        api.post(
            f"/api/portfolios/{portfolio}/links",
            json={
                "name": f"Link {n}",
                "url": f"https://example.com/work/{index}/{n}",
                "description": f"Where to see part {n} of portfolio {index}.",
                "image": rng.choice(seeded.media),
            },
        )
    for n in range(1, META_PER_PORTFOLIO + 1):
        api.post(
            f"/api/portfolios/{portfolio}/meta",
            json={
                "key": f"key-{n}",
                "value_text": f"value {n} of {index}",
                "value_file": rng.choice(seeded.media),
            },
        )
    return portfolio


def seed(api: Api) -> Seeded:
    """Everything through the API; prints how long each part took."""
    seeded = Seeded()
    started = time.perf_counter()
    seeded.media = seed_media(api)
    print(f"  {N_MEDIA} images uploaded in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    seeded.employers, seeded.tags = seed_catalogue(api, seeded.media)
    print(f"  {N_EMPLOYERS} employers and {N_TAGS} tags in {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    rng = random.Random(2024)
    seeded.portfolios = [seed_portfolio(api, i, seeded, rng) for i in range(1, N_PORTFOLIOS + 1)]
    elapsed = time.perf_counter() - started
    calls = N_PORTFOLIOS * (1 + LINKS_PER_PORTFOLIO + META_PER_PORTFOLIO)
    print(
        f"  {N_PORTFOLIOS} portfolios with {N_PORTFOLIOS * LINKS_PER_PORTFOLIO} links and "
        f"{N_PORTFOLIOS * META_PER_PORTFOLIO} meta in {elapsed:.1f} s "
        f"({calls} sequential POSTs, {1000 * elapsed / calls:.1f} ms each)"
    )
    return seeded
