from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "What the team's work is teaching us"
