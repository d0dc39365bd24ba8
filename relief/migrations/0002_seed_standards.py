"""Ship the entries every installation needs before an administrator has entered anything.

* Temporary relief annual cap per household: 20,000.00 from 2014-01-01, 30,000.00 from
  2020-01-01 (the bureau's 2020 H1 report: raised from 20,000 to 30,000 on 1 January 2020).
* The small-claim threshold a sub-district may approve: a city-wide default of 1,000.00
  (a demo value) that applies to every district until the district has its own entry.
* The price-linkage rule: CPI rise 3.5% or food CPI rise 6%, either; the amount follows the
  CPI; dibao and tekun recipients covered.

The values are frozen here (a migration must not change with the app's code). The dibao
and tekun standards are demo values loaded by ``manage.py seed_demo``.
"""

from decimal import Decimal

from django.db import migrations

STANDARDS = [
    ("temporary_relief_cap", "2014-01-01", "20000.00", "临时救助年累计救助金额上限"),
    ("temporary_relief_cap", "2020-01-01", "30000.00", "2020年上半年工作总结：1月1日起由2万元提高到3万元"),
    ("temporary_relief_small_claim", "2014-01-01", "1000.00", "demo value (演示数据); city-wide default for every district"),
]


def seed(apps, schema_editor):
    Standard = apps.get_model("relief", "Standard")
    PriceSubsidyRule = apps.get_model("relief", "PriceSubsidyRule")
    for scheme, day, amount, source in STANDARDS:
        Standard.objects.get_or_create(
            scheme=scheme,
            area_type="",
            division=None,
            effective_from=day,
            defaults={"amount": Decimal(amount), "source": source},
        )
    if not PriceSubsidyRule.objects.exists():
        PriceSubsidyRule.objects.create(
            effective_from="2016-01-01",
            cpi_threshold=Decimal("3.5"),
            food_cpi_threshold=Decimal("6.0"),
            amount_index="cpi",
            floor=Decimal("0"),
            covered_groups=["dibao", "tekun"],
            source="全国社会救助和保障标准与物价上涨挂钩联动机制（CPI 3.5%或食品CPI 6%）",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("relief", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
