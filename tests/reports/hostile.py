"""A local HTTP server that counts every request (and redirects /redirect to /target), for the fetch tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CountingServer:
    def __init__(self):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                hits.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                body = b"body { background: red; }"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def hostile_snippets(url: str) -> list[str]:
    """Markup that would make an unguarded renderer fetch or embed something."""
    return [
        '<a href="file:///etc/passwd">passwd</a>',
        f'<img src="{url}/img.png">',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        '<img src="file:///etc/passwd">',
        f'<link rel="stylesheet" href="{url}/style.css">',
        f"<style>@import url('{url}/import.css'); @import url('file:///etc/hostname');</style>",
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<image xlink:href="{url}/svg.png" width="10" height="10"/><use xlink:href="{url}/sprite.svg#a"/></svg>',
        f'<img src="{url}/redirect">',
        f'<a rel="attachment" href="{url}/attach.txt">a</a>',
        '<a rel="attachment" href="file:///etc/passwd">b</a>',
        f'<div class="x" style="background: url({url}/bg.png)">bg</div>',
        f'<iframe src="{url}/frame"></iframe><object data="{url}/obj"></object><embed src="{url}/embed">',
    ]
