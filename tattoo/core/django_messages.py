"""Django's own messages whose Mongolian we write ourselves (docs/i18n.md): listed here so that
`makemessages` keeps them in our catalogue, which comes first (LOCALE_PATHS) and so overrides
Django's. Never imported.

- The admin's success messages: Django's mn catalogue writes `" {obj} "` with stray spaces and
  straight quotes; ours use «» as the rest of the product.
- File sizes (`filesizeformat`, the dashboard's upload help): Django's mn catalogue keeps "MB" in
  Latin letters; ours write "МБ".
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%s KB"),
    gettext_noop("%s MB"),
    gettext_noop("%s GB"),
]
