"""The permission of analysts (surveys.handle_responses), given to every existing account.

Accounts made before roles existed were all analysts: they keep their rights. The permission row
is made here, since Django's post_migrate signal (which makes it otherwise) has not run yet.
"""

from django.db import migrations

PERMISSION = "handle_responses"
PERMISSION_NAME = "Can manage campaigns and handle their responses"


def grant_to_existing_users(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Create the permission if needed and give it to every existing user."""
    db = schema_editor.connection.alias
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    user_model = apps.get_model("auth", "User")
    content_type, _ = content_type_model.objects.using(db).get_or_create(
        app_label="surveys", model="campaign"
    )
    permission, _ = permission_model.objects.using(db).get_or_create(
        content_type=content_type, codename=PERMISSION, defaults={"name": PERMISSION_NAME}
    )
    for user in user_model.objects.using(db).all():
        user.user_permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_response_import'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='campaign',
            options={
                'ordering': ['-created_at'],
                'permissions': [('handle_responses', 'Can manage campaigns and handle their responses')],
            },
        ),
        migrations.RunPython(grant_to_existing_users, migrations.RunPython.noop),
    ]
