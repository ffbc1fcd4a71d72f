"""Request bodies with files, refused before they reach the disk.

Django reads a multipart body when a view (or the CSRF check) first asks for
request.POST, and its handlers store each file in memory or in a temporary file as it
arrives: a 30 MB body from anyone reached /tmp before the 403. FILE_UPLOAD_HANDLERS
are Django's two with these limits in front, which stop reading:

- a body over KOPNET_UPLOAD_MAX_BODY_BYTES, before its first byte (the most one page
  takes: ten documents of 10 MB);
- a body with files from someone signed out, over DATA_UPLOAD_MAX_MEMORY_SIZE: no page
  takes files from visitors;
- a file over KOPNET_UPLOAD_MAX_FILE_BYTES (an agreement document's limit), once that
  much of it has arrived; curators' imports (staff) may be as large as a body.

The refusal is UploadTooLarge, a 413 page in the reader's language (kopnet.views.bad_request).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    pass


class Bounded:
    """The limits, before Django's own handler (memory or temporary file) stores a byte."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.KOPNET_UPLOAD_MAX_BODY_BYTES:
            raise UploadTooLarge("request body over KOPNET_UPLOAD_MAX_BODY_BYTES")
        user = getattr(self.request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if not signed_in and content_length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise UploadTooLarge("files from a visitor who is not signed in")
        self.file_limit = (
            settings.KOPNET_UPLOAD_MAX_BODY_BYTES if signed_in and user.is_staff else settings.KOPNET_UPLOAD_MAX_FILE_BYTES
        )
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data, start):
        # Checked by the handler that stores the file: the memory one passes a large
        # body's chunks on, unread, to the temporary file's, which must close its file.
        stores = getattr(self, "activated", True)
        if stores and start + len(raw_data) > self.file_limit:
            file = getattr(self, "file", None)
            if file is not None:
                file.close()  # what was stored of it goes (a temporary file is deleted)
            raise UploadTooLarge("a file over its limit")
        return super().receive_data_chunk(raw_data, start)


class BoundedMemoryFileUploadHandler(Bounded, MemoryFileUploadHandler):
    pass


class BoundedTemporaryFileUploadHandler(Bounded, TemporaryFileUploadHandler):
    pass
