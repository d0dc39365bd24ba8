from django.db import migrations


class Migration(migrations.Migration):
    """Free space in the per-unit table's pages: a fold updates most of its rows in place (HOT updates)."""

    dependencies = [("dashboard", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE dashboard_paidyear SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE dashboard_paidyear RESET (fillfactor)",
        ),
    ]
