//! A project with an approved `echo` extension, made through the port: what the `ofb_*` tests
//! and `benches/ofb_throughput.rs` (which includes this file by path) start from.

use symphony::adapters::ofb::OfbClient;
use symphony::ports::data_access::*;

/// Creates a project named `name` with budget `cost_budget`, registers an `echo` extension in
/// it and approves it, all as `admin`; returns the admin's id and the project.
pub async fn project_with_echo(
    admin: &OfbClient,
    name: &str,
    cost_budget: f64,
) -> (UserId, ProjectId) {
    let key = IdempotencyKey::generate;
    let me = admin.current_user().await.unwrap().id;
    let request = NewProject {
        name: name.into(),
        cost_budget,
    };
    let project = admin.create_project(&request, &key()).await.unwrap().id;
    let extension = NewExtension {
        name: "echo".into(),
        version: None,
        permissions: vec![],
    };
    let extension = admin
        .register_extension(project, &extension, &key())
        .await
        .unwrap()
        .id;
    let grant = ExtensionGrant { granted: vec![] };
    admin
        .approve_extension(extension, &grant, &key())
        .await
        .unwrap();
    (me, project)
}
