"""Business rules only OFB knows: budget, workflow validation, approvals, runs, versions."""

from __future__ import annotations

from support import Api, World, is_problem, slug, workflow_body


def steps(*pairs: tuple[str, str]) -> list[dict]:
    return [{"name": n, "command": c} for n, c in pairs]


# --- cost budget (P's budget is 1000; the world's workflow W costs 10) ------------------------


def test_budget_counts_the_other_live_workflows(api: Api, world: World) -> None:
    creator = world.ids["creator"]
    api.ok(api.post("/workflows", "creator", workflow_body(creator, world.project, cost=990)), 201)  # 10 + 990 = 1000
    body = is_problem(api.post("/workflows", "creator", workflow_body(creator, world.project, cost=0.5)), 400)
    assert slug(body) == "budget-exceeded"
    assert body["cost_budget"] == 1000 and body["committed_cost"] == 1000 and body["estimated_cost"] == 0.5
    assert "budget" in body["detail"]
    assert api.get(f"/projects/{world.project}", "auditor").json()["committed_cost"] == 1000


def test_a_single_workflow_over_budget_is_refused(api: Api, world: World) -> None:
    body = is_problem(
        api.post("/workflows", "creator", workflow_body(world.ids["creator"], world.project, cost=1000.01)), 400
    )
    assert slug(body) == "budget-exceeded"
    assert len(api.get(f"/projects/{world.project}/workflows", "creator").json()) == 1


def test_an_update_is_budgeted_without_its_own_old_cost(api: Api, world: World) -> None:
    update = {"spec": {"name": "w", "steps": steps(("a", "echo"))}, "estimated_cost": 1000, "version": 1}
    assert api.put(f"/workflows/{world.workflow}", "creator", update).status_code == 200
    update = {"spec": {"name": "w", "steps": steps(("a", "echo"))}, "estimated_cost": 1000.5, "version": 2}
    assert slug(is_problem(api.put(f"/workflows/{world.workflow}", "creator", update), 400)) == "budget-exceeded"


def test_deleted_workflows_free_their_budget(api: Api, world: World) -> None:
    creator = world.ids["creator"]
    is_problem(api.post("/workflows", "creator", workflow_body(creator, world.project, cost=995)), 400)
    assert api.delete(f"/workflows/{world.workflow}", "creator").status_code == 204
    api.ok(api.post("/workflows", "creator", workflow_body(creator, world.project, cost=995)), 201)


def test_a_lower_budget_applies_to_later_changes(api: Api, world: World) -> None:
    assert api.patch(f"/projects/{world.project}", "admin", {"cost_budget": 5}).json()["cost_budget"] == 5
    assert api.get(f"/workflows/{world.workflow}", "creator").status_code == 200  # kept
    is_problem(api.post("/workflows", "creator", workflow_body(world.ids["creator"], world.project, cost=0)), 400)


# --- workflow validation ---------------------------------------------------------------------


def test_duplicate_step_names_are_refused_naming_the_step(api: Api, world: World) -> None:
    body = workflow_body(world.ids["creator"], world.project, steps=steps(("a", "echo"), ("b", "echo"), ("a", "echo")))
    problem = is_problem(api.post("/workflows", "creator", body), 400)
    assert slug(problem) == "invalid-workflow"
    assert "'a'" in problem["detail"]
    assert problem["errors"] == [
        {"pointer": "#/spec/steps/2/name", "location": "body", "detail": problem["errors"][0]["detail"]}
    ]


def test_unknown_and_unapproved_commands_are_refused_naming_the_step(api: Api, world: World) -> None:
    body = workflow_body(
        world.ids["creator"], world.project, steps=steps(("ok", "echo"), ("lint it", "lint"), ("deploy", "kubectl"))
    )
    problem = is_problem(api.post("/workflows", "creator", body), 400)
    assert slug(problem) == "invalid-workflow"
    assert [e["pointer"] for e in problem["errors"]] == ["#/spec/steps/1/command", "#/spec/steps/2/command"]
    assert "'lint it'" in problem["errors"][0]["detail"] and "pending" in problem["errors"][0]["detail"]
    assert "'deploy'" in problem["errors"][1]["detail"] and "not an extension" in problem["errors"][1]["detail"]
    assert "lint it" in problem["detail"]


def test_an_extension_of_another_project_does_not_count(api: Api, world: World) -> None:
    api.ok(
        api.post(f"/projects/{world.other_project}/extensions", "outsider", {"name": "deploy", "permissions": []}), 201
    )
    body = workflow_body(world.ids["creator"], world.project, steps=steps(("d", "deploy")))
    assert slug(is_problem(api.post("/workflows", "creator", body), 400)) == "invalid-workflow"


def test_empty_and_blank_workflows_are_refused(api: Api, world: World) -> None:
    for spec in (
        {"name": "w", "steps": []},
        {"name": "  ", "steps": steps(("a", "echo"))},
        {"name": "w", "steps": steps((" ", "echo"))},
    ):
        body = {**workflow_body(world.ids["creator"], world.project), "spec": spec}
        assert slug(is_problem(api.post("/workflows", "creator", body), 400)) == "validation-error"


# --- extensions ---------------------------------------------------------------------------


def test_approval_grants_a_subset_of_what_was_requested(api: Api, world: World) -> None:
    ext = api.get(f"/extensions/{world.extension}", "executor").json()
    assert ext["requested"] == ["fs:read", "net"] and ext["granted"] == ["fs:read"] and ext["status"] == "approved"
    problem = is_problem(
        api.put(f"/extensions/{world.extension}/approval", "admin", {"granted": ["fs:read", "fs:write"]}), 400
    )
    assert slug(problem) == "invalid-grant"
    assert problem["errors"][0]["pointer"] == "#/granted/1"
    assert api.get(f"/extensions/{world.extension}", "executor").json()["granted"] == ["fs:read"]


def test_duplicate_permissions_are_refused(api: Api, world: World) -> None:
    problem = is_problem(
        api.post(f"/projects/{world.project}/extensions", "creator", {"name": "x", "permissions": ["a", "a"]}), 400
    )
    assert problem["errors"][0]["pointer"] == "#/permissions/1"


def test_approving_a_pending_extension_makes_it_usable(api: Api, world: World) -> None:
    body = workflow_body(world.ids["creator"], world.project, steps=steps(("l", "lint")))
    is_problem(api.post("/workflows", "creator", body), 400)
    approved = api.put(f"/extensions/{world.pending_extension}/approval", "admin", {"granted": []}).json()
    assert (
        approved["status"] == "approved" and approved["granted"] == [] and approved["decided_by"] == world.ids["admin"]
    )
    api.ok(api.post("/workflows", "creator", body), 201)


# --- runs -------------------------------------------------------------------------------------


def test_a_run_of_a_revoked_command_is_refused(api: Api, world: World) -> None:
    assert api.delete(f"/extensions/{world.extension}/approval", "admin").json()["status"] == "revoked"
    problem = is_problem(api.post(f"/workflows/{world.workflow}/runs", "executor"), 400)
    assert slug(problem) == "unapproved-command"
    assert "'fetch'" in problem["detail"]
    api.put(f"/extensions/{world.extension}/approval", "admin", {"granted": []})
    assert api.post(f"/workflows/{world.workflow}/runs", "executor").status_code == 201


def test_run_progress_is_summarised(api: Api, world: World) -> None:
    run = api.get(f"/runs/{world.run}", "auditor").json()
    assert run["state"] == "pending" and run["workflow_version"] == 1 and run["started_by"] == world.ids["executor"]
    assert run["summary"] == {
        "total": 2,
        "pending": 2,
        "queued": 0,
        "running": 0,
        "completed": 0,
        "failed": 0,
        "skipped": 0,
    }
    api.ok(
        api.patch(
            f"/runs/{world.run}",
            "executor",
            {"state": "running", "nodes": [{"name": "fetch", "state": "completed", "duration_ms": 12}]},
        ),
        200,
    )
    run = api.ok(
        api.patch(
            f"/runs/{world.run}", "executor", {"nodes": [{"name": "test", "state": "failed", "message": "3 failures"}]}
        ),
        200,
    )
    assert run["summary"] == {
        "total": 2,
        "pending": 0,
        "queued": 0,
        "running": 0,
        "completed": 1,
        "failed": 1,
        "skipped": 0,
    }
    assert run["nodes"] == [
        {"name": "fetch", "state": "completed", "duration_ms": 12, "message": None},
        {"name": "test", "state": "failed", "duration_ms": None, "message": "3 failures"},
    ]
    run = api.ok(api.patch(f"/runs/{world.run}", "executor", {"state": "failed"}), 200)
    assert run["state"] == "failed"
    assert api.get(f"/workflows/{world.workflow}/runs", "creator").json() == [run]


def test_a_finished_run_takes_no_more_changes(api: Api, world: World) -> None:
    api.ok(api.patch(f"/runs/{world.run}", "executor", {"state": "cancelled"}), 200)
    assert api.patch(f"/runs/{world.run}", "executor", {"state": "cancelled"}).status_code == 200  # no change
    assert slug(is_problem(api.patch(f"/runs/{world.run}", "executor", {"state": "running"}), 409)) == "run-finished"
    is_problem(api.patch(f"/runs/{world.run}", "executor", {"nodes": [{"name": "fetch", "state": "completed"}]}), 409)


def test_node_records_must_name_steps_of_the_run(api: Api, world: World) -> None:
    problem = is_problem(
        api.patch(
            f"/runs/{world.run}",
            "executor",
            {"nodes": [{"name": "fetch", "state": "running"}, {"name": "nope", "state": "running"}]},
        ),
        400,
    )
    assert slug(problem) == "invalid-run-update" and problem["errors"][0]["pointer"] == "#/nodes/1/name"


def test_a_run_keeps_the_version_it_started_with(api: Api, world: World) -> None:
    update = {"spec": {"name": "w", "steps": steps(("only", "echo"))}, "estimated_cost": 1, "version": 1}
    api.ok(api.put(f"/workflows/{world.workflow}", "creator", update), 200)
    assert api.get(f"/runs/{world.run}", "executor").json()["summary"]["total"] == 2
    new_run = api.ok(api.post(f"/workflows/{world.workflow}/runs", "executor"), 201)
    assert new_run["workflow_version"] == 2 and new_run["summary"]["total"] == 1


# --- versions -------------------------------------------------------------------------------


def test_every_version_is_kept_and_stale_versions_conflict(api: Api, world: World) -> None:
    for version in (1, 2, 3):
        update = {
            "spec": {"name": f"v{version + 1}", "steps": steps(("a", "echo"))},
            "estimated_cost": version,
            "version": version,
        }
        assert api.put(f"/workflows/{world.workflow}", "creator", update).json()["version"] == version + 1
    stale = {"spec": {"name": "late", "steps": steps(("a", "echo"))}, "estimated_cost": 1, "version": 2}
    problem = is_problem(api.put(f"/workflows/{world.workflow}", "admin", stale), 409)
    assert slug(problem) == "version-conflict" and problem["current_version"] == 4
    versions = api.get(f"/workflows/{world.workflow}/versions", "auditor").json()
    assert [v["version"] for v in versions] == [1, 2, 3, 4]
    assert [v["spec"]["name"] for v in versions] == ["build", "v2", "v3", "v4"]
    assert versions[0]["author_id"] == world.ids["creator"]


def test_a_deleted_workflow_is_gone(api: Api, world: World) -> None:
    assert api.delete(f"/workflows/{world.workflow}?version=1", "admin").status_code == 204
    is_problem(api.get(f"/workflows/{world.workflow}", "admin"), 404)
    is_problem(api.get(f"/workflows/{world.workflow}/versions", "admin"), 404)
    is_problem(api.delete(f"/workflows/{world.workflow}", "admin"), 404)
    assert api.get(f"/projects/{world.project}/workflows", "admin").json() == []
    assert api.get(f"/runs/{world.run}", "admin").status_code == 200  # history stays


# --- members ----------------------------------------------------------------------------------


def test_admin_manages_members(api: Api, world: World) -> None:
    spare = world.ids["spare"]
    added = api.ok(
        api.post(f"/projects/{world.project}/members", "admin", {"username": "spare", "role": "Auditor"}), 201
    )
    assert added["user_id"] == spare and added["role"] == "Auditor"
    assert api.get(f"/projects/{world.project}/audit", "spare").status_code == 200
    api.ok(api.put(f"/projects/{world.project}/members/{spare}", "admin", {"role": "Executor"}), 200)
    is_problem(api.get(f"/projects/{world.project}/audit", "spare"), 403)
    assert api.delete(f"/projects/{world.project}/members/{spare}", "admin").status_code == 204
    is_problem(api.get(f"/projects/{world.project}", "spare"), 404)
    is_problem(api.delete(f"/projects/{world.project}/members/{spare}", "admin"), 404)
    problem = is_problem(
        api.post(f"/projects/{world.project}/members", "admin", {"username": "ghost", "role": "Auditor"}), 400
    )
    assert slug(problem) == "unknown-user"


def test_a_second_admin_lets_the_first_step_down(api: Api, world: World) -> None:
    api.ok(api.put(f"/projects/{world.project}/members/{world.ids['creator']}", "admin", {"role": "Admin"}), 200)
    api.ok(api.put(f"/projects/{world.project}/members/{world.ids['admin']}", "admin", {"role": "Auditor"}), 200)
    is_problem(api.patch(f"/projects/{world.project}", "admin", {"name": "mine"}), 403)
    assert api.patch(f"/projects/{world.project}", "creator", {"name": "mine"}).json()["name"] == "mine"


def test_project_creator_becomes_admin(empty_api: Api) -> None:
    empty_api.register("zoe")
    project = empty_api.ok(empty_api.post("/projects", "zoe", {"name": "z", "cost_budget": 0}), 201)
    assert project["role"] == "Admin" and project["committed_cost"] == 0
    members = empty_api.get(f"/projects/{project['id']}/members", "zoe").json()
    assert [(m["username"], m["role"]) for m in members] == [("zoe", "Admin")]
