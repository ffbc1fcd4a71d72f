"""Every refusal of the API as JSON, in the reader's language (Accept-Language):
DRF's handler, with the refusals Django raises said in DRF's words ("Not found.",
translated, rather than Django's English "No Cooperative matches the given query"),
and the rules the models and services enforce (a Django ValidationError) as a 400
at their fields."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return exception_handler(exc, context)
