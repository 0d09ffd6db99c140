"""Settings: defaults here, then ``instance/config.py``, then the environment."""

import os

#: Settings read from environment variables, with the type each is parsed as.
ENV_SETTINGS = {
    "PORTFOLIO_ENV": str,
    "PORT": str,
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "MEDIA_STORAGE": str,
    "MEDIA_ROOT": str,
    "MEDIA_URL": str,
    "S3_BUCKET": str,
    "S3_ENDPOINT_URL": str,
    "THUMBNAIL_SIZES": lambda value: [int(size) for size in value.split(",")],
    "ACCEPTED_MEDIA_TYPES": lambda value: [t.strip() for t in value.split(",")],
    "MAX_UPLOAD_SIZE": int,
    "MAX_IMAGE_PIXELS": int,
    "MAX_DECODE_BYTES": int,
    "PAGE_SIZE": int,
    "TRUSTED_PROXIES": int,
    "CORS_ORIGINS": lambda value: [o.strip() for o in value.split(",") if o.strip()],
    "ALLOWED_HOSTS": lambda value: [h.strip() for h in value.split(",") if h.strip()],
    "JOBS_URL": str,
    "JOB_RETRY_DELAY": int,
    "VARIANT_WIDTHS": lambda value: [int(width) for width in value.split(",")],
    "VARIANT_FORMATS": lambda value: [f.strip() for f in value.split(",") if f.strip()],
    "VARIANTS_STALE_SECONDS": int,
    "WEBHOOK_DEBOUNCE_SECONDS": float,
    "WEBHOOK_RETRY_SCHEDULE": lambda value: [float(wait) for wait in value.split(",") if wait.strip()],
    "WEBHOOK_TIMEOUT": float,
    "WEBHOOK_ALLOW_PRIVATE": lambda value: value.strip().lower() in {"1", "true", "yes", "on"},
}

DEFAULTS = {
    # "development" lets `make run` seed demo data and print a first admin key.
    "PORTFOLIO_ENV": "production",
    "PORT": "8000",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None means SQLite in the instance folder
    "MEDIA_STORAGE": "local",
    "MEDIA_ROOT": None,  # None means media/ in the instance folder
    "MEDIA_URL": None,  # None means /media/ on this host
    "S3_BUCKET": None,
    "S3_ENDPOINT_URL": None,
    "THUMBNAIL_SIZES": [64, 128, 512, 1080],
    "ACCEPTED_MEDIA_TYPES": [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "application/pdf",
    ],
    "MAX_UPLOAD_SIZE": 20 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 50_000_000,
    # Memory one decode of a non-JPEG image may take (JPEGs decode scaled down).
    "MAX_DECODE_BYTES": 128 * 1024 * 1024,
    "PAGE_SIZE": 20,
    "CORS_ORIGINS": [],
    # The Host names this server answers for ("*" for any); None means the
    # development ones below in development, and a refusal to start in production.
    "ALLOWED_HOSTS": None,
    # How many proxies (load balancer, CDN) stand in front and set X-Forwarded-*.
    "TRUSTED_PROXIES": 0,
    "PASSWORD_HASH_METHOD": "scrypt",
    # The task queue: None is SQLite in the instance folder (jobs.db); or redis://host:6379/0.
    "JOBS_URL": None,
    # Seconds before a failed job's first retry; each next wait doubles (3 retries).
    "JOB_RETRY_DELAY": 10,
    # Responsive images (section 9): full frames at these widths, in these formats plus a
    # fallback (jpeg, or png with transparency); named crops are media/variants.py:CROPS.
    "VARIANT_WIDTHS": [320, 640, 960, 1280, 1920, 2560],
    "VARIANT_FORMATS": ["avif", "webp"],
    # Variants pending longer than this are queued again by the workers' sweep.
    "VARIANTS_STALE_SECONDS": 600,
    # Webhooks (section 10): events within this many seconds of the first go out in one delivery;
    # a failed delivery is tried again after each of these waits, then given up.
    "WEBHOOK_DEBOUNCE_SECONDS": 5.0,
    "WEBHOOK_RETRY_SCHEDULE": [10.0, 60.0, 300.0, 1800.0, 7200.0],
    "WEBHOOK_TIMEOUT": 10.0,
    # Deliveries to loopback, private, link-local and unique-local addresses (development only).
    "WEBHOOK_ALLOW_PRIVATE": False,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # Flask's own JSON body limit is enforced by Werkzeug before the view reads.
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
}


DEVELOPMENT_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


class ConfigError(RuntimeError):
    """The settings are unusable; the app refuses to start."""


def load_config(app, overrides=None):
    """Fill ``app.config`` from defaults, the instance file, the environment, then ``overrides``."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, parse in ENV_SETTINGS.items():
        if name in os.environ:
            app.config[name] = parse(os.environ[name])
    if overrides:
        app.config.from_mapping(overrides)

    config = app.config
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "portfolio.db")
    if not config["MEDIA_ROOT"]:
        config["MEDIA_ROOT"] = os.path.join(app.instance_path, "media")
    config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_SIZE"]

    developing = app.debug or config.get("TESTING") or config["PORTFOLIO_ENV"] == "development"
    if config["ALLOWED_HOSTS"] is None:
        if not developing:
            raise ConfigError(
                "ALLOWED_HOSTS is not set. Set it to the host names the API is reached at "
                "(ALLOWED_HOSTS=api.example.com,www.example.com), or to * behind a proxy that checks Host."
            )
        config["ALLOWED_HOSTS"] = DEVELOPMENT_HOSTS
    # Flask answers 400 to any other Host: it would end up in every file and page URL.
    config["TRUSTED_HOSTS"] = None if "*" in config["ALLOWED_HOSTS"] else config["ALLOWED_HOSTS"]

    if not config["SECRET_KEY"]:
        if not developing:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment or instance/config.py "
                "(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        config["SECRET_KEY"] = "dev-only-not-secret"
