"""A local fake of Twilio's Messages API on 127.0.0.1: it records each request and answers
as told (a status, a JSON body, after a delay)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TWILIO = "sms.backends.twilio.SmsBackend"


class FakeTwilio:
    def __init__(self):
        self.requests = []
        self.status = 201
        self.body = {"sid": "SM123", "status": "queued"}
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization", ""),
                        "form": {
                            k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()
                        },
                    }
                )
                time.sleep(fake.delay)
                payload = json.dumps(fake.body).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
