"""Messages of third-party apps that ship no Indonesian translation.

Never imported: makemessages extracts these into our catalogue, and Django's
translation lookup finds them there when django-import-export renders its pages.
"""

from django.utils.translation import gettext_noop

IMPORT_EXPORT = [
    gettext_noop("Import"),
    gettext_noop("Export"),
    gettext_noop("Confirm import"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("New"),
    gettext_noop("Delete"),
    gettext_noop("Update"),
    gettext_noop("Skipped"),
    gettext_noop("Preview"),
    gettext_noop("Row"),
    gettext_noop("Submit"),
    gettext_noop("Select all"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Non field specific"),
    gettext_noop("Format"),
    gettext_noop("File to import"),
    gettext_noop("Resource"),
    # resource_fields_list.html, above the upload and export forms (with its trailing space).
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("Export selected %(verbose_name_plural)s"),
    gettext_noop(
        "Please correct these errors in your data where possible, then reupload it using the form above."
    ),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'"
    ),
]
