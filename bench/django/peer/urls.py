from django.http import HttpResponse
from django.urls import re_path


def hello(request):
    """The demo page: 45 bytes, as the file the other scenarios serve."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponse("<!doctype html><title>bench</title><p>hello\n", content_type="text/html")


urlpatterns = [re_path(r"^app/", hello)]
