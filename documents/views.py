"""Browser views of attachments: upload (drag-and-drop or pick), replace, remove, download, thumbnail.

Each calls the same selectors and services as the API; refusals come back to the record's page
as a message in the user's language.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, Forbidden, NotFound
from core.security import client_ip
from core.uploads import read_scan
from documents import registry, selectors, services
from documents.apis import _file_response
from documents.models import AttachmentKind

MAX_FILES_AT_ONCE = 20


def _page_of(record) -> str:
    entry = registry.for_record(record)
    return reverse(entry.page, args=[record.pk]) if entry.page else "/"


def _back(record) -> HttpResponseRedirect:
    return HttpResponseRedirect(_page_of(record) + "#attachments")


def _found(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def attach(request, collection: str, pk: int):
    record = _found(selectors.record_get, user=request.user, collection=collection, pk=pk)
    kind = request.POST.get("kind", "")
    files = request.FILES.getlist("file")
    if kind not in AttachmentKind.values:
        messages.error(request, _("Choose what kind of document this is."))
        return _back(record)
    if not files:
        messages.error(request, _("Choose a file to upload."))
        return _back(record)
    if len(files) > MAX_FILES_AT_ONCE:
        messages.error(request, _("At most %(n)d files at once.") % {"n": MAX_FILES_AT_ONCE})
        return _back(record)
    done = 0
    for upload in files:
        try:
            scan = read_scan(upload, limits=services.upload_limits())
            services.attachment_add(
                actor=request.user,
                record=record,
                scan=scan,
                kind=kind,
                file_name=upload.name,
                note=request.POST.get("note", ""),
            )
            done += 1
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, f"{upload.name}: {exc.message}")
    if done:
        messages.success(request, ngettext("%(n)d file attached.", "%(n)d files attached.", done) % {"n": done})
    return _back(record)


@login_required
@require_POST
def replace(request, pk: int):
    attachment, record = _found(selectors.attachment_get, user=request.user, pk=pk)
    upload = request.FILES.get("file")
    try:
        scan = read_scan(upload, limits=services.upload_limits())
        services.attachment_replace(
            actor=request.user, attachment=attachment, record=record, scan=scan, file_name=upload.name
        )
        messages.success(request, _("The file was replaced; the earlier one is kept in the list."))
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(record)


@login_required
@require_POST
def remove(request, pk: int):
    attachment, record = _found(selectors.attachment_get, user=request.user, pk=pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment, record=record)
        messages.success(request, _("The file was removed."))
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(record)


@login_required
@require_GET
def download(request, pk: int):
    attachment, record = _found(selectors.attachment_get, user=request.user, pk=pk)
    handle = services.attachment_download(
        actor=request.user, attachment=attachment, record=record, ip_address=client_ip(request)
    )
    return _file_response(handle, media_type=attachment.media_type, file_name=attachment.original_name)


@login_required
@require_GET
def thumbnail(request, pk: int):
    attachment, record = _found(selectors.attachment_get, user=request.user, pk=pk)
    if not attachment.thumbnail:
        raise Http404
    handle = services.attachment_download(
        actor=request.user, attachment=attachment, record=record, ip_address=client_ip(request), thumbnail=True
    )
    return _file_response(handle, media_type="image/jpeg", file_name=None)
