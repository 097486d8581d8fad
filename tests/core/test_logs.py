"""Self-report link tokens never reach a log message."""

import logging

from ketaclinic.core.logs import LinkTokenFilter, redact_link_tokens

TOKEN = "QzJDd3VxQ0hqTm9sM2ZyWnJ2c0hqTm9sM2ZyWnJ2c0g"


def test_a_link_token_is_taken_out_wherever_the_path_appears():
    assert redact_link_tokens(f'"GET /r/{TOKEN}/ HTTP/1.1" 200 5120') == (
        '"GET /r/<token>/ HTTP/1.1" 200 5120'
    )
    assert redact_link_tokens(f"link https://clinic.example/r/{TOKEN}/ sent") == (
        "link https://clinic.example/r/<token>/ sent"
    )
    assert redact_link_tokens(f"Forbidden (CSRF cookie not set.): /r/{TOKEN}/") == (
        "Forbidden (CSRF cookie not set.): /r/<token>/"
    )
    # the thank-you page carries no token, and other paths are left alone
    assert redact_link_tokens("GET /r/done/ 200") == "GET /r/done/ 200"
    assert redact_link_tokens("GET /patients/42/ 200") == "GET /patients/42/ 200"


def test_the_filter_rewrites_the_record_every_handler_sees():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Not Found", f"/r/{TOKEN}/"),
        None,
    )
    assert LinkTokenFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /r/<token>/"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "%s rows", (3,), None)
    LinkTokenFilter().filter(plain)
    assert (plain.msg, plain.args) == ("%s rows", (3,))


def test_a_malformed_log_call_is_left_for_the_handler_to_report():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%s and %s", ("one",), None)
    assert LinkTokenFilter().filter(record) is True
    assert (record.msg, record.args) == ("%s and %s", ("one",))
