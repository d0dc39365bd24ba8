"""The function of pgtrigger's ``payout_line_is_history`` trigger, left behind when 0007 replaced that trigger
with plain ones (``payout_line_guard``): no trigger calls it. A database made by the squashed migration
never had it; this makes an older database the same."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payouts", "0008_line_payee_institution")]

    operations = [
        migrations.RunSQL(
            "DROP FUNCTION IF EXISTS pgtrigger_payout_line_is_history_1b7af()", reverse_sql=migrations.RunSQL.noop
        ),
    ]
