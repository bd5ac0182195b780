"""Roles and what each may do, defined in code and applied to Django groups by `setup_roles`.

A person can hold several roles (a coordinator is usually also a caseworker). Views check
capabilities (permissions), never role names, so a role's reach is changed here alone.
docs/roles.md is the readable form of this module; keep the two in step.
"""

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# codename -> description. Permissions on accounts.Capability.
CAPABILITIES = {
    "work_cases": "Work with the team's cases: read, log contacts, spend, raise issues",
    "run_debriefs": "Run the team's daily debrief",
    "see_all_teams": "See every team's cases, spend and issues",
    "review_spend": "Review purchase-card spend after the fact",
    "decide_holds": "Grant, decline and end enforcement holds",
    "import_cases": "Import a caseload from a spreadsheet",
    "read_purchases": "Read purchase records and their history",
    "export_purchases": "Export purchase records for audit",
    "read_access_log": "Read who looked at which record",
    "view_learning": "Read what the team's work is teaching us",
    "manage_service": "Manage users, teams, cards and budget pots",
    "read_issues": "Read every team's issue log and export it",
    "prepare_subject_access": "Mark what to withhold in a subject-access request",
    "handle_subject_access": "Start, release and download subject-access requests",
}

ROLE_CAPABILITIES: dict[Role, list[str]] = {
    Role.CASEWORKER: ["work_cases", "view_learning"],
    Role.COORDINATOR: ["work_cases", "run_debriefs", "view_learning", "prepare_subject_access"],
    Role.LEADER: [
        "see_all_teams", "review_spend", "decide_holds", "import_cases", "read_purchases",
        "export_purchases", "read_access_log", "view_learning", "read_issues",
        "prepare_subject_access", "handle_subject_access",
    ],
    Role.AUDITOR: ["read_purchases", "export_purchases", "read_issues"],
    Role.ADMIN: ["manage_service", "import_cases", "read_access_log", "prepare_subject_access",
                 "handle_subject_access"],
}

# Model permissions for the Django admin, which admins use to manage the service.
ROLE_MODEL_PERMISSIONS: dict[Role, list[str]] = {
    Role.ADMIN: [
        "accounts.add_user", "accounts.change_user", "accounts.view_user",
        "accounts.add_team", "accounts.change_team", "accounts.view_team",
        "accounts.add_membership", "accounts.change_membership", "accounts.delete_membership",
        "accounts.view_membership",
        "purchases.add_card", "purchases.change_card", "purchases.view_card",
        "purchases.add_budgetpot", "purchases.change_budgetpot", "purchases.view_budgetpot",
        # Resetting someone's two-step sign-in when they lose their phone.
        "otp_totp.view_totpdevice", "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice", "otp_static.delete_staticdevice",
        # What each retention run did, and the tombstones of anonymised cases (read only).
        "privacy.view_retentionrun", "privacy.view_tombstone",
    ],
}


def permissions_for(role: Role) -> list[str]:
    """Every permission the role's group holds, as `app_label.codename`."""
    return [f"accounts.{code}" for code in ROLE_CAPABILITIES[role]] + ROLE_MODEL_PERMISSIONS.get(
        role, []
    )
