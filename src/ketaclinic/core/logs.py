"""Log records without secrets: the token of a patient's self-report link is taken out of every
message that names its path (Django's "Not Found: /r/<token>/", a rate-limited or CSRF-refused
request, the development server's request lines). Anyone holding a token can answer that
patient's questionnaire, so it must not reach a log file (the production access log is
redacted by `core.serving.AccessLogger`)."""

from __future__ import annotations

import logging
import re

# The path segment after /r/ (the thank-you page /r/done/ carries no token).
LINK_TOKEN = re.compile(r"(?<=/r/)(?!done/)[^/\s\"'?#]+")


def redact_link_tokens(text: str) -> str:
    return LINK_TOKEN.sub("<token>", text)


class LinkTokenFilter(logging.Filter):
    """Rewrites a record whose message names a self-report link, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact_link_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None and LINK_TOKEN.search(getattr(request, "path", "")):
            record.request = None  # its path (and so the token) would reach a formatter
        return True
