"""X-Userinfo: base64 of a JSON object; its "sub" is the remote user."""
import base64
import json

from django.conf import settings


def decode(raw):
    """The claims of a header value, or None."""
    try:
        info = json.loads(base64.b64decode(raw))
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get(settings.APIGATEWAY_USERINFO_ID_FIELD), str):
        return None
    return info
