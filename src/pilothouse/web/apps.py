from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pilothouse.web"
    label = "web"
    verbose_name = "Web"
