"""Fill Simplified Chinese translations into locale/zh_Hans/LC_MESSAGES/django.po.

    python -m civil_affairs.i18n_fill path/to/translations.json   # {"English msgid": "中文", ...}
    python -m civil_affairs.i18n_fill --missing                     # list msgids still untranslated

Entries whose msgid is a key get that msgstr (a fuzzy guess from msgmerge is replaced);
then ``make messages`` (or ``manage.py compilemessages``) compiles the .mo file.
Plural entries take a list: {"%(n)d person": ["%(n)d 人"]}. An entry with a context (pgettext) is
keyed "context\u0004msgid": {"person\u0004name": "姓名"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def fill(mapping: dict[str, str | list[str]]) -> int:
    po = polib.pofile(str(PO))
    changed = 0
    for entry in po:
        # An entry with a context (pgettext) is keyed "context\u0004msgid", gettext's own convention; a
        # plain key fills such an entry only while it has no translation (it never overwrites one).
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in mapping and entry.msgctxt and not entry.translated():
            key = entry.msgid
        if key not in mapping or entry.obsolete:
            continue
        value = mapping[key]
        if entry.msgid_plural:
            values = value if isinstance(value, list) else [value]
            entry.msgstr_plural = dict(enumerate(values))
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        changed += 1
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    return changed


def missing() -> list[str]:
    po = polib.pofile(str(PO))
    return [
        f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        for e in po
        if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[1] == "--missing":
        for msgid in missing():
            print(json.dumps(msgid, ensure_ascii=False))
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    mapping = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    print(f"{fill(mapping)} entries filled; {len(missing())} still missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
