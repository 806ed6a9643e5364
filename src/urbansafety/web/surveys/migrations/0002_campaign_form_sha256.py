import hashlib

from django.db import migrations, models


def fill_hashes(apps, schema_editor):
    Campaign = apps.get_model("surveys", "Campaign")
    for campaign in Campaign.objects.all():
        campaign.form_sha256 = hashlib.sha256(bytes(campaign.form_xlsx)).hexdigest()
        campaign.save(update_fields=["form_sha256"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="form_sha256",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fill_hashes, migrations.RunPython.noop),
    ]
