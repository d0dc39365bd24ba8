"""The printed documents' font: Noto Sans SC, shipped inside a pip package, never downloaded.

``justmytype-intl-cjk`` carries Google Fonts' Noto Sans SC as one variable TrueType font (all
weights in one file, 17 MB, SIL Open Font License). fpdf2 embeds a TrueType font as a subset of
the glyphs a document uses, with a ToUnicode map, so the text of every PDF is selectable and
searchable, and prints the same on any machine without fonts of its own.

A PDF needs a fixed weight: ``font_path()`` makes the Regular instance once (fontTools'
instancer, about 20 s on this machine) and keeps it in ``DOCUMENT_FONT_DIR`` (var/fonts); every
later document reads the instance (0.2 s to load). ``python manage.py documents_fonts`` makes it
ahead of time (deployment); several processes at once wait on one file lock and make it once.
"""

from __future__ import annotations

import fcntl
import os
from importlib.resources import files
from pathlib import Path

from django.conf import settings

SOURCE_PACKAGE = "justmytype_intl_cjk"
SOURCE_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
WEIGHT = 400
FAMILY = "NotoSansSC"


def source_path() -> Path:
    return Path(str(files(SOURCE_PACKAGE) / SOURCE_FILE))


def font_path() -> Path:
    """The static Regular instance of Noto Sans SC, made on first use and cached."""
    folder = Path(settings.DOCUMENT_FONT_DIR)
    target = folder / f"{FAMILY}-{WEIGHT}.ttf"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():  # another process may have made it while we waited
            from fontTools.ttLib import TTFont
            from fontTools.varLib import instancer

            font = instancer.instantiateVariableFont(TTFont(source_path()), {"wght": WEIGHT})
            partial = target.with_suffix(f".{os.getpid()}.part")
            font.save(partial)
            partial.replace(target)
    return target
