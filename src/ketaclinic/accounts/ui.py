"""Navigation of the accounts app: staff administration and your own account."""

from ketaclinic.core.ui import NavItem, register_nav_item

register_nav_item(NavItem("Staff", "accounts:staff", "staff.view", order=85))
register_nav_item(NavItem("Account", "accounts:account", "account.manage_own", order=95))
