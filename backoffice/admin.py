"""The admin site's own index: Django's app list below a module linking the reports and the staff's
queues (backoffice/templates/admin/inkbook/index.html). The back office has no models; each app
registers its own models' admin in its admin.py."""

from django.contrib import admin

admin.site.index_template = "admin/inkbook/index.html"
