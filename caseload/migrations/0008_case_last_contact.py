"""Each case keeps when its latest contact happened (Case.last_contact_at), worked out from
its contacts by triggers, so the caseload is listed longest without contact first from an
index. The cases already there get theirs from their contacts here: one index probe a case.
Recording it makes no audit event."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


BACKFILL = ("UPDATE caseload_case c SET last_contact_at = (SELECT max(k.happened_at) "
            "FROM caseload_contact k WHERE k.case_id = c.id) "
            "WHERE EXISTS (SELECT FROM caseload_contact k WHERE k.case_id = c.id)")


class Migration(migrations.Migration):

    dependencies = [
        ('caseload', '0007_change_stamps'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='case',
            name='update_update',
        ),
        migrations.AddField(
            model_name='case',
            name='last_contact_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='case_last_contact', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.last_contact_at := (SELECT max(k.happened_at) FROM caseload_contact k WHERE k.case_id = NEW.id); RETURN NEW;', hash='4430ab69036641869aaba510e4bebdddffaeba2b', operation='INSERT OR UPDATE', pgid='pgtrigger_case_last_contact_92967', table='caseload_case', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='case',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."closed_on" IS DISTINCT FROM (NEW."closed_on") OR OLD."closing_note" IS DISTINCT FROM (NEW."closing_note") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."lead_id" IS DISTINCT FROM (NEW."lead_id") OR OLD."number" IS DISTINCT FROM (NEW."number") OR OLD."opened_on" IS DISTINCT FROM (NEW."opened_on") OR OLD."reference" IS DISTINCT FROM (NEW."reference") OR OLD."source" IS DISTINCT FROM (NEW."source") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."team_id" IS DISTINCT FROM (NEW."team_id") OR OLD."transitions" IS DISTINCT FROM (NEW."transitions") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at"))', func='INSERT INTO "caseload_caseevent" ("closed_on", "closing_note", "created_at", "id", "lead_id", "number", "opened_on", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "source", "status", "team_id", "transitions", "updated_at") VALUES (NEW."closed_on", NEW."closing_note", NEW."created_at", NEW."id", NEW."lead_id", NEW."number", NEW."opened_on", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."reference", NEW."source", NEW."status", NEW."team_id", NEW."transitions", NEW."updated_at"); RETURN NULL;', hash='97b3a7d833bf4cf6ccec8dc129bad67fd9a483cf', operation='UPDATE', pgid='pgtrigger_update_update_f17c0', table='caseload_case', when='AFTER')),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['team', 'status', 'last_contact_at', 'number'], name='case_by_last_contact'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='contact',
            trigger=pgtrigger.compiler.Trigger(name='contact_last_contact_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='UPDATE caseload_case c SET last_contact_at = latest.at FROM (SELECT w.case_id, (SELECT max(k.happened_at) FROM caseload_contact k WHERE k.case_id = w.case_id) AS at FROM (SELECT case_id FROM new_rows) w) latest WHERE c.id = latest.case_id AND c.last_contact_at IS DISTINCT FROM latest.at; RETURN NULL;', hash='8aa2f6a4c08264b5e2cd6c8a13afdbc37e07e86c', level='STATEMENT', operation='INSERT', pgid='pgtrigger_contact_last_contact_insert_5d9c7', referencing='REFERENCING NEW TABLE AS new_rows ', table='caseload_contact', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='contact',
            trigger=pgtrigger.compiler.Trigger(name='contact_last_contact_update', sql=pgtrigger.compiler.UpsertTriggerSql(func='UPDATE caseload_case c SET last_contact_at = latest.at FROM (SELECT w.case_id, (SELECT max(k.happened_at) FROM caseload_contact k WHERE k.case_id = w.case_id) AS at FROM (SELECT case_id FROM old_rows UNION SELECT case_id FROM new_rows) w) latest WHERE c.id = latest.case_id AND c.last_contact_at IS DISTINCT FROM latest.at; RETURN NULL;', hash='99cf7bc66688a22924d33097452da6be1b32ba9b', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_contact_last_contact_update_615a6', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='caseload_contact', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='contact',
            trigger=pgtrigger.compiler.Trigger(name='contact_last_contact_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='UPDATE caseload_case c SET last_contact_at = latest.at FROM (SELECT w.case_id, (SELECT max(k.happened_at) FROM caseload_contact k WHERE k.case_id = w.case_id) AS at FROM (SELECT case_id FROM old_rows) w) latest WHERE c.id = latest.case_id AND c.last_contact_at IS DISTINCT FROM latest.at; RETURN NULL;', hash='7c854b4b978308cd49bbab78eecb546694938f5e', level='STATEMENT', operation='DELETE', pgid='pgtrigger_contact_last_contact_delete_36214', referencing='REFERENCING OLD TABLE AS old_rows ', table='caseload_contact', when='AFTER')),
        ),
    ]
