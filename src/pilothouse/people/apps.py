from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "pilothouse.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from pilothouse.people.ladder import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self)
