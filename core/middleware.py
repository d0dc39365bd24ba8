from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core.errors import DomainError


class DomainErrorMiddleware:
    """A domain error that escapes a browser view becomes the page its status means."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if exception.status_code == 404:
            raise Http404 from exception
        if exception.status_code == 403:
            raise PermissionDenied from exception
        return render(request, "core/error.html", {"message": exception.message}, status=exception.status_code)
