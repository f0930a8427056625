"""Each resource's quality as its registry stands (`ResourceQuality`), kept by every load.

Until now a resource was scored on its last load alone, so a 3-row API batch stood for a
registry of a million records. This migration creates the table and measures, once, every
resource that has been loaded, with `registry.quality.measure_registry` — the very function
each load calls at its end (imported, not copied, for the reason migration 0006 gives). It
scans each loaded resource's records once: on a large installation expect it to take about as
long as reading the registries once.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

from yiwang.registry.quality import measure_registry


def measure_loaded_resources(apps, schema_editor=None) -> int:
    """Give every resource with a quality report its registry figures; returns how many."""
    Field = apps.get_model("catalog", "Field")
    QualityReport = apps.get_model("registry", "QualityReport")
    ResourceQuality = apps.get_model("registry", "ResourceQuality")
    last_loads = {}
    for resource_id, load_id in QualityReport.objects.order_by("pk").values_list("resource_id", "load_id"):
        last_loads[resource_id] = load_id  # the latest report of each resource wins
    now = timezone.now()
    for resource_id, load_id in last_loads.items():
        codes = list(
            Field.objects.filter(resource_id=resource_id).order_by("position", "id").values_list("code", flat=True)
        )
        figures = measure_registry(resource_id, codes)
        ResourceQuality.objects.update_or_create(
            resource_id=resource_id,
            defaults={"records": figures.records, "loads": figures.loads, "rows": figures.rows,
                      "completeness": figures.completeness, "validity": figures.validity,
                      "uniqueness": figures.uniqueness, "consistency": figures.consistency,
                      "field_completeness": figures.field_completeness, "last_load_id": load_id,
                      "measured_at": now},
        )  # fmt: skip
    return len(last_loads)



class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
        ('registry', '0006_recompute_composite_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResourceQuality',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('records', models.PositiveBigIntegerField(verbose_name='登记簿记录数')),
                ('loads', models.PositiveIntegerField(verbose_name='计入批次数')),
                ('rows', models.PositiveBigIntegerField(verbose_name='计入行数')),
                ('completeness', models.FloatField(verbose_name='完整性')),
                ('validity', models.FloatField(verbose_name='有效性')),
                ('uniqueness', models.FloatField(verbose_name='唯一性')),
                ('consistency', models.FloatField(verbose_name='一致性')),
                ('field_completeness', models.JSONField(default=dict, verbose_name='各信息项完整率')),
                ('measured_at', models.DateTimeField(verbose_name='计算时间')),
                ('last_load', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.load', verbose_name='最近一次归集')),
                ('resource', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='registry_quality', to='catalog.resource', verbose_name='资源')),
            ],
            options={
                'verbose_name': '资源数据质量',
                'verbose_name_plural': '资源数据质量',
            },
        ),
        # The figures are derived from the records and the reports: dropping the table undoes it.
        migrations.RunPython(measure_loaded_resources, migrations.RunPython.noop),
    ]
