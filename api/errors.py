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

from kopnet.services import StaleVersion


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, StaleVersion):
        exc = PreconditionFailed(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "forbidden":
        exc = exceptions.PermissionDenied(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) in ("stale", "already"):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return exception_handler(exc, context)


class PreconditionFailed(exceptions.APIException):
    """The record changed since the client read it (If-Match named another version)."""

    status_code = 412
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    """The state moved under the request (a party already answered, a partnership
    already verified): nothing was changed."""

    status_code = 409
    default_code = "conflict"
