"""Replays what Red-Dashboard's web app (the AAA3A fork, 1.7.x) asks a bot over RPC, in its
style, and checks every field its pages read, with the types its Python code needs.

The style is the web app's: websocket-client, ONE socket, lock-step send/recv behind a lock,
"id" 0, positional params, user and guild ids as Python ints. A check that fails prints
`FAIL <method> <field>: expected ..., got ...` on stderr and exits 1; each page that passes
prints `ok <page>` on stdout. This file is the client and the order of the pages;
dashboard_pages.py holds each page's calls and checks, dashboard_checks.py the field checks.

Usage: python3 dashboard_replay.py URL --owner ID [--admin ID] [--mod ID] [--member ID] [--stranger ID] [--guild ID]
         [--bot-id ID] [--secret S] [--redirect-uri U] [--command NAME=LEVEL ...]
         [--expect JSON] [--wait SECONDS] [--skip-writes] [--leave]
  --guild absent means the bot is in no guild (console mode).
  --expect is {"METHOD.path.to.field": value}, checked on each result of METHOD that a page
  reads (not on the refusals and variants the replay asks for on purpose).
Exit codes: 0 passed, 1 a check failed, 2 usage, 3 no websocket module, 4 cannot connect.
"""
import argparse
import json
import sys
import threading
import time

sys.dont_write_bytecode = True  # run from the checkout: leave no __pycache__ beside the test
try:
    import websocket  # Debian: python3-websocket (websocket-client), the library Red-Dashboard uses
except ImportError:
    print("cannot import websocket: install python3-websocket (apt-get install python3-websocket)", file=sys.stderr)
    sys.exit(3)

from dashboard_checks import P, Failure, equal, fail, get
from dashboard_pages import (admin_page, commands_page, dashboard_page, guild_page, login, startup, status_ok,
                             third_parties_and_webhooks, writes)


class Dashboard:
    """The web app's side of the socket: one connection, one lock, id 0."""

    def __init__(self, url, expect):
        self.ws = websocket.WebSocket()
        self.ws.connect(url)
        self.lock = threading.Lock()
        self.expect = expect
        self.last = None

    def reply(self, method, params):
        self.last = method
        with self.lock:
            self.ws.send(json.dumps({"jsonrpc": "2.0", "id": 0, "method": method, "params": params}))
            return json.loads(self.ws.recv())

    def call(self, method, params, probe=False):
        """The result as the web app's get_result takes it: any error or empty result is a failure.
        --expect values are checked on it unless it is a `probe` (a refusal or a variant asked on purpose)."""
        reply = self.reply(method, params)
        if reply.get("id") != 0:
            fail(method, "id", 0, reply.get("id"))
        if "error" in reply:
            fail(method, "error", "a result (the web app shows 'Not connected' or 'Something went wrong')", reply["error"])
        result = reply.get("result")
        if not result:
            fail(method, "result", "a non-empty result (empty reads as 'Not connected to bot')", result)
        if isinstance(result, dict) and result.get("disconnected", False):
            fail(method, "disconnected", "a connected bot", result)
        for path, value in ({} if probe else self.expect).items():
            name, _, field = path.partition(".")
            if name == method:
                equal(method, field, value, get(method, result, field))
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--owner", type=int, required=True)
    parser.add_argument("--member", type=int)
    parser.add_argument("--admin", type=int)
    parser.add_argument("--mod", type=int)
    parser.add_argument("--stranger", type=int)
    parser.add_argument("--guild", type=int)
    parser.add_argument("--bot-id", type=int)
    parser.add_argument("--secret")
    parser.add_argument("--redirect-uri")
    parser.add_argument("--command", action="append", default=[])
    parser.add_argument("--expect", type=json.loads, default={})
    parser.add_argument("--wait", type=float, default=0)
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--leave", action="store_true")
    args = parser.parse_args()
    try:
        d = Dashboard(args.url, args.expect)
    except (OSError, websocket.WebSocketException) as error:
        print(f"cannot connect to {args.url}: {error}", file=sys.stderr)
        return 4
    try:
        # Started after the bot, as a user would: wait (bounded) until the methods stop answering {disconnected}.
        deadline = time.monotonic() + args.wait
        while args.wait > 0:
            reply = d.reply(P + "CHECK_VERSION", [])
            if isinstance(reply.get("result"), dict) and not reply["result"].get("disconnected") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        data, variables = startup(d, args)
        print("ok start-up (GET_DATA, GET_VARIABLES)")
        m = P + "CHECK_VERSION"
        version = get(m, d.call(m, []), "version", (int,))
        equal(m, "version (unchanged between polls)", version, get(m, d.call(m, []), "version", (int,)))
        print("ok version poll")
        commands_page(variables, args)
        print("ok /commands")
        login(data, variables, args)
        print("ok /login")
        dashboard_page(d, args)
        print("ok /dashboard")
        guild = guild_page(d, variables, args)
        print("ok /dashboard/<guild>")
        ds, bs = admin_page(d, args)
        print("ok /admin")
        if not args.skip_writes:
            writes(d, args, variables, guild, ds, bs)
            print("ok settings saved and restored")
        third_parties_and_webhooks(d, args)
        print("ok third parties, webhook")
        m = P + "LEAVE_GUILD"
        if args.stranger is not None and args.guild is not None:
            if d.call(m, [args.stranger, args.guild], probe=True).get("status") == 0:
                fail(m, "status (not an owner)", "a refusal", 0)
        if args.leave and args.guild is not None:
            status_ok(d, m, [args.owner, args.guild])
            print("ok left the guild")
    except Failure as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1
    except (OSError, websocket.WebSocketException, json.JSONDecodeError) as error:
        # The socket closed or a frame was not JSON: what the web app logs as "Connection reset".
        print(f"FAIL {d.last} connection: expected a reply, got {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        d.ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
