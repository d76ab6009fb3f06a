from django.contrib import admin
from django.db import models

from ideas.models import TattooIdea


@admin.register(TattooIdea)
class TattooIdeaAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["id", "booking", "created_by", "description", "created_at"]
    search_fields = ["description", "booking__id", "created_by__email"]
    raw_id_fields = ["booking", "created_by"]
