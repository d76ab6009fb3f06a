from django.db import models


class TattooIdea(models.Model):
    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="ideas")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="tattoo_ideas")
    image_url = models.URLField(max_length=1024, blank=True)
    image_key = models.CharField(max_length=512, blank=True)
    description = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tattoo_ideas"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking", "created_at"], name="tattoo_ideas_booking_idx")]

    def __str__(self) -> str:
        return f"idea {self.pk} on booking {self.booking_id}"
