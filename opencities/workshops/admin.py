from django.contrib import admin

from .models import Dot, Note, Operation, Participant, Step, Vote, Workshop


class StepInline(admin.TabularInline):
    model = Step
    fields = ["position", "kind", "title", "duration_minutes", "map"]
    extra = 0


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "date", "state", "facilitator", "version"]
    list_filter = ["state"]
    search_fields = ["title", "join_code"]
    readonly_fields = ["room", "join_code", "version"]
    inlines = [StepInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "workshop", "joined", "last_seen"]
    list_filter = ["kind"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "workshop", "board", "author", "deleted", "version"]
    list_filter = ["deleted"]


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ["workshop", "version", "kind", "participant", "client_id", "client_seq"]
    list_filter = ["kind"]


admin.site.register([Vote, Dot])
