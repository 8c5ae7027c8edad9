from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "pilothouse.portal"
    label = "portal"
    verbose_name = "Voting portal"
