"""The admin's name, and the ModelAdmins both apps' admins are made of.

Dekopin's curators work here. RegistryAdmin keeps every record's history;
VerifiableAdmin adds spreadsheet import and export (kopnet.imports) and the verify
and reject actions, with one page for an action that needs a note (NoteForm,
admin/kopnet/action_with_note.html).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from kopnet.admin_site import QueueSection
from kopnet.cache import CachedCountPaginator
from kopnet.lists import xlsx_bytes
from kopnet import history, mail, tokens, two_factor
from kopnet.models import ApiToken, OutboxMessage, Revision, RevisionState, Verification
from kopnet.services import (
    StaleVersion,
    curator_save,
    lock,
    pending_revision,
    require_opened_version,
    revision_differences,
    revision_reject,
    revision_verify,
)

admin.site.site_header = _("KopNet — Dekopin")
admin.site.site_title = _("KopNet — Dekopin")
admin.site.index_title = _("Registry administration")
admin.site.enable_nav_sidebar = False  # seven models: the width goes to the lists

# How many of the selected records a note page names.
SHOWN_ON_NOTE_PAGES = 20
# The hidden field of an action's page that carries the version of every record the
# action will decide on, as "pk:version pk:version …": one field whatever their
# number (Django refuses a POST of more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields).
VERSIONS_FIELD = "versions"


def versions_field(pairs):
    """The VERSIONS_FIELD value of (pk, version) pairs."""
    return " ".join(f"{pk}:{version}" for pk, version in pairs)


def seen_versions(request):
    """{pk as text: version as text} that an action's page carried ({} when none).
    The services parse each version (a damaged one is refused, in words)."""
    seen = {}
    for item in request.POST.get(VERSIONS_FIELD, "").split():
        pk, _colon, version = item.partition(":")
        seen[pk] = version
    return seen


class RegistryAdmin(SimpleHistoryAdmin):
    """History for every record, read in words (kopnet.history), and no NUL byte
    reaching the database from a URL.

    The history is read, never restored: django-simple-history's "Revert" would
    save an old version through the change form, past what the services decide (a
    verified record changed without going back to the curators, a refused
    representation approved again). Each version's page stays, read-only; a
    curator who wants an old value back types it into the record's form, which
    goes through the record's service.
    """

    list_per_page = 50
    # Rows of other models shown in a record's history (kopnet.history.RelatedHistory).
    related_histories = ()
    # Links typed without a scheme are https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest(gettext("The address contains a NUL character."))
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete pickers search here too, outside changelist_view.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    # History ----------------------------------------------------------------

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A version's page, to read. A POST (simple-history's revert) changes
        nothing: the page is shown again, with a 403 that says why."""
        request.kopnet_version_page = True  # every field read-only (get_readonly_fields)
        if request.method in ("GET", "HEAD"):
            return super().history_form_view(request, object_id, version_id, extra_context)
        self.message_user(
            request, gettext("An earlier version cannot be restored here: edit the record instead."), messages.ERROR
        )
        request.method = "GET"  # simple-history saves the form of a POST
        response = super().history_form_view(request, object_id, version_id, extra_context)
        response.status_code = 403
        return response

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not getattr(request, "kopnet_version_page", False):
            return fields
        # A version's page shows its values as text, not as inputs nothing saves.
        opts = self.model._meta
        stored = [field.name for field in [*opts.fields, *opts.many_to_many] if field.editable and not field.primary_key]
        declared = flatten_fieldsets(self.fieldsets) if self.fieldsets else list(self.fields or ())
        shown = dict.fromkeys(name for name in [*declared, *stored] if name not in fields and name != "opened_version")
        return [*fields, *shown]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Not simple-history's differences, which read each related record in a
        query of its own: history_entries() reads them once a page."""

    def render_history_view(self, request, template, context, **kwargs):
        if template == self.object_history_template and "page_obj" in context:
            context["entries"] = self.history_entries(context["page_obj"], context["object"])
        return super().render_history_view(request, template, context, **kwargs)

    def history_entries(self, page, obj):
        """The lines of one page of `obj`'s history (kopnet.history.history_entries)."""
        records = list(page.object_list)
        if not records:
            return []
        everything = page.paginator.object_list  # newest first
        # The version before the oldest of the page (the first of the next page):
        # its oldest line's changes are told against it.
        before_last = everything[page.end_index()] if page.has_next() else None
        # The span of the page for the related rows: from the oldest line of the
        # page before (none on the first page) to this page's oldest (none on the last).
        newest = everything[page.start_index() - 2].history_date if page.has_previous() else None
        oldest = records[-1].history_date if page.has_next() else None
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return history.history_entries(
            self.model,
            records,
            before_last,
            related=self.related_histories,
            owner_pk=obj.pk,
            newest=newest,
            oldest=oldest,
            url=lambda record: reverse("%s:%s_%s_simple_history" % info, args=[quote(obj.pk), record.history_id]),
        )


class SearchByQuerySetMixin:
    """The admin search is the public search: the model's QuerySet.search()."""

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "").strip()
        if not search_term:
            return queryset, False
        return queryset.search(search_term), False


class NoteForm(forms.Form):
    """The one field of an action's note page: a rejection's reason, the note that
    verifies a partnership without every confirmation.

    `name` is the field's name in the POST; `required` the message when it is empty.
    """

    def __init__(self, *args, name, label, help_text, required, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name
        self.fields[name] = forms.CharField(
            label=label,
            widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
            max_length=2000,
            help_text=help_text,
            error_messages={"required": required},
        )

    @property
    def note(self):
        return self.cleaned_data[self.name]


class VersionedModelForm(forms.ModelForm):
    """A curator's change form carries the version it was opened on. clean() runs
    inside the admin's transaction: it locks the row and refuses a version that is
    no longer the record's (an official's proposal, a party's answer, another
    curator landed meanwhile), naming what changed, as a form error. The save
    itself goes through kopnet.services.curator_save (VerifiableAdmin.save_model),
    which checks again under the same lock."""

    # Not named `version`: the model field of that name is not editable.
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = lock(type(self.instance)._default_manager, self.instance.pk)
            try:
                require_opened_version(stored, cleaned.get("opened_version"))
            except StaleVersion as error:
                messages = [*error.messages]
                if error.changed:
                    messages.append(gettext("Changed meanwhile: %(fields)s.") % {"fields": ", ".join(error.changed)})
                # The form sent again, once reviewed, carries the version it now shows.
                data = self.data.copy()
                data[self.add_prefix("opened_version")] = stored.version
                self.data = data
                raise ValidationError(messages) from None
        return cleaned

    @property
    def edited_fields(self):
        """The model fields the curator changed on this form (curator_save's `fields`)."""
        return [name for name in self.changed_data if name != "opened_version"]


class DecisionActions:
    """The verify and reject actions of a list of things a curator decides on
    (verifiable records, pending changes): each one through verify_one() and
    reject_one(), which call its locked service; a refusal (it moved meanwhile) is
    told per record. Each action first shows a page listing what it will decide on
    (a rejection also asks its reason there); that page posts the action again,
    with `apply`. For records that carry a version (`versioned`), the page keeps
    the version of each (VERSIONS_FIELD) and the decision is taken at that version:
    a record changed after the page was shown is refused by its service, and one
    the page did not list is not decided on."""

    # The note a rejection asks for (NoteForm's arguments).
    rejection_note = {
        "name": "reason",
        "label": _("Reason for rejection"),
        "help_text": _("Say what is wrong so that the cooperative can correct it."),
        "required": _("A rejection needs a reason."),
    }
    # Whether the records carry a version (kopnet.models' VerifiableModel.version).
    versioned = False

    def to_verify(self, queryset):
        """The selected ones still to verify."""
        return queryset

    def to_reject(self, queryset):
        return queryset

    def shown_versions(self, records):
        """The VERSIONS_FIELD value for these records, as they are now ("" when unversioned)."""
        if not self.versioned:
            return ""
        if isinstance(records, models.QuerySet):
            return versions_field(records.order_by().values_list("pk", "version"))
        return versions_field((obj.pk, obj.version) for obj in records)

    def decide_each(self, request, records, decide):
        """decide(obj, version) for each record, at the version the page showed it
        (None when unversioned); how many it decided on."""
        seen = seen_versions(request) if self.versioned else None
        done = 0
        for obj in records:
            version = None
            if seen is not None:
                version = seen.get(str(obj.pk))
                if version is None:
                    # Selected across the list, it matched only after the page was shown.
                    self.message_user(
                        request,
                        gettext("%(record)s was not on the page you confirmed: select it again.") % {"record": obj},
                        messages.ERROR,
                    )
                    continue
            done += bool(decide(obj, version))
        return done

    @admin.action(description=_("Verify selected records"), permissions=["change"])
    def verify_selected(self, request, queryset):
        """First show the records to verify, each at its version; verify them as shown."""
        records = self.to_verify(queryset)
        count = 0 if "apply" in request.POST else records.count()
        if count:
            return self.note_page(
                request,
                None,
                action="verify_selected",
                title=gettext("Verify %(name_plural)s") % self.counted(count),
                intro=ngettext(
                    "This record will be marked as verified, with your name and the time, as it is listed here.",
                    "These %(counter)s records will be marked as verified, with your name and the time, as they are "
                    "listed here.",
                    count,
                )
                % {"counter": count},
                submit=gettext("Verify"),
                count=count,
                shown=records[:SHOWN_ON_NOTE_PAGES],
                versions=self.shown_versions(records),
            )
        changed = self.decide_each(request, records, lambda obj, version: self.verify_one(request, obj, version=version))
        self.message_user(
            request,
            ngettext("%(count)d %(name)s verified.", "%(count)d %(name_plural)s verified.", changed)
            % self.counted(changed),
            messages.SUCCESS,
        )
        return None

    @admin.action(description=_("Reject selected records (with a reason)"), permissions=["change"])
    def reject_selected(self, request, queryset):
        """First show a page asking for the reason; its form posts the action again."""
        form = NoteForm(request.POST if "apply" in request.POST else None, **self.rejection_note)
        if form.is_valid():
            changed = self.decide_each(
                request,
                self.to_reject(queryset),
                lambda obj, version: self.reject_one(request, obj, form.note, version=version),
            )
            self.message_user(
                request,
                ngettext("%(count)d %(name)s rejected.", "%(count)d %(name_plural)s rejected.", changed)
                % self.counted(changed),
                messages.SUCCESS,
            )
            return None
        if form.is_bound:
            self.message_user(request, gettext("A rejection needs a reason: nothing was rejected."), messages.ERROR)
        count = queryset.count()
        return self.note_page(
            request,
            form,
            action="reject_selected",
            title=gettext("Reject %(name_plural)s") % self.counted(count),
            intro=ngettext(
                "This record will be marked as rejected, with your name, the time and the reason below.",
                "These %(counter)s records will be marked as rejected, with your name, the time and the reason below.",
                count,
            )
            % {"counter": count},
            submit=gettext("Reject"),
            count=count,
            shown=queryset[:SHOWN_ON_NOTE_PAGES],
            versions=self.shown_versions(self.to_reject(queryset)),
        )

    def through_service(self, request, obj, call, logged):
        try:
            call()
        except ValidationError as error:
            said = " ".join(error.messages)
            # Named once: most refusals name their record already.
            self.message_user(request, said if str(obj) in said else f"{obj}: {said}", messages.ERROR)
            return False
        self.log_change(request, obj, logged)
        return True

    def note_page(
        self,
        request,
        form,
        *,
        action,
        title,
        intro,
        submit,
        count,
        shown,
        selected=None,
        select_across=None,
        shown_template=None,
        versions="",
        extra_fields=None,
    ):
        """The page an action shows before it acts, asking for a note when it needs
        one (`form`: a rejection's reason, an override's note; None for none); its
        form posts the action again, with `apply`.

        `shown` are the first of the `count` selected records, each written as
        `shown_template` writes `obj` (by default its name); `versions` the
        VERSIONS_FIELD value of every record the action will decide on;
        `extra_fields` more hidden {name: value} the action reads back. The page
        posts back the records the changelist selected (`selected`, or the POST's
        checkboxes and its "select across" by default).
        """
        if selected is None:
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if select_across is None:
            select_across = request.POST.get("select_across", "0")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "intro": intro,
            "submit": submit,
            "count": count,
            "shown": shown,
            "shown_template": shown_template,
            "selected": selected,
            "select_across": select_across,
            "versions_field": VERSIONS_FIELD,
            "versions": versions,
            "extra_fields": extra_fields or {},
            "action": action,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/kopnet/action_with_note.html", context)

    def counted(self, count):
        opts = self.model._meta
        return {"count": count, "name": opts.verbose_name, "name_plural": opts.verbose_name_plural}


class VerifiableAdmin(DecisionActions, ImportExportMixin, SearchByQuerySetMixin, RegistryAdmin):
    """Import/export and the verify and reject actions of a VerifiableModel, on its
    list and, for a pending record, under its own form (decide_on_change_page).

    Every change of verification goes through verify_one() and reject_one(). At
    national scale the changelist counts only what it filtered: the "N total"
    link would count every row on every page view.
    """

    show_full_result_count = False
    form = VersionedModelForm
    actions = ["verify_selected", "reject_selected"]
    versioned = True
    # Verify and Reject under a pending record's own form, for those who may change it.
    change_form_template = "admin/kopnet/verifiable/change_form.html"
    # The buttons' names, and the actions whose pages answer them on the change page.
    DECISION_BUTTONS = ("_verify", "_reject")
    DECISION_ACTIONS = ("verify_selected", "reject_selected")

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # Counts cached under the data version, deep pages by deferred join.
        return CachedCountPaginator(
            queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page, request=request
        )

    formats = [CSV, XLSX]
    export_form_class = ExportForm
    import_template_name = "admin/kopnet/import.html"
    # What the columns of the file hold, shown above the upload form.
    import_help_template = None
    verification_fields = ("verification", "verified_or_rejected_by", "verification_at", "verification_note")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, {**options}) for name, options in super().get_fieldsets(request, obj)]
        if obj is not None and "opened_version" not in fieldsets[0][1]["fields"]:
            fieldsets[0][1]["fields"] = [*fieldsets[0][1]["fields"], "opened_version"]
        return fieldsets

    def save_model(self, request, obj, form, change):
        """A curator's edit, through its locked service (the form's clean() has
        already refused a stale version as a form error)."""
        version = form.cleaned_data.get("opened_version") if change else None
        curator_save(curator=request.user, record=obj, fields=form.edited_fields, version=version)
        if change and pending_revision(obj) is not None:
            # Its version moved on: that change can no longer be published (tests/test_revisions.py).
            self.message_user(
                request,
                gettext(
                    "A change proposed for %(record)s still waits, but it was proposed before your edit and can no "
                    "longer be published: reject it, and the official proposes it again."
                )
                % {"record": obj},
                messages.WARNING,
            )

    # Deciding from the record's own page -------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and (
            any(button in request.POST for button in self.DECISION_BUTTONS)
            or request.POST.get("action") in self.DECISION_ACTIONS
        ):
            return self.decide_on_change_page(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["decision_buttons"] = self.shows_decision_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def shows_decision_buttons(self, request, obj):
        return (
            obj is not None
            and obj.verification == Verification.PENDING
            and self.has_change_permission(request, obj)
        )

    def decide_on_change_page(self, request, object_id):
        """Verify or Reject pressed under the record's form, or the answer of the
        action's page those buttons lead to (a rejection's reason): the same actions
        as the list's, for this one record, through the same services. The record is
        decided at the version its page showed: changed meanwhile, it is refused in
        words and the page shows it as it is now."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        here = HttpResponseRedirect(request.path)
        if obj.verification != Verification.PENDING:
            self.message_user(
                request,
                gettext("%(record)s no longer waits for verification: nothing was done.") % {"record": obj},
                messages.WARNING,
            )
            return here
        one = self.get_queryset(request).filter(pk=obj.pk)
        action = request.POST.get("action")
        if action in self.DECISION_ACTIONS and "apply" in request.POST:
            # The action's page, sent back: decided at the versions it carried.
            return getattr(self, action)(self.selecting(request, obj), one) or here
        if request.POST.get("opened_version") != str(obj.version):
            self.message_user(
                request,
                gettext("%(record)s changed after you opened it: nothing was done. Read it again as it is now.")
                % {"record": obj},
                messages.ERROR,
            )
            return here
        if "_verify" in request.POST:
            return self.verify_from_change_page(request, obj, one) or here
        # A rejection asks its reason on the action's page, which posts back here.
        return self.reject_selected(self.selecting(request, obj, keep_apply=False), one) or here

    def verify_from_change_page(self, request, obj, one):
        """Verify the record as its page showed it (the page is the confirmation)."""
        if self.verify_one(request, obj, version=request.POST.get("opened_version")):
            self.message_user(request, gettext("%(record)s verified.") % {"record": obj}, messages.SUCCESS)
        return None

    def selecting(self, request, obj, keep_apply=True):
        """The request as the list's action would receive it: `obj` selected."""
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, [str(obj.pk)])
        post["select_across"] = "0"
        if not keep_apply:
            post.pop("apply", None)
        request.POST = post
        return request

    def get_readonly_fields(self, request, obj=None):
        # Verification changes only through the actions, which record who and when.
        return (*super().get_readonly_fields(request, obj), *self.verification_fields, "created_at", "updated_at")

    def to_verify(self, queryset):
        return queryset.exclude(verification=Verification.VERIFIED)

    # The state changes: every action and page above changes a record's
    # verification through these two, and they through the model's locked
    # services, which each admin names (they live in the apps).
    verify_service = None  # (curator=, pk=, version=): e.g. registry.services.cooperative_verify
    reject_service = None  # (curator=, pk=, reason=, version=)

    def verify_one(self, request, obj, version=None):
        """Verify one record through its service, at the `version` the curator was
        shown, and say so in its admin history. True when it did; a refusal (the
        record moved meanwhile) is told in words."""
        return self.through_service(
            request,
            obj,
            lambda: self.verify_service(curator=request.user, pk=obj.pk, version=version),
            gettext("Verified."),
        )

    def reject_one(self, request, obj, reason, version=None):
        """Reject one record with the curator's reason, through its service, at the
        `version` the curator was shown."""
        return self.through_service(
            request,
            obj,
            lambda: self.reject_service(curator=request.user, pk=obj.pk, reason=reason, version=version),
            gettext("Rejected: %(reason)s") % {"reason": reason.strip()},
        )

    @admin.display(description=_("verified or rejected by"))
    def verified_or_rejected_by(self, obj):
        # Plain text: curators may not open user accounts, so a link would only refuse them.
        return obj.verification_by.get_username() if obj.verification_by_id else "-"

    # Import ------------------------------------------------------------------

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        resource_class = self.get_import_resource_classes(request)[0]
        context["import_help_template"] = self.import_help_template
        if context.get("confirm_form") is None:
            # What the upload form shows to a person preparing a file.
            context["import_template_links"] = self.import_template_links()
            context["valid_codes"] = resource_class.valid_codes()
        if context.get("result") is not None:
            context["bad_rows"] = resource_class.bad_rows(context["result"])
            context["bad_rows_columns"] = (resource_class.id_column, resource_class.label_column)
        if not any(fields for _name, fields in context.get("fields_list", [])):
            # django-import-export leaves the list out when the file could not be read.
            resource = resource_class(importing=True)
            context["fields_list"] = [
                (resource.get_display_name(), [field.column_name for field in resource.get_user_visible_fields()])
            ]
        return response

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "importing": True}

    TEMPLATE_EXTENSIONS = ("csv", "xlsx")

    def get_urls(self):
        # Before the admin's own: "<path:object_id>/" would take these addresses.
        template = path(
            "import/template.<str:extension>/",
            self.admin_site.admin_view(self.import_template_view),
            name="%s_%s_import_template" % self.get_model_info(),
        )
        return [template, *super().get_urls()]

    def import_template_view(self, request, extension):
        """The file a person fills in: the importer's columns and an example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if extension not in self.TEMPLATE_EXTENSIONS:
            raise Http404
        resource_class = self.get_import_resource_classes(request)[0]
        return resource_class.template_response(extension, f"{self.opts.model_name}-import-template")

    def import_template_links(self):
        name = "admin:%s_%s_import_template" % self.get_model_info()
        return [(extension.upper(), reverse(name, args=[extension])) for extension in self.TEMPLATE_EXTENSIONS]

    def get_import_data_kwargs(self, **kwargs):
        # Also when confirming: a row that went bad since the preview undoes the whole file.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext("Nothing was imported: the file has errors. Upload it again to see them."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            gettext(
                "This file could not be read in the chosen format. Choose CSV for a UTF-8 "
                "text file with commas, XLSX for an Excel workbook."
            ),
        )

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).for_list()

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The XLSX export as the public lists' workbooks are written
        (kopnet.lists.xlsx_bytes): a sheet named after the list, readable column
        widths, dates as dates, amounts and numbers as numbers. The columns and
        codes stay the importer's: a curator corrects the file and imports it again."""
        if not isinstance(file_format, XLSX):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        # Native values: the widgets give dates and numbers rather than their text.
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return xlsx_bytes(self.opts.verbose_name_plural, data.headers, data)


class RevisionAdmin(DecisionActions, RegistryAdmin):
    """Pending changes to verified records: the curator reads the differences on the
    change's page and publishes it there (it is written to the record, which stays
    verified) or rejects it with a reason the official reads. Publishing is only
    from that page, at the edition read: a change replaced meanwhile is refused.
    The list rejects several at once."""

    list_display = ["record_name", "content_type", "proposed_by", "proposed_at", "state", "changed_fields"]
    list_filter = ["state", "content_type"]
    list_select_related = ["content_type", "proposed_by"]
    fields = ["record_link", "state", "proposed_by", "proposed_at", "differences", "decided_by", "decided_at", "reason"]
    readonly_fields = fields
    actions = ["reject_selected"]
    change_form_template = "admin/kopnet/revision/change_form.html"
    rejection_note = {
        **DecisionActions.rejection_note,
        "help_text": _("Say what is wrong so that the official can correct it."),
    }

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The records the list names: one query for each kind of record on the
        # page, not one for each row (the generic foreign key, prefetched).
        return super().get_queryset(request).prefetch_related("record")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and ("_publish" in request.POST or "_refuse" in request.POST):
            return self.decide(request, object_id)
        # Nothing to save here: the change is decided by the buttons below it.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "reason_form": NoteForm(**self.rejection_note),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide(self, request, object_id):
        revision = self.get_object(request, object_id)
        if revision is None or not self.has_change_permission(request, revision):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        seen = request.POST.get("seen")
        if "_publish" in request.POST:
            done = self.through_service(
                request, revision,
                lambda: revision_verify(curator=request.user, pk=revision.pk, seen=seen),
                gettext("Verified and published."),
            )  # fmt: skip
        else:
            form = NoteForm(request.POST, **self.rejection_note)
            if not form.is_valid():
                self.message_user(request, gettext("A rejection needs a reason: nothing was rejected."), messages.ERROR)
                return HttpResponseRedirect(request.path)
            done = self.reject_one(request, revision, form.note, version=seen)
        if done:
            self.message_user(
                request,
                gettext("%(record)s: the change is %(state)s.")
                % {"record": revision.record, "state": Revision.objects.get(pk=revision.pk).get_state_display().lower()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:kopnet_revision_changelist"))
        return HttpResponseRedirect(request.path)

    @admin.display(description=_("record"))
    def record_name(self, revision):
        # Plain text: the list links this column to the pending change itself.
        return str(revision.record) if revision.record is not None else "-"

    @admin.display(description=_("record"))
    def record_link(self, revision):
        record = revision.record
        if record is None:
            return "-"
        opts = record._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record)

    @admin.display(description=_("changes"))
    def changed_fields(self, revision):
        return ", ".join(revision.changed_labels())

    @admin.display(description=_("differences"))
    def differences(self, revision):
        rows = format_html_join(
            "", "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>", revision_differences(revision)
        )
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("field"), gettext("published now"), gettext("proposed"), rows,
        )  # fmt: skip

    def to_reject(self, queryset):
        return queryset.filter(state=RevisionState.PENDING)

    def reject_one(self, request, revision, reason, version=None):
        """`version`: the base version of the change the curator read on its page;
        None from the list, which rejects whatever the change holds."""
        return self.through_service(
            request,
            revision,
            lambda: revision_reject(curator=request.user, pk=revision.pk, reason=reason, seen=version),
            gettext("Rejected: %(reason)s") % {"reason": reason.strip()},
        )


admin.site.register(Revision, RevisionAdmin)
admin.site.add_to_queue(
    QueueSection(
        order=60,
        label=_("Proposed changes to verified records"),
        model=Revision,
        waiting=lambda: Revision.objects.filter(state=RevisionState.PENDING),
        age_field="proposed_at",
        related=("content_type", "proposed_by"),
        filters={"state__exact": RevisionState.PENDING},
        # Not the record's name: a generic foreign key reads one query a kind of record.
        describe=lambda revision: gettext("%(kind)s #%(id)s, proposed by %(user)s")
        % {
            "kind": revision.content_type.name,
            "id": revision.object_id,
            "user": revision.proposed_by.get_username() if revision.proposed_by_id else "-",
        },
    )
)


class OutboxState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"
    STATES = {
        "waiting": Q(sent_at__isnull=True, failed_at__isnull=True),
        "sent": Q(sent_at__isnull=False),
        "failed": Q(sent_at__isnull=True, failed_at__isnull=False),
    }

    def lookups(self, request, model_admin):
        return [("waiting", _("waiting")), ("sent", _("sent")), ("failed", _("given up"))]

    def queryset(self, request, queryset):
        return queryset.filter(self.STATES[self.value()]) if self.value() in self.STATES else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The mail queue (kopnet/mail.py) for curators: what waits, what was sent, what the
    queue gave up on and why, and "send again" once the mail server is fixed.

    A message's body is never shown: a password reset's holds a link that lets its
    reader choose the recipient's password. Nothing is edited here; only superusers
    delete.
    """

    list_display = ("subject", "recipients", "state", "attempts", "next_attempt_at", "created_at")
    list_filter = (OutboxState,)
    search_fields = ("subject", "to")
    ordering = ("-created_at", "-pk")
    fields = (
        "subject", "recipients", "state", "created_at", "attempts", "next_attempt_at", "sent_at", "failed_at",
        "last_error",
    )  # fmt: skip
    readonly_fields = fields
    actions = ["send_again_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        return request.user.has_perm("kopnet.change_outboxmessage")

    @admin.display(description=_("to"))
    def recipients(self, message):
        return ", ".join(message.to + message.cc + message.bcc)

    @admin.display(description=_("state"))
    def state(self, message):
        if message.sent_at:
            return gettext("sent")
        return gettext("given up") if message.failed_at else gettext("waiting")

    @admin.action(description=_("Send the selected messages again"), permissions=["send_again"])
    def send_again_selected(self, request, queryset):
        count = mail.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message is back in the queue.", "%(count)d messages are back in the queue.", count
            ) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every person's API tokens for curators: whose, what for, read-write or not, when
    last used; revoked through kopnet.tokens.token_revoke. The key itself is nowhere
    (only its digest is kept, and not shown); tokens are made by their owners."""

    list_display = ("name", "user", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("can_write", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    ordering = ("-created_at", "-pk")
    fields = ("name", "user", "prefix", "can_write", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_by")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked token stays, to read who revoked it and when

    def has_revoke_permission(self, request):
        return request.user.has_perm("kopnet.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for pk in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True):
            try:
                tokens.token_revoke(user=request.user, token_id=pk)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
            else:
                revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked) % {"count": revoked},
            messages.SUCCESS if revoked else messages.WARNING,
        )


class SecondFactorForm(forms.ModelForm):
    """django-otp's device form, with the rule the database holds (one confirmed
    device an account: kopnet.two_factor) said in words instead of an error page."""

    def clean(self):
        cleaned = super().clean()
        user, confirmed = cleaned.get("user"), cleaned.get("confirmed")
        if user is None or not confirmed:
            return cleaned
        # The admin's change form runs in one transaction: the account's row stays
        # locked until the save, so two administrators at once cannot both pass.
        two_factor.lock_account(user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=self.instance.pk).exists():
            raise ValidationError(gettext("This account has a confirmed second factor already: delete it first."))
        return cleaned


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class SecondFactorAdmin(TOTPDeviceAdmin):
    form = SecondFactorForm
