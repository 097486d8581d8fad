"""Settings for bench/bench_serve.py only: the site's settings plus one bare JSON view.

Never shipped: the bare view exists only when the server runs with these settings.
"""

from ketaclinic.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_serve_urls"
