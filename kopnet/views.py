from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render

from registry.models import Cooperative, Partner

TOP_PROVINCES = 10


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
    """The registry at a glance: what is verified, where, and a way in."""
    cooperatives = Cooperative.objects.verified()
    return render(
        request,
        "home.html",
        {
            "summary": cooperatives.summary(),
            "top_provinces": cooperatives.top_provinces(TOP_PROVINCES),
            "partner_count": Partner.objects.verified().count(),
        },
    )
