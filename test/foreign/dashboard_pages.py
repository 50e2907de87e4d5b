"""The web app's pages, one function each: the calls a page makes, in its order and with its
params, and the checks of every field the page (its route and its Jinja template) reads."""
import base64
import datetime
import time

from dashboard_checks import (AVAILABLE_COLORS, NUMBER, OPT_TEXT, P, PAGINATION_KEYS, PRIVILEGES, ROUTES, TEXT, THEMES,
                              WEB_HOST, WEB_PORT, equal, fail, fernet_key, get, kind, status_ok)


def startup(d, args):
    """create_app: GET_DATA, GET_VARIABLES [true, [host, port]]; then the tasks: both again, with false."""
    m = P + "GET_DATA"
    data = d.call(m, [])
    fernet_key(m, "core.secret_key", get(m, data, "core.secret_key"))
    fernet_key(m, "core.jwt_secret_key", get(m, data, "core.jwt_secret_key"))
    if data["core"]["secret_key"] == data["core"]["jwt_secret_key"]:
        fail(m, "core.jwt_secret_key", "a key other than secret_key", data["core"]["jwt_secret_key"])
    secret = get(m, data, "core.secret", OPT_TEXT)
    if args.secret is not None:
        equal(m, "core.secret", args.secret, secret)
    redirect = get(m, data, "core.redirect_uri", OPT_TEXT)
    if args.redirect_uri is not None:
        equal(m, "core.redirect_uri", args.redirect_uri, redirect)
    get(m, data, "core.allow_unsecure_http_requests", (bool,))
    for ip in get(m, data, "core.blacklisted_ips", (list,)):
        if not isinstance(ip, str):
            fail(m, "core.blacklisted_ips[]", "strings", ip)
    for field in ("title", "icon", "website_description", "description"):
        if not get(m, data, "ui.meta." + field, TEXT):
            fail(m, "ui.meta." + field, "a non-empty string (the layout and |markdown read it)", "")
    get(m, data, "ui.meta.support_server", OPT_TEXT)
    if get(m, data, "ui.meta.default_color") not in AVAILABLE_COLORS:
        fail(m, "ui.meta.default_color", " or ".join(AVAILABLE_COLORS), data["ui"]["meta"]["default_color"])
    for field in ("default_background_theme", "default_sidenav_theme"):
        if get(m, data, "ui.meta." + field) not in THEMES:
            fail(m, "ui.meta." + field, "white or dark", data["ui"]["meta"][field])
    sidenav = get(m, data, "ui.sidenav", (list,))
    if not sidenav:
        fail(m, "ui.sidenav", "the side-nav items", sidenav)
    for i, item in enumerate(sidenav):
        f = f"ui.sidenav[{i}]."
        get(m, item, "pos", NUMBER, f), get(m, item, "name", TEXT, f), get(m, item, "icon", TEXT, f)
        get(m, item, "session", (bool, type(None)), f), get(m, item, "owner", (bool,), f)
        get(m, item, "locked", (bool,), f), get(m, item, "hidden", (bool,), f)
        if get(m, item, "route", TEXT, f) not in ROUTES:
            fail(m, f + "route", "an endpoint of the web app (else the item vanishes)", item["route"])
    for field in ("disabled_third_parties", "custom_pages"):
        get(m, data, field, (list,))
    for i, page in enumerate(data["custom_pages"]):
        for key in ("title", "url", "content"):
            get(m, page, key, TEXT, f"custom_pages[{i}].")

    m = P + "GET_VARIABLES"
    first = d.call(m, [True, [WEB_HOST, WEB_PORT]])
    bot_variables(m, first, args)
    d.call(P + "GET_DATA", [])
    variables = d.call(m, [False, [WEB_HOST, WEB_PORT]])
    bot_variables(m, variables, args)
    return data, variables


def bot_variables(m, v, args):
    if not get(m, v, "bot.name", TEXT):
        fail(m, "bot.name", "the bot's name", "")
    bot_id = get(m, v, "bot.id", (int,))
    if args.bot_id is not None:
        equal(m, "bot.id", args.bot_id, bot_id)
    app_id = get(m, v, "bot.application_id", (str, int))
    if args.bot_id is not None and str(app_id) != str(args.bot_id):
        fail(m, "bot.application_id", f"{args.bot_id} (the OAuth client_id)", app_id)
    for field in ("avatar", "default_avatar", "owner"):
        get(m, v, "bot." + field, TEXT)
    # The invite button's href; a bot with no platform (console) has none, which renders as text.
    get(m, v, "bot.invite_url", TEXT if args.bot_id is not None else OPT_TEXT)
    get(m, v, "bot.info", OPT_TEXT), get(m, v, "bot.profile_description", OPT_TEXT)
    get(m, v, "bot.is_verified", (bool,)), get(m, v, "bot.invite_public", (bool,))
    prefixes = get(m, v, "bot.prefixes", (list,))
    if not prefixes or not all(isinstance(p, str) and p for p in prefixes):
        fail(m, "bot.prefixes", "non-empty strings (the commands page shows prefixes[0])", prefixes)
    owner_ids = get(m, v, "bot.owner_ids", (list,))
    if not all(kind(i, (int,)) for i in owner_ids):
        fail(m, "bot.owner_ids", "exact ints (`current_user.id in owner_ids`)", owner_ids)
    if args.owner not in owner_ids:
        fail(m, "bot.owner_ids", f"to contain the int {args.owner}", owner_ids)
    blacklisted = get(m, v, "bot.blacklisted_users", (list,))
    if not all(kind(i, (int,)) for i in blacklisted):
        fail(m, "bot.blacklisted_users", "exact ints", blacklisted)
    for field in ("guilds", "text", "voice", "categories", "users"):
        if get(m, v, "stats." + field, (int,)) < 0:
            fail(m, "stats." + field, "a count", v["stats"][field])
    if args.guild is None and v["stats"]["guilds"] != 0:
        fail(m, "stats.guilds", 0, v["stats"]["guilds"])
    uptime = get(m, v, "stats.uptime", NUMBER)
    started = datetime.datetime.fromtimestamp(uptime)  # what inject_variables does with it
    if not (time.time() - 86400 < uptime <= time.time() + 60):
        fail(m, "stats.uptime", "the bot's start time in unix seconds", str(started))
    lo, hi = get(m, v, "constants.MIN_PREFIX_LENGTH", (int,)), get(m, v, "constants.MAX_PREFIX_LENGTH", (int,))
    if not 0 < lo <= hi:
        fail(m, "constants.MIN_PREFIX_LENGTH", "1 <= MIN <= MAX", [lo, hi])
    if get(m, v, "constants.MAX_DISCORD_PERMISSIONS_VALUE", (int,)) <= 0:
        fail(m, "constants.MAX_DISCORD_PERMISSIONS_VALUE", "a positive int", v["constants"]["MAX_DISCORD_PERMISSIONS_VALUE"])
    equal(m, "third_parties", {}, get(m, v, "third_parties", (dict,)))
    get(m, v, "commands", (dict,))


def walk_commands(m, commands, path, out):
    for i, c in enumerate(commands):
        f = f"{path}[{i}]"
        for key in ("name", "signature", "short_description", "description"):
            if not kind(c.get(key), TEXT):
                fail(m, f"{f}.{key}", "a string (|markdown needs str)", c.get(key))
        if not c["name"]:
            fail(m, f + ".name", "a name", c["name"])
        aliases = c.get("aliases")
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            fail(m, f + ".aliases", "a list of strings", aliases)
        if c.get("privilege_level", "missing") not in PRIVILEGES:
            fail(m, f + ".privilege_level", " or ".join(map(str, PRIVILEGES)), c.get("privilege_level", "missing"))
        if not kind(c.get("user_permissions", 0), OPT_TEXT):
            fail(m, f + ".user_permissions", "a string or null", c.get("user_permissions", "missing"))
        if not isinstance(c.get("subs"), list):
            fail(m, f + ".subs", "a list", c.get("subs"))
        out[c["name"]] = c
        walk_commands(m, c["subs"], f + ".subs", out)


def commands_page(variables, args):
    """/commands: cogs with name, description, author, repo and their command trees."""
    m = P + "GET_VARIABLES"
    cogs = variables["commands"]
    if not cogs:
        fail(m, "commands", "the loaded cogs' commands (only_bot_variables=false)", cogs)
    found = {}
    for name, cog in cogs.items():
        for key in ("name", "description", "author", "repo"):
            get(m, cog, key, TEXT, f"commands.{name}.")
        equal(m, f"commands.{name}.name", name, cog["name"])
        if not get(m, cog, "commands", (list,)):
            fail(m, f"commands.{name}.commands", "at least one command (the cog is listed)", [])
        walk_commands(m, cog["commands"], f"commands.{name}.commands", found)
    for spec in args.command:
        name, _, level = spec.partition("=")
        if name not in found:
            fail(m, "commands", f"a command {name!r}", sorted(found))
        equal(m, f"commands..{name}.privilege_level", level, found[name]["privilege_level"])
    if all(c["privilege_level"] == "BOT_OWNER" for c in found.values()):
        fail(m, "commands", "some command a visitor may see (not BOT_OWNER)", sorted(found))


def login(data, variables, args):
    """/login needs core.secret; /login/discord and /callback send application_id as client_id and
    the secret as client_secret; the logged-in User's int id is then looked up in the bot's lists."""
    if args.secret is not None and data["core"]["secret"] is None:
        fail(P + "GET_DATA", "core.secret", "the OAuth secret (else /login says 'unavailable')", None)
    m = P + "GET_VARIABLES"
    if not str(variables["bot"]["application_id"]).isdigit():
        fail(m, "bot.application_id", "a snowflake (the OAuth client_id)", variables["bot"]["application_id"])
    if args.owner in variables["bot"]["blacklisted_users"]:
        fail(m, "bot.blacklisted_users", f"not the owner {args.owner} (their login would be refused)", variables["bot"]["blacklisted_users"])


def user_guilds(d, user, per_page=None, page=None, query=None, filter=None, probe=True):
    m = P + "GET_USER_GUILDS"
    r = d.call(m, [user, per_page, page, query, filter], probe)
    items = get(m, r, "items", (list,))
    extra = set(r) - PAGINATION_KEYS - {"items"}
    if extra:
        fail(m, ",".join(sorted(extra)), "only items and " + ", ".join(sorted(PAGINATION_KEYS)) + " (Pagination(**rest))", r)
    for key in ("total", "per_page", "pages", "page"):
        get(m, r, key, (int,))
    for i, g in enumerate(items):
        f = f"items[{i}]."
        get(m, g, "id", (int,), f), get(m, g, "owner_id", (int,), f), get(m, g, "name", TEXT, f), get(m, g, "owner", TEXT, f)
        get(m, g, "icon_url", TEXT, f), get(m, g, "icon_animated", (bool,), f)
        if g.get("user_role", "missing") not in (None, "OWNER", "ADMIN", "MOD"):
            fail(m, f"items[{i}].user_role", "null, OWNER, ADMIN or MOD", g.get("user_role", "missing"))
    if len(items) > r["per_page"] or r["total"] < len(items):
        fail(m, "items", f"at most per_page={r['per_page']} of total={r['total']}", len(items))
    return r


def dashboard_page(d, args):
    """/dashboard: the guild list, with the web app's query-string params (strings or None)."""
    m = P + "GET_USER_GUILDS"
    r = user_guilds(d, args.owner, probe=False)
    ids = [g["id"] for g in r["items"]]
    if args.guild is None:
        equal(m, "total", 0, r["total"])
        return
    if args.guild not in ids:
        fail(m, "items[].id", f"the int {args.guild} (the owner sees every guild)", ids)
    name = next(g["name"] for g in r["items"] if g["id"] == args.guild)
    if args.guild not in [g["id"] for g in user_guilds(d, args.owner, query=name[:3].upper())["items"]]:
        fail(m, "items (query)", f"{args.guild} found by part of its name", name)
    if args.guild not in [g["id"] for g in user_guilds(d, args.owner, query=str(args.guild))["items"]]:
        fail(m, "items (query)", f"{args.guild} found by its id", name)
    equal(m, "total (query with no match)", 0, user_guilds(d, args.owner, query="zz-no-such-guild-zz")["total"])
    one = user_guilds(d, args.owner, per_page="1", page="1")
    equal(m, "per_page (per_page='1')", 1, one["per_page"])
    for f in ("owner", "admin", "mod"):
        for g in user_guilds(d, args.owner, filter=f)["items"]:
            equal(m, f"items[].user_role (filter={f})", f.upper(), g["user_role"])
    # Who else sees the guild, and as what: the admin and the mod (role ids), a plain member not.
    for user, role in ((args.admin, "ADMIN"), (args.mod, "MOD")):
        if user is not None:
            listed = [g["user_role"] for g in user_guilds(d, user)["items"] if g["id"] == args.guild]
            equal(m, f"items[].user_role (user {user})", [role], listed)
    if args.member is not None:
        listed = [g["id"] for g in user_guilds(d, args.member)["items"]]
        if args.guild in listed:
            fail(m, "items (a member with no admin or mod role)", f"not {args.guild}", listed)
    if args.stranger is not None:
        equal(m, "total (a user in no guild)", 0, user_guilds(d, args.stranger)["total"])


GUILD_COUNTS = ("members_number", "online_number", "dnd_number", "idle_number", "offline_number", "bots_number",
                "humans_number", "channels_number", "text_channels_number", "voice_channels_number", "roles_number")


def guild_page(d, variables, args):
    """/dashboard/<id>: GET_GUILD, the two DEFAULTCOGS forms, the settings form."""
    m = P + "GET_GUILD"
    missing = d.call(m, [args.owner, 1, False], probe=True)
    equal(m, "status (unknown guild)", 1, missing.get("status"))
    if args.guild is None:
        return None
    for user, who in ((args.stranger, "a stranger"), (args.member, "a member with no admin or mod role")):
        if user is not None:
            equal(m, f"status ({who})", 1, d.call(m, [user, args.guild, False], probe=True).get("status"))
    for user, may_edit in ((args.admin, True), (args.mod, False)):
        if user is not None:
            r = d.call(m, [user, args.guild, False], probe=True)
            equal(m, f"status (user {user})", 0, r.get("status"))
            equal(m, f"settings.edit_permission (user {user})", may_edit, get(m, r, "settings.edit_permission"))
    g = d.call(m, [args.owner, args.guild, False])
    equal(m, "status", 0, g.get("status"))
    equal(m, "id", args.guild, get(m, g, "id", (int,)))
    get(m, g, "owner_id", (int,))
    for key in ("name", "owner", "icon_url"):
        get(m, g, key, TEXT)
    get(m, g, "icon_animated", (bool,)), get(m, g, "verification_level", TEXT), get(m, g, "perms", TEXT)
    datetime.datetime.fromtimestamp(get(m, g, "created_at", NUMBER), tz=datetime.timezone.utc)
    if get(m, g, "joined_at", (int, float, type(None))) is not None:
        datetime.datetime.fromtimestamp(g["joined_at"], tz=datetime.timezone.utc)
    for key in GUILD_COUNTS:
        if get(m, g, key, (int,)) < 0:
            fail(m, key, "a count", g[key])
    roles = get(m, g, "roles", (list,))
    equal(m, "roles_number", len(roles), g["roles_number"])
    for i, role in enumerate(roles):
        get(m, role, "id", (int,), f"roles[{i}]."), get(m, role, "name", TEXT, f"roles[{i}].")
    get(m, g, "prefixes", (list,))
    s = "settings."
    get(m, g, s + "edit_permission", (bool,))
    equal(m, s + "edit_permission (the bot owner)", True, g["settings"]["edit_permission"])
    get(m, g, s + "bot_nickname", OPT_TEXT)
    if not all(isinstance(p, str) for p in get(m, g, s + "prefixes", (list,))):
        fail(m, s + "prefixes", "strings (joined by the form)", g["settings"]["prefixes"])
    for key in ("admin_roles", "mod_roles"):
        for i, role in enumerate(get(m, g, s + key, (list,))):
            get(m, role, "id", (int,), f"{s}{key}[{i}]."), get(m, role, "name", TEXT, f"{s}{key}[{i}].")
    for key in ("whitelist", "blacklist", "disabled_commands"):
        get(m, g, s + key, (list,))
    for key in ("ignored", "embeds", "use_bot_color", "fuzzy"):
        get(m, g, s + key, (bool,))
    get(m, g, s + "delete_delay", (int,)), get(m, g, s + "locale", TEXT), get(m, g, s + "regional_format", OPT_TEXT)
    for method in ("GET_ALIASES", "GET_CUSTOM_COMMANDS"):
        r = d.call("DASHBOARDRPC_DEFAULTCOGS__" + method, [args.owner, args.guild])
        equal("DASHBOARDRPC_DEFAULTCOGS__" + method, "status", 2, r.get("status"))
    for method in ("SET_ALIASES", "SET_CUSTOM_COMMANDS"):
        r = d.call("DASHBOARDRPC_DEFAULTCOGS__" + method, [args.owner, args.guild, {}])
        equal("DASHBOARDRPC_DEFAULTCOGS__" + method, "status", 2, r.get("status"))
    return g


DASHBOARD_SETTINGS = ("title", "icon", "website_description", "description", "support_server", "default_color",
                      "default_background_theme", "default_sidenav_theme", "disabled_third_parties")
BOT_SETTINGS_SENT = ("prefixes", "invoke_error_msg", "disabled_commands", "disabled_command_msg", "description",
                     "custom_info", "embeds", "color", "fuzzy", "use_buttons", "invite_public", "invite_commands_scope",
                     "invite_perms", "locale", "regional_format")


def admin_page(d, args):
    """/admin (owners only): GET_DASHBOARD_SETTINGS and GET_BOT_SETTINGS fill the two forms."""
    m = P + "GET_DASHBOARD_SETTINGS"
    ds = d.call(m, [args.owner])
    for key in DASHBOARD_SETTINGS[:5]:
        get(m, ds, key, OPT_TEXT)
    if get(m, ds, "default_color") not in AVAILABLE_COLORS:
        fail(m, "default_color", " or ".join(AVAILABLE_COLORS), ds["default_color"])
    for key in ("default_background_theme", "default_sidenav_theme"):
        if get(m, ds, key) not in THEMES:
            fail(m, key, "white or dark", ds[key])
    get(m, ds, "disabled_third_parties", (list,))
    m = P + "GET_BOT_SETTINGS"
    bs = d.call(m, [args.owner])
    if not get(m, bs, "prefixes", (list,)) or not all(isinstance(p, str) for p in bs["prefixes"]):
        fail(m, "prefixes", "the global prefixes, strings", bs["prefixes"])
    for key in ("invoke_error_msg", "disabled_command_msg", "description", "custom_info", "regional_format"):
        get(m, bs, key, OPT_TEXT)
    get(m, bs, "disabled_commands", (list,)), get(m, bs, "locale", TEXT), get(m, bs, "invite_perms", (int,))
    for key in ("embeds", "fuzzy", "use_buttons", "invite_public", "invite_commands_scope"):
        get(m, bs, key, (bool,))
    color = get(m, bs, "color", TEXT)
    if len(color) != 7 or color[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in color[1:]):
        fail(m, "color", "#RRGGBB (a ColorField)", color)
    if args.stranger is not None:
        for method in ("GET_DASHBOARD_SETTINGS", "GET_BOT_SETTINGS"):
            r = d.call(P + method, [args.stranger], probe=True)
            if r.get("status") in (0, None) or "prefixes" in r or "title" in r:
                fail(P + method, "status (not an owner)", "a refusal such as {status: 1}", r)
    return ds, bs


def writes(d, args, variables, guild, ds, bs):
    """What the admin and guild forms send on submit, then read back, then restored."""
    # The profile form saved unchanged (its defaults are GET_VARIABLES' name and description):
    # nothing to do, and above all no rename (Discord allows two an hour).
    bot = variables["bot"]
    status_ok(d, P + "SET_BOT_PROFILE", [args.owner, {"avatar": "keep", "name": bot["name"], "profile_description": bot["profile_description"]}])
    equal(P + "SET_BOT_PROFILE", "GET_VARIABLES bot.name after an unchanged save", bot["name"],
          d.call(P + "GET_VARIABLES", [True, [WEB_HOST, WEB_PORT]], probe=True)["bot"]["name"])
    m = P + "SET_DASHBOARD_SETTINGS"
    changed = {k: ds[k] for k in DASHBOARD_SETTINGS}
    changed.update(title="Replay Dashboard", default_color="info")
    status_ok(d, m, [args.owner, changed])
    data = d.call(P + "GET_DATA", [])
    equal(m, "GET_DATA ui.meta.title after the change", "Replay Dashboard", data["ui"]["meta"]["title"])
    equal(m, "GET_DATA ui.meta.default_color after the change", "info", data["ui"]["meta"]["default_color"])
    status_ok(d, m, [args.owner, {k: ds[k] for k in DASHBOARD_SETTINGS}])

    m = P + "SET_CUSTOM_PAGES"
    pages = [{"title": "House Rules", "content": "Be **kind**.", "url": "house-rules"}]
    status_ok(d, m, [args.owner, pages])
    equal(m, "GET_DATA custom_pages after the change", pages, d.call(P + "GET_DATA", [])["custom_pages"])
    status_ok(d, m, [args.owner, []])

    status_ok(d, P + "SET_BOT_SETTINGS", [args.owner, {k: bs[k] for k in BOT_SETTINGS_SENT}])
    equal(P + "SET_BOT_SETTINGS", "GET_BOT_SETTINGS prefixes after an unchanged save", bs["prefixes"],
          d.call(P + "GET_BOT_SETTINGS", [args.owner])["prefixes"])
    if args.stranger is not None:
        # Not in the web app's form, but what `is_blacklisted` tests: an exact int in blacklisted_users.
        m = P + "SET_BOT_SETTINGS"
        status_ok(d, m, [args.owner, {"blacklist": [args.stranger]}])
        equal(m, "GET_VARIABLES bot.blacklisted_users after blacklisting", [args.stranger],
              d.call(P + "GET_VARIABLES", [True, [WEB_HOST, WEB_PORT]], probe=True)["bot"]["blacklisted_users"])
        status_ok(d, m, [args.owner, {"blacklist": bs.get("blacklist", [])}])

    if guild is None:
        return
    m = P + "SET_GUILD_SETTINGS"
    s = guild["settings"]
    form = {"bot_nickname": s["bot_nickname"], "prefixes": s["prefixes"],
            "admin_roles": [str(r["id"]) for r in s["admin_roles"]], "mod_roles": [str(r["id"]) for r in s["mod_roles"]],
            "ignored": s["ignored"], "disabled_commands": s["disabled_commands"], "embeds": s["embeds"],
            "use_bot_color": s["use_bot_color"], "fuzzy": s["fuzzy"], "delete_delay": s["delete_delay"],
            "locale": s["locale"], "regional_format": s["regional_format"]}
    role = guild["roles"][1:][:1]  # the form offers roles[1:]: every role but @everyone
    status_ok(d, m, [args.owner, args.guild, dict(form, prefixes=["?", "%%"], admin_roles=[str(r["id"]) for r in role])])
    after = d.call(P + "GET_GUILD", [args.owner, args.guild, False], probe=True)["settings"]
    # Order is the bot's (Red sorts them too); the form only joins them.
    equal(m, "GET_GUILD settings.prefixes after the change", ["%%", "?"], sorted(after["prefixes"]))
    equal(m, "GET_GUILD settings.admin_roles after the change", [r["id"] for r in role], [r["id"] for r in after["admin_roles"]])
    status_ok(d, m, [args.owner, args.guild, form])
    equal(m, "GET_GUILD settings.prefixes after restoring", sorted(s["prefixes"]),
          sorted(d.call(P + "GET_GUILD", [args.owner, args.guild, False], probe=True)["settings"]["prefixes"]))


def third_parties_and_webhooks(d, args):
    m = "DASHBOARDRPC_THIRDPARTIES__DATA_RECEIVE"
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    r = d.call(m, ["GET", "NoSuchParty", None, f"http://127.0.0.1:{WEB_PORT}/third-party/NoSuchParty", ["csrf", "csrf"],
                   key, {"user_id": args.owner}, {}, {}, {}, {"form": {}, "json": {}}, "en_US"])
    equal(m, "error_code", 404, r.get("error_code"))
    d.call("DASHBOARDRPC_THIRDPARTIES__OAUTH_RECEIVE", [args.owner, {"provider": "none", "url": "http://127.0.0.1/"}])
    m = "DASHBOARDRPC_WEBHOOKS__WEBHOOK_RECEIVE"
    payload = {"event": "replay", "origin": None, "headers": {"Content-Type": "application/json"},
               "user_agent": "replay", "request_args": {}}
    get(m, d.call(m, [payload]), "status", (int,))
