"""Development settings: the product's settings plus the development tools app.

    DJANGO_SETTINGS_MODULE=ketaclinic_devtools.settings ketaclinic migrate
    DJANGO_SETTINGS_MODULE=ketaclinic_devtools.settings ketaclinic seed_registry --patients 10000

Production uses ketaclinic.config.settings, which never installs this app.
"""

from ketaclinic.config.settings import *  # noqa: F403
from ketaclinic.config.settings import INSTALLED_APPS as PRODUCT_APPS

INSTALLED_APPS = [*PRODUCT_APPS, "ketaclinic_devtools"]
