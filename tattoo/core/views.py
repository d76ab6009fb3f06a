from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import ResolverMatch
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("inkbook.health")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (the load balancer's check), with the job queue's state:
    `jobs.oldestDueSeconds` is how long the oldest due job has waited for a worker (it grows when
    no worker runs or they are stuck; `jobs.status` turns `stalled` past
    JOBS_HEALTH_MAX_DELAY_SECONDS), `jobs.failed` the jobs staff should look at. A stalled queue does
    not fail the check: the web app still serves (docs/deploy.md, "Job workers")."""
    from tattoo.core.jobs import queue_health

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        jobs = queue_health()
    except Exception:  # any database failure means "not healthy", never a 500
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    if jobs["status"] != "ok":
        logger.warning("health check: job queue stalled, oldest due job waiting %ss", jobs["oldestDueSeconds"])
    return JsonResponse({"status": "ok", "database": "ok", "jobs": jobs})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.shortcuts import render

    if _wants_json(request):
        return JsonResponse({"code": "not_found", "message": _("Not found."), "fields": {}}, status=404)
    return render(request, "404.html", status=404)


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Every path under /api/ that no route matches, whatever the method (the last api pattern): the
    one JSON error shape, also with DEBUG on, where Django would answer its HTML debug page
    (docs/api.md). A GET whose path lacks only its trailing slash is sent to it, as
    CommonMiddleware's APPEND_SLASH would (the catch-all matches every /api/ path, so it cannot)."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        match = _resolve(request.path + "/")
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse({"code": "not_found", "message": _("Not found."), "fields": {}}, status=404)


def _resolve(path: str) -> ResolverMatch | None:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.shortcuts import render

    if _wants_json(request):
        return JsonResponse({"code": "permission_denied", "message": _("Not allowed."), "fields": {}}, status=403)
    return render(request, "403.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "bad_request", "message": _("Bad request."), "fields": {}}, status=400)
    from django.shortcuts import render

    return render(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "server_error", "message": _("Something went wrong on our side."), "fields": {}}, status=500
        )
    from django.template import loader

    # No request context: the failure may be the database or a context processor itself.
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # the friendly page must never raise in its turn
        logger.exception("500 page could not be rendered")
        body = "<!doctype html><html lang=en><title>Server error</title><h1>Something went wrong on our side</h1>"
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from django.shortcuts import render

    if _wants_json(request):
        return JsonResponse({"code": "csrf_failed", "message": _("CSRF check failed."), "fields": {}}, status=403)
    return render(request, "403.html", {"csrf": True}, status=403)
