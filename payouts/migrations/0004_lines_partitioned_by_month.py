"""Payout lines kept in one partition per month (``payouts_payoutline_YYYY_MM``), by ``period``.

Every month adds a city's worth of lines (2.5 million at ten times the 2020 city) and a month's
runs only ever write that month. In one table, each month's inserts meet the indexes of every
month before, and the month's runs slowed as the table grew (``bench.payouts --months 3`` at
S = 10: 30.6 s, 34.6 s, 38.3 s for April, May and June); with a partition per month they write
into indexes of their own month only (28.9 s, 27.3 s, 28.0 s). ``payouts.partitions`` creates
a month's partition when its first run starts; lines of a month without one (written some other
way) are kept in ``payouts_payoutline_default``.

Django's model is unchanged: the primary key is ``(id, period)`` in the database (PostgreSQL
requires the partition key in it), ``id`` alone in Django, still unique (one identity sequence).
The names of the unique live-line key, the indexes and the checks are the model's.
"""

from django.db import migrations

INDEXES = """
ALTER TABLE {t} ADD CONSTRAINT {t}_pkey PRIMARY KEY ({pk});
CREATE UNIQUE INDEX payout_line_once_per_scheme_month ON {t} (beneficiary_id, period, scheme)
    WHERE NOT (status = 'failed');
CREATE INDEX payout_line_run ON {t} (run_id, id);
CREATE INDEX payout_line_failed ON {t} (run_id) WHERE status = 'failed';
CREATE INDEX payout_line_replaces ON {t} (replaces_id) WHERE replaces_id IS NOT NULL;
"""

FREE_NAMES = """
ALTER TABLE payouts_payoutline RENAME TO {old};
ALTER INDEX payouts_payoutline_pkey RENAME TO {old}_pkey;
ALTER INDEX payout_line_once_per_scheme_month RENAME TO {old}_once;
ALTER INDEX payout_line_run RENAME TO {old}_run;
ALTER INDEX payout_line_failed RENAME TO {old}_failed;
ALTER INDEX payout_line_replaces RENAME TO {old}_replaces;
"""

COPY = """
INSERT INTO payouts_payoutline SELECT * FROM {old};
SELECT setval(pg_get_serial_sequence('payouts_payoutline', 'id'),
              COALESCE((SELECT max(id) FROM payouts_payoutline), 0) + 1, false);
DROP TABLE {old};
DO $$
DECLARE seq text := pg_get_serial_sequence('payouts_payoutline', 'id');
BEGIN  -- the identity's sequence by its usual name again (the old table's held it while both existed)
    IF seq <> 'public.payouts_payoutline_id_seq' AND to_regclass('payouts_payoutline_id_seq') IS NULL THEN
        EXECUTE format('ALTER SEQUENCE %s RENAME TO payouts_payoutline_id_seq', seq);
    END IF;
END $$;
"""

FORWARD = (
    FREE_NAMES.format(old="payouts_payoutline_single")
    + """
CREATE TABLE payouts_payoutline (
    LIKE payouts_payoutline_single INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY
) PARTITION BY RANGE (period);
"""
    + INDEXES.format(t="payouts_payoutline", pk="id, period")
    + """
CREATE TABLE payouts_payoutline_default PARTITION OF payouts_payoutline DEFAULT;
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', period)::date FROM payouts_payoutline_single ORDER BY 1 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF payouts_payoutline FOR VALUES FROM (%L) TO (%L)',
                       'payouts_payoutline_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
    END LOOP;
END $$;
"""
    + COPY.format(old="payouts_payoutline_single")
)

BACKWARD = (
    FREE_NAMES.format(old="payouts_payoutline_partitioned")
    + """
CREATE TABLE payouts_payoutline (
    LIKE payouts_payoutline_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY
);
"""
    + INDEXES.format(t="payouts_payoutline", pk="id")
    + COPY.format(old="payouts_payoutline_partitioned")
)


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0003_run_line_id_range"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
