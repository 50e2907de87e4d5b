"""What Red-Dashboard's web app (AAA3A fork, 1.7.x) needs of a field, as checks that raise
Failure("<method> <field>: expected ..., got ..."); used by dashboard_pages.py."""
import base64
import binascii
import json

P = "DASHBOARDRPC__"
# What the web app itself listens on; it sends them in GET_VARIABLES (defaults of `reddash`).
WEB_HOST, WEB_PORT = "0.0.0.0", 42356
AVAILABLE_COLORS = ("success", "danger", "primary", "info", "warning", "dark")
THEMES = ("white", "dark")
PRIVILEGES = (None, "NONE", "MOD", "ADMIN", "GUILD_OWNER", "BOT_OWNER")
# Endpoints a side-nav `route` may name: the web app skips an item whose url_for fails.
ROUTES = {
    "base_blueprint.index", "base_blueprint.commands", "base_blueprint.dashboard", "base_blueprint.credits",
    "base_blueprint.admin", "third_parties_blueprint.third_parties", "login_blueprint.login", "login_blueprint.logout",
}
# Pagination(items, **rest) in the web app: any other key is a TypeError (a 500 on /dashboard).
PAGINATION_KEYS = {"total", "per_page", "pages", "page", "default_per_page", "default_page"}
NUMBER, TEXT, OPT_TEXT = (int, float), (str,), (str, type(None))


class Failure(Exception):
    pass


def fail(method, field, expected, got):
    raise Failure(f"{method} {field}: expected {expected}, got {json.dumps(got)[:300]}")


def kind(value, types):
    # bool is an int in Python; an id or a count must never be a bool, and a bool never 0/1.
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def get(method, obj, path, types=None, at=""):
    """obj[path] (dotted), present and of one of `types`; `at` names obj in messages."""
    value = obj
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            fail(method, at + path, "the field present", obj if len(json.dumps(obj)) < 300 else "(missing)")
        value = value[key]
    if types is not None and not kind(value, types):
        fail(method, at + path, "type " + "/".join(t.__name__ for t in types), value)
    return value


def equal(method, field, expected, got):
    if type(expected) is not type(got) or expected != got:
        fail(method, field, json.dumps(expected), got)


def fernet_key(method, field, value):
    if not isinstance(value, str) or len(value) != 44 or not value.endswith("="):
        fail(method, field, "a Fernet key (44 characters of urlsafe base64)", value)
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        fail(method, field, "urlsafe base64", value)
    if len(raw) != 32 or "+" in value or "/" in value:
        fail(method, field, "32 bytes in urlsafe base64", value)


def status_ok(d, method, params):
    r = d.call(method, params)
    equal(method, "status", 0, r.get("status"))
    return r
