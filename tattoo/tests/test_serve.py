"""`make serve`'s production shape (scripts/serve.py, gunicorn.conf.py, the pool settings): what it
configures, checked without starting it."""

from __future__ import annotations

import ast
import importlib.util
import socket

import pytest

from tattoo.tests.test_project import PRODUCTION_ENV, ROOT, run_manage, settings_value


def _serve_module():
    spec = importlib.util.spec_from_file_location("serve_script", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASE_ENV = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/inkbook", "REDIS_URL": "redis://127.0.0.1:6399/3"}


def test_serve_runs_production_settings_with_the_pool_and_the_given_redis():
    env, urls = _serve_module().serve_env(dict(BASE_ENV, PORT="0", WORKER_PORT="0", SANDBOX_PORT="0"), instances=1)

    assert env["DEBUG"] == "false"
    assert env["STATIC_MANIFEST"] == "true"
    assert env["FAST_PASSWORD_HASHER"] == "false"
    assert env["LOCAL_MEMORY_CACHE"] == "false"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6399/3"
    assert env["PUBLIC_CACHE_URL"] == "redis://127.0.0.1:6399/4"  # rendered answers apart from the counters
    assert env["DB_POOL_MAX_SIZE"] == env["WEB_THREADS"]
    assert len(urls["web"]) == 1
    assert env["WEB_NOTIFY_URL"] == urls["web"][0] + "/api/payments/notify"


def test_two_instances_get_two_web_ports_and_one_shared_database_and_cache():
    serve = _serve_module()
    env, urls = serve.serve_env(dict(BASE_ENV, SERVE_DATABASE="inkbook_scale", PORT="0"), instances=2)

    assert len(set(urls["web"])) == 2
    assert env["DATABASE_URL"].endswith("/inkbook_scale")
    procfile = serve.procfile(2, [1, 2], 3)
    assert procfile.count("gunicorn -c gunicorn.conf.py") == 2
    assert procfile.count("procrastinate worker") == 2
    assert procfile.count("\nmail: node node_modules/maildev/") == 1  # mail has somewhere to go, as with `make run`


def test_a_taken_port_is_replaced_by_a_free_one():
    serve = _serve_module()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert serve.pick(taken, set()) != taken


def test_without_redis_url_serve_uses_the_local_redis_only_when_it_answers(monkeypatch):
    serve = _serve_module()
    env = {k: v for k, v in BASE_ENV.items() if k != "REDIS_URL"}
    monkeypatch.setattr(serve, "redis_answers", lambda *a, **k: False)
    with pytest.raises(SystemExit) as stopped:
        serve.serve_env(dict(env), instances=1)
    assert "REDIS_URL" in str(stopped.value)

    monkeypatch.setattr(serve, "redis_answers", lambda *a, **k: True)
    served, _ = serve.serve_env(dict(env, SERVE_REDIS_DB="5"), instances=1)
    assert served["REDIS_URL"] == "redis://127.0.0.1:6379/5"


def test_the_pool_setting_turns_on_djangos_psycopg_pool_without_persistent_connections():
    pool = settings_value("settings.DATABASES['default']['OPTIONS'].get('pool')", DB_POOL_MAX_SIZE="6")
    assert ast.literal_eval(pool)["max_size"] == 6
    assert settings_value("settings.DATABASES['default']['CONN_MAX_AGE']", DB_POOL_MAX_SIZE="6") == "0"
    assert settings_value("settings.DATABASES['default']['OPTIONS'].get('pool')", DB_POOL_MAX_SIZE="0") == "None"


def test_gunicorn_config_takes_workers_and_threads_from_the_settings():
    code = "import runpy; c = runpy.run_path('gunicorn.conf.py'); print(c['workers'], c['threads'], c['worker_class'])"
    result = run_manage(argv=["-c", code], env_overrides={**PRODUCTION_ENV, "WEB_WORKERS": "3", "WEB_THREADS": "5"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "5", "gthread"]
