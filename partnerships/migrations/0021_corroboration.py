"""Each partnership's corroboration level (issue 13), derived from its cooperative
parties' answers and its published documents (partnerships.models.corroboration_of,
kept by Partnership.refresh_derived()). Existing rows are given theirs here: the
column is added as "confirmed" (PostgreSQL fills it without rewriting the table),
then the few partnerships a cooperative has not confirmed become "declared" and the
confirmed ones with a published document "documented"."""

from django.conf import settings
from django.db import migrations, models

from kopnet.sqlite_rebuild import keeping_sqlite_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0020_new_entity_partner'),
        ('registry', '0024_proposal_version_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = keeping_sqlite_triggers("partnerships_partnership", [
        migrations.AddField(
            model_name='historicalpartnership',
            name='corroboration',
            field=models.CharField(choices=[('declared', 'Declared'), ('confirmed', 'Confirmed'), ('documented', 'Documented')], default='declared', editable=False, help_text="Derived from the cooperative parties' answers and the published documents, never typed.", max_length=10, verbose_name='corroboration'),
        ),
        migrations.AddField(
            model_name='partnership',
            name='corroboration',
            field=models.CharField(choices=[('declared', 'Declared'), ('confirmed', 'Confirmed'), ('documented', 'Documented')], default='confirmed', editable=False, help_text="Derived from the cooperative parties' answers and the published documents, never typed.", max_length=10, verbose_name='corroboration'),
        ),
        migrations.AlterField(
            model_name='partnership',
            name='corroboration',
            field=models.CharField(choices=[('declared', 'Declared'), ('confirmed', 'Confirmed'), ('documented', 'Documented')], default='declared', editable=False, help_text="Derived from the cooperative parties' answers and the published documents, never typed.", max_length=10, verbose_name='corroboration'),
        ),
        # The index before the rows change: PostgreSQL builds no index on a table with
        # pending trigger events (the updates queue the deferred version triggers').
        migrations.AddIndex(
            model_name='partnership',
            index=models.Index(fields=['verification', 'corroboration'], name='ks_verified_corroboration'),
        ),
        migrations.RunSQL(
            """
            UPDATE partnerships_partnership SET corroboration = 'declared' WHERE id IN (
                SELECT partnership_id FROM partnerships_partnershipparty
                WHERE cooperative_id IS NOT NULL AND confirmation <> 'confirmed'
            )
            """,
            migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            """
            UPDATE partnerships_partnership SET corroboration = 'documented'
            WHERE corroboration = 'confirmed'
            AND id IN (SELECT partnership_id FROM partnerships_partnershipdocument WHERE published)
            """,
            migrations.RunSQL.noop,
        ),
    ])
