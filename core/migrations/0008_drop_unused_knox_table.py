"""knox's default token table, made by its own migrations before they were switched off.

The portal's tokens live in core.ApiToken (KNOX_TOKEN_MODEL); ``knox_authtoken`` was never used,
and its foreign key to core_user made TRUNCATE of the user table (the test database's flush) fail.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_security_event_password_set_no_superusers"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", reverse_sql=migrations.RunSQL.noop),
    ]
