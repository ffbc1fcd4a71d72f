"""The foreign keys whose lookups a composite index already serves lose their own
index: a party's cooperative (party_cooperative), its partner (party_partner), a
partnership's initiator (ks_initiator_created). At 1,000,000 partnerships the two
party indexes held 45 MB that every write and every seeding kept up to date.

The database only drops the indexes: Django's AlterField would also drop and add
each foreign key again, checking 3,000,000 rows under an exclusive lock.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0013_province_rows'),
        ('registry', '0015_suggestion_pool_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='partnership',
                    name='initiator',
                    field=models.ForeignKey(db_index=False, help_text='Its officials registered the partnership and may edit it.', on_delete=django.db.models.deletion.PROTECT, related_name='initiated_partnerships', to='registry.cooperative', verbose_name='initiating cooperative'),
                ),
                migrations.AlterField(
                    model_name='partnershipparty',
                    name='cooperative',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='partnership_parties', to='registry.cooperative', verbose_name='cooperative'),
                ),
                migrations.AlterField(
                    model_name='partnershipparty',
                    name='partner',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='partnership_parties', to='registry.partner', verbose_name='partner'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS partnerships_partnership_initiator_id_87488da2;"
                    "DROP INDEX IF EXISTS partnerships_partnershipparty_cooperative_id_78d372dc;"
                    "DROP INDEX IF EXISTS partnerships_partnershipparty_partner_id_66a7be44;",
                    reverse_sql=(
                        "CREATE INDEX partnerships_partnership_initiator_id_87488da2 ON partnerships_partnership (initiator_id);"
                        "CREATE INDEX partnerships_partnershipparty_cooperative_id_78d372dc ON partnerships_partnershipparty (cooperative_id);"
                        "CREATE INDEX partnerships_partnershipparty_partner_id_66a7be44 ON partnerships_partnershipparty (partner_id);"
                    ),
                ),
            ],
        ),
    ]
