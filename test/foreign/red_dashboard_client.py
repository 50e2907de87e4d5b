"""A client in the style of Red-Dashboard: websocket-client, one connection, lock-step calls
that all use "id": 0 and read the next frame as the reply. Prints each reply as one JSON line.

Usage: python3 red_dashboard_client.py PORT
"""
import json
import sys

try:
    import websocket  # Debian: python3-websocket (websocket-client), the library Red-Dashboard uses
except ImportError:
    print("cannot import websocket: install python3-websocket (apt-get install python3-websocket)", file=sys.stderr)
    sys.exit(3)

port = int(sys.argv[1])
ws = websocket.create_connection(f"ws://localhost:{port}/", timeout=10)


def call(method, params=None):
    request = {"jsonrpc": "2.0", "id": 0, "method": method}
    if params is not None:
        request["params"] = params
    ws.send(json.dumps(request))
    return json.loads(ws.recv())


print(json.dumps(call("GET_METHODS")), flush=True)
print(json.dumps(call("CORE__LOAD", {"args": [["general"]], "kwargs": {}})), flush=True)
print(json.dumps(call("GET_METHOD_INFO", ["CORE__LOAD"])), flush=True)
print(json.dumps(call("NOT_A_METHOD")), flush=True)
ws.close()
