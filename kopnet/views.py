from django.db import DatabaseError, connection
from django.http import HttpResponse


def healthz(request):
    """200 when the database answers, 503 when it does not; a tiny body either way."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def home(request):
    raise NotImplementedError
