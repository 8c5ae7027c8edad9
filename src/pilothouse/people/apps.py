from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "pilothouse.people"
    label = "people"
    verbose_name = "People"
