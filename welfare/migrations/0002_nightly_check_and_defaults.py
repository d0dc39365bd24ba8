"""Schedule the nightly eligibility check (django-celery-beat's database schedule) and load the
default incompatible benefits (tekun with the living subsidy, tekun with the orphans' allowance).

Both are configuration an administrator may change afterwards (the admin, the welfare
settings page); this migration only creates what is missing.
"""

from django.db import migrations

TASK_NAME = "welfare: nightly eligibility check (18th birthdays and re-checks)"
DEFAULT_INCOMPATIBILITIES = [
    ("disability_living", "tekun", "可配置的默认值：特困供养人员不重复享受困难残疾人生活补贴"),
    ("orphan", "tekun", "可配置的默认值：孤儿基本生活费与特困供养不重复享受"),
]


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="30", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "welfare.nightly_eligibility_check", "crontab": crontab}
    )
    Incompatibility = apps.get_model("welfare", "Incompatibility")
    for a, b, source in DEFAULT_INCOMPATIBILITIES:
        Incompatibility.objects.get_or_create(benefit_a=a, benefit_b=b, defaults={"source": source})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("welfare", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
