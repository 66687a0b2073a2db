# SPDX-License-Identifier: GPL-2.0-or-later
# receiver.py - test HTTP(S) server on 127.0.0.1 for tests/obs/: records each request (path, Authorization, body) as a JSON line and answers as its mode says.
#
# usage: python3 receiver.py MODE PORTFILE LOGFILE [CERT KEY]
#   MODE ok (200), 500 (500 with control bytes in the body), garbage (no
#   HTTP at all), hang (reads the request, never answers)
#   PORTFILE gets the port (bound to 0: no race); CERT KEY: HTTPS
import http.server
import json
import socketserver
import ssl
import sys
import threading
import time

mode, portfile, logfile = sys.argv[1:4]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(min(n, 1 << 20)).decode('utf-8', 'replace')
        rec = {'t': time.time(), 'path': self.path,
               'auth': self.headers.get('Authorization'), 'body': body}
        with lock, open(logfile, 'a') as f:
            f.write(json.dumps(rec) + '\n')
        if mode == 'hang':
            time.sleep(3600)
        elif mode == 'garbage':
            self.wfile.write(b'\x00\xffnot http at all\r\n\r\n')
            self.close_connection = True
        elif mode == '500':
            msg = b'boom \x1b[31mred\x07 ' + b'x' * 300
            self.send_response(500)
            self.send_header('Content-Length', str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
        else:
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.end_headers()

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(('127.0.0.1', 0), Handler)
if len(sys.argv) > 5:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + '.tmp', portfile)
srv.serve_forever()
