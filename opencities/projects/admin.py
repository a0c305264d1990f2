from django.contrib import admin

from .models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "stage", "urgency", "impact", "owner", "updated"]
    list_filter = ["workspace", "stage"]
    search_fields = ["title", "challenge", "goal"]
