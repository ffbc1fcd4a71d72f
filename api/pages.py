"""/data/: the open data snapshots (api.opendata) listed, and each one's files downloaded."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from api import opendata


def open_data(request):
    """The snapshots kept, newest first, with how to use and cite them. Read from the
    snapshots' small manifests at each request: a new one shows at once (no cache)."""
    context = {
        "snapshots": opendata.snapshots(),
        "keep": settings.KOPNET_OPEN_DATA_KEEP,
        "tables": [table.name for table in opendata.tables()],
        "site_url": settings.SITE_URL.rstrip("/") + "/data/",
    }
    return render(request, "api/open_data.html", context)


def open_data_file(request, name):
    """A listed snapshot's zip or checksum; any other name is a 404 (never a path)."""
    path = opendata.download(name)
    if path is None:
        raise Http404
    try:
        file = open(path, "rb")
    except FileNotFoundError:  # deleted by a newer snapshot since it was listed
        raise Http404 from None
    content_type = "application/zip" if name.endswith(".zip") else "text/plain; charset=utf-8"
    return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
