"""The composite pages: pages that show several domains at once (tattoo/site/urls.py routes them).

One module per page family: ``public`` (home, an artist's page), ``booking_form`` (the slot picker
and the booking form on the artist page), ``bookings`` (my bookings, the booking page),
``dashboard`` (the artist's dashboard and its forms), ``calendar`` (the artist's ICS feed);
``refusals`` turns a service's refusal into a page.

Thin: forms shape the input, the API's serializers and the same services as the API decide.
Every write is a POST with CSRF (Django's middleware) and answers with a redirect.
"""
