"""Navigation of the accounts app: staff administration and your own account."""

from ketaclinic.core.ui import NavItem, register

register(
    nav=[
        NavItem("Staff", "accounts:staff", "staff.view", order=85),
        NavItem("Account", "accounts:account", "account.manage_own", order=95),
    ],
)
