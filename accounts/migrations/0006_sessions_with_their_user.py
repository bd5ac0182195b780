"""Sessions move to a table of their own that names each session's signed-in user
(accounts.models.Session). The sessions still open move with them, so nobody is signed out by
the upgrade; going back moves them back."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _move(apps, *, source: str, target: str, with_user: bool) -> None:
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    source, target = apps.get_model(source), apps.get_model(target)
    users = {str(pk) for pk in apps.get_model(settings.AUTH_USER_MODEL).objects.values_list(
        "pk", flat=True)}
    moved = []
    for session in source.objects.filter(expire_date__gt=timezone.now()).iterator():
        fields = {}
        if with_user:
            user_id = SessionStore().decode(session.session_data).get(SESSION_KEY)
            fields["user_id"] = int(user_id) if user_id in users else None
        moved.append(target(session_key=session.session_key, session_data=session.session_data,
                            expire_date=session.expire_date, **fields))
    target.objects.bulk_create(moved, batch_size=1000, ignore_conflicts=True)
    source.objects.all().delete()


def forwards(apps, schema_editor):
    _move(apps, source="sessions.Session", target="accounts.Session", with_user=True)


def backwards(apps, schema_editor):
    _move(apps, source="accounts.Session", target="sessions.Session", with_user=False)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_change_stamps'),
        ('sessions', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Session',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'session',
                'verbose_name_plural': 'sessions',
                'abstract': False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
