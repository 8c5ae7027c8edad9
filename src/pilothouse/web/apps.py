from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pilothouse.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from pilothouse.web import object_pages

        object_pages.register()
