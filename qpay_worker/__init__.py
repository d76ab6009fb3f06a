"""The QPay worker: a standalone WSGI service (no Django) at the edge between QPay and Inkbook."""
