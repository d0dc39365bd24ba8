"""How attachment events read: a download in the reveal log, storage names and internal columns out of the history."""

from django.utils.translation import gettext_lazy as _

from core import history

DOWNLOAD_REASON = "download"

history.register_sentence(DOWNLOAD_REASON, lambda match: _("Downloaded the file"))
history.register_sentence(r"download thumbnail", lambda match: _("Looked at the thumbnail"))
history.hide(
    "documents.Attachment",
    "file",
    "thumbnail",
    "sha256",
    "media_type",
    "content_type_id",
    "object_id",
    "width",
    "height",
)


def _file_name(pk) -> str:
    from documents.models import Attachment

    if pk in (None, ""):
        return history.EMPTY
    name = Attachment.objects.filter(pk=pk).values_list("original_name", flat=True).first()
    return name or history.EMPTY


history.register_display("documents.Attachment", "replaces_id", _file_name)

history.register_sentence(r"print ([a-z-]+)", lambda match: _("Printed a document that carries it in full"))
