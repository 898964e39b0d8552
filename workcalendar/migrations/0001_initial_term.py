from django.db import migrations, models


def seed(apps, schema_editor):
    from workcalendar.seed import FIRST_YEAR, LAST_YEAR, special_days

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    SpecialDay = apps.get_model("workcalendar", "SpecialDay")
    rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": "chinesecalendar", "entered_by": "seed"}
        )
        rows += [SpecialDay(date=d, is_workday=w, name=n) for d, w, n in special_days(year)]
    SpecialDay.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        primary_key=True, serialize=False, verbose_name="年份"
                    ),
                ),
                ("source", models.CharField(max_length=32, verbose_name="来源")),
                (
                    "notice",
                    models.CharField(blank=True, max_length=200, verbose_name="国务院办公厅通知"),
                ),
                ("entered_at", models.DateTimeField(auto_now=True)),
                ("entered_by", models.CharField(blank=True, max_length=150)),
            ],
            options={"verbose_name": "已公布年份", "ordering": ["year"]},
        ),
        migrations.CreateModel(
            name="SpecialDay",
            fields=[
                ("date", models.DateField(primary_key=True, serialize=False, verbose_name="日期")),
                ("is_workday", models.BooleanField(verbose_name="上班")),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="名称")),
            ],
            options={"verbose_name": "节假日与调休", "ordering": ["date"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
