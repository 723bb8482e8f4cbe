#!/usr/bin/env python3
"""A fake Kubernetes API server over TLS for the AZ resolver tests (stdlib only).

  fake_k8s_api.py CERT KEY TOKEN [BIND]
      Serves HTTPS on BIND (default 127.0.0.1) port 0 and prints the port on the first stdout line.
      Only GET /api/v1/nodes/<name> with "Authorization: Bearer TOKEN" gets an answer (else 401 or
      404/405); the node name picks the behaviour, see NODES below.
"""
import json
import socket
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def node(labels):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"name": "n", "uid": "0", "labels": labels,
                         "annotations": {"node.alpha.kubernetes.io/ttl": "0"}}}


NODES = {
    "node-a": (200, node({"kubernetes.io/hostname": "node-a", "topology.kubernetes.io/region": "region-1",
                          "topology.kubernetes.io/zone": "zone-a"})),
    "node-eks": (200, node({"topology.kubernetes.io/zone": "us-east-1a", "topology.k8s.aws/zone-id": "use1-az1"})),
    "node-legacy": (200, node({"failure-domain.beta.kubernetes.io/zone": "zone-legacy"})),
    "node-both": (200, node({"failure-domain.beta.kubernetes.io/zone": "zone-old",
                             "topology.kubernetes.io/zone": "zone-new"})),
    "node-nolabel": (200, node({"kubernetes.io/hostname": "node-nolabel"})),
    "node-badlabel": (200, node({"topology.kubernetes.io/zone": "zone a; $(reboot)"})),
    "node-garbage": (200, "<html>not json</html>"),
    "node-forbidden": (403, {"kind": "Status", "reason": "Forbidden", "code": 403}),
    "node-error": (500, {"kind": "Status", "reason": "InternalError", "code": 500}),
    "node-big": (200, node({"topology.kubernetes.io/zone": "zone-a", "padding": "x" * (2 * 1024 * 1024)})),
    "node-hang": (None, None),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = ""

    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass  # the client stopped reading (oversized answer)
        self.close_connection = True

    def do_GET(self):
        if self.headers.get("Authorization") != "Bearer " + self.token:
            return self.send(401, {"kind": "Status", "reason": "Unauthorized", "code": 401})
        prefix = "/api/v1/nodes/"
        if not self.path.startswith(prefix) or "?" in self.path:
            return self.send(404, {"kind": "Status", "reason": "NotFound", "code": 404})
        if "application/json" not in self.headers.get("Accept", ""):
            return self.send(406, {"kind": "Status", "reason": "NotAcceptable", "code": 406})
        name = self.path[len(prefix):]
        status, body = NODES.get(name, (404, {"kind": "Status", "reason": "NotFound", "code": 404}))
        if status is None:
            time.sleep(60)
            return
        self.send(status, body)

    def do_PUT(self):
        self.send(405, {"kind": "Status", "reason": "MethodNotAllowed", "code": 405})

    do_POST = do_PUT


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # failed handshakes (the wrong-CA test) are expected


def serve(cert, key, token, bind):
    Handler.token = token
    Server.address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    server = Server((bind, 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    serve(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else "127.0.0.1")


if __name__ == "__main__":
    main()
