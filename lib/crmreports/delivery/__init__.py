"""Delivery of a built pack: who gets which documents, the messages, the channels and the delivery log.

- :mod:`.settings`: ``params/delivery.yaml`` (recipients, chats, language, size limit) and the SMTP/Telegram
  settings, which come from the environment (or the git-ignored ``.env``) only, never from YAML.
- :mod:`.recipients`: who gets what, from the store's users and the settings (pure).
- :mod:`.messages`: subject and body with the headline figures and the biggest changes (pure), the combined
  PDF per scope (pypdf) and the size limit with its zip and link fallbacks.
- :mod:`.channels`: SMTP and the Telegram Bot API, thin; no secret ever in an error, a log line or an exception.
- :mod:`.log`: the ``delivery_log`` table in the store: a message logged as sent is not sent again.
- :mod:`.deliver`: :func:`~.deliver.deliver` (dry run, resend) and :func:`~.deliver.notify_failure`.

Importing the package registers its labels (``delivery.*`` here; the alerts' and the archive's labels in
:mod:`.alert_labels`).
"""

from __future__ import annotations

from ..core.labels import register
from . import alert_labels, labels

register(
    "delivery",
    {**labels.TEXT, **getattr(alert_labels, "TEXT", {}), **getattr(alert_labels, "ALERT_TEXT", {})},
)
