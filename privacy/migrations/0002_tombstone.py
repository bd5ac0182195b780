import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("caseload", "0001_initial"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tombstone",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("case_reference", models.CharField(max_length=12)),
                ("opened_on", models.DateField()),
                ("closed_on", models.DateField()),
                ("anonymised_at", models.DateTimeField()),
                ("counts", models.JSONField(default=dict, help_text="Records anonymised, per record type")),
                ("case", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="tombstone", to="caseload.case")),
                ("run", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="tombstones", to="privacy.retentionrun")),
                ("team", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.team")),
            ],
            options={
                "ordering": ["-anonymised_at", "case_reference"],
            },
        ),
    ]
