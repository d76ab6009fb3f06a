from django.contrib import admin

from accounts.models import Tattooist, User


class TattooistInline(admin.StackedInline):
    model = Tattooist
    fk_name = "user"
    extra = 0
    readonly_fields = ["approved_at", "approved_by"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "email", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "email"]
    ordering = ["-created_at"]
    readonly_fields = ["password", "created_at", "last_login"]
    fields = ["name", "email", "role", "is_active", "password", "last_login", "created_at"]
    inlines = [TattooistInline]


@admin.register(Tattooist)
class TattooistAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "email", "approved", "approved_at", "timezone", "session_minutes", "min_deposit"]
    list_filter = ["approved", "timezone"]
    search_fields = ["user__name", "user__email", "bio"]
    list_select_related = ["user"]
    readonly_fields = ["approved_at", "approved_by", "created_at", "updated_at"]
    raw_id_fields = ["user"]

    @admin.display(ordering="user__name")
    def name(self, obj):
        return obj.user.name

    @admin.display(ordering="user__email")
    def email(self, obj):
        return obj.user.email
