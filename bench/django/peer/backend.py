"""mitol-django-apigateway's ApisixRemoteUserBackend, as it works: Django's
RemoteUserBackend (get_or_create by USERNAME_FIELD), then, for new and
returning users alike, the mapped user fields saved and each additional
model update_or_create'd."""
from django.apps import apps
from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend

from . import userinfo


class ApisixRemoteUserBackend(RemoteUserBackend):
    create_unknown_user = settings.APIGATEWAY_USERINFO_CREATE

    def authenticate(self, request, remote_user):
        info = userinfo.decode(remote_user) if remote_user else None
        if info is None:
            return None
        request.apisix_userinfo = info
        request.apisix_configured = False
        user = super().authenticate(request, info[settings.APIGATEWAY_USERINFO_ID_FIELD])
        if user is not None and not request.apisix_configured and settings.APIGATEWAY_USERINFO_UPDATE:
            user = self.configure_user(request, user)
        return user

    def configure_user(self, request, user):
        request.apisix_configured = True
        info = request.apisix_userinfo
        model_map = settings.APIGATEWAY_USERINFO_MODEL_MAP
        for claim, field in model_map["user_fields"].items():
            if claim in info:
                setattr(user, field, info[claim])
        user.save()
        for model_name, fields in model_map["additional_models"].items():
            defaults = {field: info.get(claim, default) for claim, field, default in fields}
            apps.get_model(model_name).objects.update_or_create(user=user, defaults=defaults)
        return user
