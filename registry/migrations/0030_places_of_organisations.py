"""Cooperatives and partners placed by the codes of their regency/city, district and
village (registry.models.PlacedModel), the levels held together by constraints.
SQLite rebuilds both tables to add them: their triggers are kept."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

from kopnet.sqlite_rebuild import keeping_sqlite_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0029_version_triggers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = keeping_sqlite_triggers("registry_cooperative", keeping_sqlite_triggers("registry_partner", [
        migrations.AddField(
            model_name='cooperative',
            name='district',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.district', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='cooperative',
            name='regency_place',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.regency', verbose_name='regency/city'),
        ),
        migrations.AddField(
            model_name='cooperative',
            name='village',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='historicalcooperative',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.district', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='historicalcooperative',
            name='regency_place',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.regency', verbose_name='regency/city'),
        ),
        migrations.AddField(
            model_name='historicalcooperative',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='historicalpartner',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.district', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='historicalpartner',
            name='regency_place',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.regency', verbose_name='regency/city'),
        ),
        migrations.AddField(
            model_name='historicalpartner',
            name='village',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.village', verbose_name='village'),
        ),
        migrations.AddField(
            model_name='partner',
            name='district',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.district', verbose_name='district'),
        ),
        migrations.AddField(
            model_name='partner',
            name='regency_place',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.regency', verbose_name='regency/city'),
        ),
        migrations.AddField(
            model_name='partner',
            name='village',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)ss', to='registry.village', verbose_name='village'),
        ),
        migrations.AddIndex(
            model_name='cooperative',
            index=models.Index(fields=['verification', 'province', 'regency_place', 'name', 'id'], name='coop_verified_regency'),
        ),
        migrations.AddIndex(
            model_name='partner',
            index=models.Index(fields=['verification', 'province', 'regency_place', 'name', 'id'], name='partner_verified_regency'),
        ),
        migrations.AddConstraint(
            model_name='cooperative',
            constraint=models.CheckConstraint(condition=models.Q(('regency_place_id__isnull', True), models.Q(('province_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('regency_place_id', 2), models.F('province_id'))), _connector='OR'), name='cooperative_regency_in_province', violation_error_message='The regency/city is in the province.'),
        ),
        migrations.AddConstraint(
            model_name='cooperative',
            constraint=models.CheckConstraint(condition=models.Q(('district_id__isnull', True), models.Q(('regency_place_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('district_id', 5), models.F('regency_place_id'))), _connector='OR'), name='cooperative_district_in_regency', violation_error_message='The district is in the regency/city.'),
        ),
        migrations.AddConstraint(
            model_name='cooperative',
            constraint=models.CheckConstraint(condition=models.Q(('village_id__isnull', True), models.Q(('district_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('village_id', 8), models.F('district_id'))), _connector='OR'), name='cooperative_village_in_district', violation_error_message='The village is in the district.'),
        ),
        migrations.AddConstraint(
            model_name='partner',
            constraint=models.CheckConstraint(condition=models.Q(('regency_place_id__isnull', True), models.Q(('province_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('regency_place_id', 2), models.F('province_id'))), _connector='OR'), name='partner_regency_in_province', violation_error_message='The regency/city is in the province.'),
        ),
        migrations.AddConstraint(
            model_name='partner',
            constraint=models.CheckConstraint(condition=models.Q(('district_id__isnull', True), models.Q(('regency_place_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('district_id', 5), models.F('regency_place_id'))), _connector='OR'), name='partner_district_in_regency', violation_error_message='The district is in the regency/city.'),
        ),
        migrations.AddConstraint(
            model_name='partner',
            constraint=models.CheckConstraint(condition=models.Q(('village_id__isnull', True), models.Q(('district_id__isnull', False), django.db.models.lookups.Exact(django.db.models.functions.text.Left('village_id', 8), models.F('district_id'))), _connector='OR'), name='partner_village_in_district', violation_error_message='The village is in the district.'),
        ),
    ]))
