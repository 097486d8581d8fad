"""Actions of the network views: what the network roles may read across their organization's
locations (never a patient's record)."""

from ketaclinic.core.permissions import Role, define_table

NETWORK_READERS = {Role.NETWORK_ADMIN, Role.NETWORK_COMPLIANCE, Role.NETWORK_ANALYST}

define_table(
    [
        (
            "network.view",
            "See the organization's locations (name, time zone, DEA registration)",
            NETWORK_READERS,
        ),
        (
            "network.view_compliance",
            "See every location's ledger verification status and latest checkpoint",
            {Role.NETWORK_ADMIN, Role.NETWORK_COMPLIANCE},
        ),
        (
            "network.view_outcomes",
            "See course outcomes and equity by location and for the network, small cells "
            "suppressed",
            NETWORK_READERS,
        ),
        (
            "network.view_capacity",
            "See chair utilisation by location and for the network",
            NETWORK_READERS,
        ),
        (
            "network.view_diversion",
            "See every location's diversion signals (kinds and staff flagged)",
            {Role.NETWORK_COMPLIANCE},
        ),
    ],
    area="network",
)
