from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "pilothouse.portal"
    label = "portal"
    verbose_name = "Voting portal"

    def ready(self) -> None:
        from pilothouse.portal import object_pages

        object_pages.register()
