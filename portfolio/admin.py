from django.contrib import admin
from django.db import models

from portfolio.models import PortfolioItem


@admin.register(PortfolioItem)
class PortfolioItemAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["id", "tattooist", "description", "style_tags", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["description", "tattooist__user__name", "image_key"]
    list_select_related = ["tattooist__user"]
    raw_id_fields = ["tattooist"]
    readonly_fields = ["image_key", "created_at", "updated_at"]
