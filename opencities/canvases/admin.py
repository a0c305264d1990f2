from django.contrib import admin

from .models import (
    Action,
    Benefit,
    BusinessCase,
    BusinessSection,
    Contribution,
    Cost,
    EthicsCanvas,
    EthicsSection,
    Review,
)


class EthicsSectionInline(admin.TabularInline):
    model = EthicsSection
    fields = ["key", "status", "summary"]
    extra = 0


@admin.register(EthicsCanvas)
class EthicsCanvasAdmin(admin.ModelAdmin):
    list_display = ["project", "next_review", "updated"]
    inlines = [EthicsSectionInline]


class BusinessSectionInline(admin.TabularInline):
    model = BusinessSection
    fields = ["key", "status", "summary"]
    extra = 0


@admin.register(BusinessCase)
class BusinessCaseAdmin(admin.ModelAdmin):
    list_display = ["project", "years", "currency", "updated"]
    inlines = [BusinessSectionInline]


admin.site.register([Contribution, Action, Review, Benefit, Cost])
admin.site.register([EthicsSection, BusinessSection])
