"""A starting list of words not allowed in new road names (exaggerated, foreign or feudal-sounding names,
as the State Council's Regulations on Place Names discourage). Place-name officers keep the list."""

from django.db import migrations

DEFAULT_WORDS = [
    ("帝王", "封建帝王色彩"),
    ("皇家", "封建帝王色彩"),
    ("至尊", "夸大"),
    ("霸王", "夸大"),
    ("宇宙", "夸大"),
    ("环球", "夸大"),
    ("天下第一", "夸大"),
    ("曼哈顿", "崇洋媚外"),
    ("威尼斯", "崇洋媚外"),
    ("维也纳", "崇洋媚外"),
]


def add_words(apps, schema_editor):
    BannedWord = apps.get_model("placenames", "BannedWord")
    for word, reason in DEFAULT_WORDS:
        BannedWord.objects.get_or_create(word=word, defaults={"reason": reason})


def remove_words(apps, schema_editor):
    BannedWord = apps.get_model("placenames", "BannedWord")
    BannedWord.objects.filter(word__in=[w for w, _r in DEFAULT_WORDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("placenames", "0001_initial")]

    operations = [migrations.RunPython(add_words, remove_words)]
