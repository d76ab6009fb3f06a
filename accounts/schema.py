from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class InkbookJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.JWTAuthentication"
    name = "jwtAuth"
