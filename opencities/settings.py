"""Settings for the Open Cities Toolkit, read from environment variables.

Everything a city needs to change lives in the environment, so one installed package serves
a laptop demo and a production server alike:

- ``OPENCITIES_HOME``: the data folder (database, secret key, uploads); default ``./var``.
- ``DATABASE_URL``: any URL dj-database-url understands; default an SQLite file in the data folder.
- ``SECRET_KEY``: when unset, one is generated on first run and kept in the data folder.
- ``DEBUG``: off unless set to 1/true/yes.
- ``ALLOWED_HOSTS``: comma-separated; default local addresses only.
- ``CSRF_TRUSTED_ORIGINS``: comma-separated origins, for deployments behind a proxy.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from opencities.private import kept_secret, private_folder

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The data folder holds the database, uploads and keys: its owner alone may read it.
HOME = private_folder(Path(os.environ.get("OPENCITIES_HOME", "var")).resolve())

# Given, or generated once and kept in the data folder so sessions survive restarts.
SECRET_KEY = os.environ.get("SECRET_KEY") or kept_secret(HOME / "secret_key", 50)
DEBUG = env_flag("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_filters",
    "channels",
    "opencities.accounts",
    "opencities.inventory",
    "opencities.projects",
    "opencities.maps",
    "opencities.canvases",
    "opencities.workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before anything that reads the request's language (CommonMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "opencities.urls"
ASGI_APPLICATION = "opencities.asgi.application"

# How live workshop rooms reach every connected browser (workshops/consumers.py). In memory by
# default: right for one server process. Set REDIS_URL (e.g. redis://localhost:6379/0) to pass
# messages through Redis, so several server processes, or hosts, serve the same workshop.
# Messages a connection may have waiting before the layer drops more (Channels' default is 100):
# a room of a hundred people sends each newcomer a hundred presence replies at once.
CHANNEL_CAPACITY = 1000
if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "capacity": CHANNEL_CAPACITY},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY},
        }
    }

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGES for the switcher
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencities.accounts.context_processors.workspaces",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{HOME / 'opencities.sqlite3'}",
        # Under ASGI each request may run in another thread: persistent connections would leak.
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE avoids lock upgrades that
    # fail with "database is locked" when two requests write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# British English is the default; people switch language in the page footer (a cookie keeps the
# choice) or get it from their browser. Each language is named in itself, so anyone can find theirs.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("es", "Español")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # a choice made once is kept, not lost with the browser
# Each app keeps its own translations in <app>/locale; this folder holds those of the shared
# templates (templates/), the settings and the map editor's script (static/).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # `opencities manage collectstatic` fills it for a proxy to serve
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILTERS_EMPTY_CHOICE_LABEL = _("Any")

UPLOAD_DIR = HOME / "uploads"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMPORT_BYTES = int(os.environ.get("OPENCITIES_MAX_IMPORT_BYTES", 50 * 1024 * 1024))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_flag("OPENCITIES_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
