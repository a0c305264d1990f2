from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "opencities.projects"
    label = "projects"
    verbose_name = "Projects"
