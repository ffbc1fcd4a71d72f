"""The suggestions' pool walks the cooperatives of a tier and province from the largest
down and keeps the active ones: with the id and the status in the index (PostgreSQL
keeps the status as a non-key column; SQLite builds the index without it), the walk
reads no row of the table."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0014_suggestion_pool_versions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='cooperative',
            name='coop_verified_tier_prov',
        ),
        migrations.AddIndex(
            model_name='cooperative',
            index=models.Index(fields=['verification', 'tier', 'province', 'member_count', 'id'], include=('status',), name='coop_verified_tier_prov'),
        ),
    ]
