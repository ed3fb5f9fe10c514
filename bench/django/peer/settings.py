"""The benchmark's Django peer (bench/run.sh, scenarios django-*): a Django
3.2 application that does per request what mitol-django-apigateway's
middleware and backend do, on the benchmark's MariaDB server (its own
database, made by `migrate --run-syncdb`), behind the same lighttpd.

Database from BENCH_DB_SOCKET, BENCH_DB_USER, BENCH_DB_PASSWORD and
BENCH_DJANGO_DB.
"""
import os

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "peer",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peer.middleware.ApisixUserMiddleware",
]
AUTHENTICATION_BACKENDS = ["peer.backend.ApisixRemoteUserBackend"]
AUTH_USER_MODEL = "peer.User"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": os.environ.get("BENCH_DJANGO_DB", "django"),
        "USER": os.environ.get("BENCH_DB_USER", ""),
        "PASSWORD": os.environ.get("BENCH_DB_PASSWORD", ""),
        "HOST": os.environ.get("BENCH_DB_SOCKET", ""),
        "CONN_MAX_AGE": None,  # one connection per worker, kept
        "OPTIONS": {"charset": "utf8mb4"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# What mitol-django-apigateway's settings say, with the same meaning.
APIGATEWAY_USERINFO_HEADER_NAME = "HTTP_X_USERINFO"
APIGATEWAY_USERINFO_ID_FIELD = "sub"
APIGATEWAY_USERINFO_CREATE = True
APIGATEWAY_USERINFO_UPDATE = True
APIGATEWAY_USERINFO_MODEL_MAP = {
    "user_fields": {
        "preferred_username": "username",
        "email": "email",
        "given_name": "first_name",
        "family_name": "last_name",
        "name": "name",
    },
    "additional_models": {
        "peer.UserProfile": [("country_code", "country_code", ""), ("email_optin", "email_optin", False)],
    },
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
