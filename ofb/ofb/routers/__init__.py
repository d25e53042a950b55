"""One router per resource; `ALL` is what the app mounts, in this order."""

from ofb.routers import audit, extensions, health, members, projects, runs, users, workflows

ALL = (
    health.router,
    users.router,
    projects.router,
    members.router,
    extensions.router,
    workflows.router,
    runs.router,
    audit.router,
)
