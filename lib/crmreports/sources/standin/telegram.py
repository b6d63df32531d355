"""A stand-in for the Telegram Bot API on loopback, for the delivery tests.

Answers ``POST /bot<token>/sendMessage`` (JSON or form) and ``/sendDocument`` (multipart) like the Bot API
(``{"ok": true, "result": {...}}``), records each request, and can fail on purpose: a wrong token is
``401 Unauthorized``, a chat in ``unknown_chats`` is ``400 Bad Request: chat not found``, and
:meth:`TelegramStandIn.fail_next` makes the next requests fail with a given code.

    with TelegramStandIn(token="123:abc") as bot:
        os.environ["TELEGRAM_API_BASE"] = bot.base_url
        ...
        bot.messages  # [{"method": "sendMessage", "chat_id": "42", "text": ...}, ...]
"""

from __future__ import annotations

import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

from .loopback import LoopbackServer


class TelegramStandIn(LoopbackServer):
    def __init__(self, token: str, host: str = "127.0.0.1", unknown_chats: tuple[str, ...] = ()):
        self.token = token
        self.unknown_chats = {str(c) for c in unknown_chats}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self._faults: list[tuple[int, str]] = []
        super().__init__(host)
        self._seq = 0

    # ---------------------------------------------------------------------------------------- state

    def fail_next(self, code: int = 500, times: int = 1, description: str = "Internal Server Error") -> None:
        """The next ``times`` requests fail with ``code`` (429 carries ``retry_after: 0``)."""
        with self.lock:
            self._faults.extend([(code, description)] * times)

    @property
    def messages(self) -> list[dict]:
        """The accepted requests (sendMessage and sendDocument), in order."""
        with self.lock:
            return [r for r in self.requests if r.get("accepted")]

    def documents(self, chat_id: str | int | None = None) -> list[dict]:
        return [
            r
            for r in self.messages
            if r["method"] == "sendDocument" and (chat_id is None or r["chat_id"] == str(chat_id))
        ]

    def texts(self, chat_id: str | int | None = None) -> list[str]:
        return [
            r["text"]
            for r in self.messages
            if r["method"] == "sendMessage" and (chat_id is None or r["chat_id"] == str(chat_id))
        ]

    def _answer(self, path: str, fields: dict, files: dict) -> tuple[int, dict]:
        entry = {"path": path, "accepted": False, **fields, **files}
        with self.lock:
            self.requests.append(entry)
            parts = path.strip("/").split("/")
            if len(parts) != 2 or not parts[0].startswith("bot"):
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            token, method = parts[0][3:], parts[1]
            entry["method"] = method
            if token != self.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if self._faults:
                code, description = self._faults.pop(0)
                body = {"ok": False, "error_code": code, "description": description}
                if code == 429:
                    body["parameters"] = {"retry_after": 0}
                return code, body
            if method not in ("sendMessage", "sendDocument"):
                return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            chat = str(fields.get("chat_id", ""))
            if not chat:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
            if chat in self.unknown_chats:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            if method == "sendMessage" and not fields.get("text"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            if method == "sendDocument" and "document" not in files:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: there is no document"}
            entry["accepted"] = True
            self._seq += 1
            result = {"message_id": self._seq, "date": int(time.time()), "chat": {"id": chat}}
            if method == "sendMessage":
                result["text"] = fields["text"]
            else:
                doc = files["document"]
                result["document"] = {"file_name": doc["filename"], "file_size": len(doc["content"])}
            return 200, {"ok": True, "result": result}


class _Handler(BaseHTTPRequestHandler):
    srv: TelegramStandIn

    def log_message(self, *args) -> None:  # the URL holds the token: never print it
        pass

    def do_GET(self) -> None:
        self._reply(405, {"ok": False, "error_code": 405, "description": "Method Not Allowed"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        ctype = self.headers.get("Content-Type") or ""
        fields, files = {}, {}
        try:
            if ctype.startswith("application/json"):
                fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(raw).items()}
            elif ctype.startswith("multipart/form-data"):
                fields, files = _multipart(ctype, raw)
            else:
                fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        except ValueError:
            self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: cannot parse the body"})
            return
        code, body = self.srv._answer(self.path, fields, files)
        self._reply(code, body)

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _multipart(ctype: str, raw: bytes) -> tuple[dict, dict]:
    msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
    if not msg.is_multipart():
        raise ValueError("not multipart")
    fields, files = {}, {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        content = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = {"filename": filename, "content": content, "content_type": part.get_content_type()}
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


TelegramStandIn.handler = _Handler
TelegramStandIn.thread_name = "telegram-stand-in"
