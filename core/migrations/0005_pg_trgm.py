"""Search (core/search.py): the pg_trgm extension, for the trigram indexes of longer free text (addresses).

The name indexes (GIN on the characters of a name, ``core.search.Chars``) live in each app's
migrations; they need no extension and no function of ours: ``string_to_array(lower(name), NULL)``.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0004_security_unlock_event")]

    operations = [
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm;", reverse_sql=migrations.RunSQL.noop),
    ]
