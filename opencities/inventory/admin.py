from django.contrib import admin

from .models import Actor, Dataset, Distribution, ImportRun, Technology, Theme


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "parent", "workspace", "updated"]
    list_filter = ["workspace", "sector", "kind"]
    search_fields = ["name", "description", "contact"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["created", "updated"]


class DistributionInline(admin.TabularInline):
    model = Distribution
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "steward",
        "spectrum",
        "status",
        "personal_data",
        "workspace",
        "updated",
    ]
    list_filter = ["workspace", "spectrum", "status", "personal_data", "update_frequency"]
    search_fields = ["title", "identifier", "description"]
    autocomplete_fields = ["steward"]
    filter_horizontal = ["themes"]
    readonly_fields = ["created", "updated"]
    inlines = [DistributionInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["name"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "workspace",
        "user",
        "created",
        "datasets_created",
        "datasets_updated",
    ]
    list_filter = ["workspace"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "operator", "workspace"]
    list_filter = ["workspace", "kind"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["operator"]
