"""mitol-django-apigateway's ApisixUserMiddleware: Django's
RemoteUserMiddleware on X-Userinfo, whose decoded "sub" names the user (a
session whose user is the header's is kept; another is logged out)."""
from django.conf import settings
from django.contrib.auth.middleware import RemoteUserMiddleware

from . import userinfo


class ApisixUserMiddleware(RemoteUserMiddleware):
    header = settings.APIGATEWAY_USERINFO_HEADER_NAME

    def clean_username(self, username, request):
        info = userinfo.decode(username)
        return info[settings.APIGATEWAY_USERINFO_ID_FIELD] if info else ""
