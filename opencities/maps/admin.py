from django.contrib import admin

from .models import EcosystemMap, Exchange, Node


class NodeInline(admin.TabularInline):
    model = Node
    extra = 0
    raw_id_fields = ["actor", "dataset", "technology"]


@admin.register(EcosystemMap)
class EcosystemMapAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "state", "updated"]
    list_filter = ["state", "project__workspace"]
    search_fields = ["title", "project__title"]
    inlines = [NodeInline]


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "map", "kind", "status"]
    list_filter = ["kind", "status", "map__project__workspace"]
    raw_id_fields = ["source", "target", "dataset"]
