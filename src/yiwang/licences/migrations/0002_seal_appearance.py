"""A seal keeps its own image: the inscription (印文) and the SVG drawn from it when it was made.
Existing seals get their organisation's current name, drawn now."""

from django.db import migrations, models


def draw_existing(apps, schema_editor):
    from yiwang.licences.face import seal_svg

    IssuingSeal = apps.get_model("licences", "IssuingSeal")
    for seal in IssuingSeal.objects.select_related("organisation").iterator():
        seal.inscription = seal.organisation.name[:40]
        seal.appearance = seal_svg(seal.inscription, element_id=f"seal-{seal.key_id[:12]}")
        seal.save(update_fields=["inscription", "appearance"])


class Migration(migrations.Migration):
    dependencies = [("licences", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="issuingseal",
            name="inscription",
            field=models.CharField(default="", help_text="印章上环绕的文字，制作时确定", max_length=100, verbose_name="印文"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issuingseal",
            name="appearance",
            field=models.TextField(default="", editable=False, verbose_name="印章图像（SVG）"),
        ),
        migrations.RunPython(draw_existing, migrations.RunPython.noop),
    ]
