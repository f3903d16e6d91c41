//! `/_emulator/ui/`: the web console. Plain server-rendered pages (pools, a pool's users with
//! search and pagination, a user) and a little JavaScript for the actions, which call the same
//! API and `/_emulator/` endpoints a script would, and for the live outbox and request log.

use crate::http::oauth2::html_escape as esc;
use crate::ops;
use crate::state::{App, Ctx, RequestInfo};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn router() -> Router<App> {
    Router::new()
        .route(
            "/ui",
            get(|| async { axum::response::Redirect::permanent("/_emulator/ui/") }),
        )
        .route("/ui/", get(home))
        .route("/ui/pools/{pool_id}", get(pool))
        .route("/ui/pools/{pool_id}/users/{username}", get(user))
}

/// Users per page: ListUsers' largest page.
const PAGE: i64 = 60;

/// Runs an API operation as the API would (validation aside: the console builds its bodies).
async fn api(app: &App, operation: &'static str, body: Value) -> Result<Value, String> {
    let ctx = Ctx::new(app, operation, RequestInfo::of(operation, &body));
    match ops::dispatch(operation, ctx, body) {
        Some(f) => f
            .await
            .map_err(|e| format!("{}: {}", e.code, e.message.unwrap_or_default()))
            .and_then(|body| serde_json::from_slice(&body).map_err(|e| e.to_string())),
        None => Err(format!("{operation} is not implemented")),
    }
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>{t} · cognito-emulator</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222}} table{{border-collapse:collapse;margin:.5em 0}}
td,th{{border:1px solid #ccc;padding:.25em .5em;text-align:left;font-size:.9em;vertical-align:top}}
th{{background:#f3f3f3}} section{{margin-bottom:1.5em}} h2{{font-size:1.1em;margin-bottom:.3em}}
button{{margin:.1em}} #status{{color:#a00}} code{{font-size:.9em}}
</style></head><body>
<p><a href="/_emulator/ui/">cognito-emulator console</a> · <span id="status"></span></p>
<h1>{t}</h1>
{body}
<script>
async function call(path, method, body) {{
  const r = await fetch(path, {{method, headers: {{'content-type': 'application/json'}},
    body: body === undefined ? undefined : JSON.stringify(body)}});
  const text = await r.text();
  if (!r.ok) {{ document.getElementById('status').textContent = r.status + ' ' + text; throw new Error(text); }}
  return text ? JSON.parse(text) : {{}};
}}
async function api(op, body) {{
  const r = await fetch('/', {{method: 'POST', headers: {{'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSCognitoIdentityProviderService.' + op}}, body: JSON.stringify(body)}});
  const out = await r.json();
  if (!r.ok) {{ document.getElementById('status').textContent = out.__type + ': ' + out.message; throw new Error(out.message); }}
  return out;
}}
function cell(v) {{ const td = document.createElement('td'); td.textContent = v == null ? '' : String(v); return td; }}
function fill(id, rows, cols) {{
  const t = document.getElementById(id); if (!t) return;
  t.replaceChildren(...rows.map(r => {{ const tr = document.createElement('tr'); cols.forEach(c => tr.appendChild(cell(r[c]))); return tr; }}));
}}
</script>
</body></html>"#,
        t = esc(title),
    ))
    .into_response()
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let mut r = page("Error", &format!("<p id=\"error\">{}</p>", esc(message)));
    *r.status_mut() = status;
    r
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn date(v: &Value) -> String {
    v.as_f64()
        .and_then(|t| chrono::DateTime::from_timestamp_millis((t * 1000.0) as i64))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

async fn home(State(app): State<App>) -> Response {
    let mut pools = String::new();
    match app.store.list_pools(None, i64::MAX).await {
        Ok(list) => {
            for p in list {
                let id = p.id.unwrap_or_default();
                let users = app.store.count_users(&id).await.unwrap_or_default();
                pools.push_str(&format!(
                    "<tr><td><a class=\"pool\" href=\"/_emulator/ui/pools/{u}\">{id}</a></td><td>{name}</td><td>{users}</td></tr>",
                    u = esc(&id), id = esc(&id), name = esc(p.name.as_deref().unwrap_or_default()),
                ));
            }
        }
        Err(e) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
    let snapshots: String = app
        .snapshots
        .lock()
        .await
        .iter()
        .map(|(name, snap)| {
            format!(
                "<tr><td>{n}</td><td>{at}</td><td><button data-restore=\"{n}\">restore</button> <button data-drop=\"{n}\">delete</button></td></tr>",
                n = esc(name),
                at = esc(&snap.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            )
        })
        .collect();
    let faults: String = app.faults.with(|f| {
        f.rules()
            .iter()
            .map(|r| {
                let v = r.view();
                format!(
                    "<tr><td>{id}</td><td><code>{rule}</code></td><td>{hits}</td><td><button data-fault=\"{id}\">remove</button></td></tr>",
                    id = esc(&s(&v["id"])),
                    rule = esc(&v.to_string()),
                    hits = esc(&s(&v["hits"])),
                )
            })
            .collect()
    });
    let body = format!(
        r#"<section><h2>Clock</h2><p>Now: <span id="now">{now}</span>
<input id="advance" size="8" value="3600"> seconds <button id="advance-clock">advance</button>
<button id="reset-clock">real time</button></p></section>
<section><h2>User pools</h2><table><tr><th>Id</th><th>Name</th><th>Users</th></tr>{pools}</table></section>
<section><h2>Snapshots</h2><table id="snapshots"><tr><th>Name</th><th>Created</th><th></th></tr>{snapshots}</table>
<input id="snapshot-name" placeholder="name"> <button id="save-snapshot">save</button></section>
<section><h2>Fault rules</h2><table id="faults"><tr><th>Id</th><th>Rule</th><th>Hits</th><th></th></tr>{faults}</table>
<textarea id="fault-rule" rows="2" cols="80">{{"operation": "InitiateAuth", "error": {{"type": "TooManyRequestsException"}}, "count": 1}}</textarea>
<button id="add-fault">add</button></section>
<section><h2>Outbox (live)</h2><table><thead><tr><th>Sent</th><th>Pool</th><th>User</th><th>Channel</th><th>Destination</th><th>Purpose</th><th>Code</th></tr></thead><tbody id="outbox"></tbody></table></section>
<section><h2>Recent requests (live)</h2><table><thead><tr><th>Time</th><th>Operation</th><th>Pool</th><th>Client</th><th>User</th><th>Status</th><th>Error</th><th>ms</th><th>Fault</th></tr></thead><tbody id="requests"></tbody></table></section>
<script>
const reload = () => location.reload();
document.getElementById('advance-clock').onclick = () =>
  call('/_emulator/clock', 'POST', {{advanceSeconds: Number(document.getElementById('advance').value)}}).then(reload);
document.getElementById('reset-clock').onclick = () => call('/_emulator/clock', 'POST', {{reset: true}}).then(reload);
document.getElementById('save-snapshot').onclick = () =>
  call('/_emulator/snapshots/' + encodeURIComponent(document.getElementById('snapshot-name').value), 'POST').then(reload);
document.querySelectorAll('[data-restore]').forEach(b => b.onclick = () =>
  call('/_emulator/snapshots/' + encodeURIComponent(b.dataset.restore) + '/restore', 'POST').then(reload));
document.querySelectorAll('[data-drop]').forEach(b => b.onclick = () =>
  call('/_emulator/snapshots/' + encodeURIComponent(b.dataset.drop), 'DELETE').then(reload));
document.querySelectorAll('[data-fault]').forEach(b => b.onclick = () =>
  call('/_emulator/faults/' + encodeURIComponent(b.dataset.fault), 'DELETE').then(reload));
document.getElementById('add-fault').onclick = () => {{
  let rule; try {{ rule = JSON.parse(document.getElementById('fault-rule').value); }}
  catch (e) {{ document.getElementById('status').textContent = 'not JSON: ' + e.message; return; }}
  call('/_emulator/faults', 'POST', rule).then(reload);
}};
async function live() {{
  try {{
    const m = await call('/_emulator/messages', 'GET');
    fill('outbox', m.messages.slice(-50).reverse(), ['sentAt', 'userPoolId', 'username', 'channel', 'destination', 'purpose', 'code']);
    const r = await call('/_emulator/requests?limit=50', 'GET');
    fill('requests', r.requests, ['time', 'operation', 'userPoolId', 'clientId', 'username', 'status', 'errorType', 'latencyMs', 'faultId']);
  }} catch (e) {{}}
}}
live(); setInterval(live, 2000);
</script>"#,
        now = esc(&app
            .clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    page("Emulator", &body)
}

async fn pool(
    State(app): State<App>,
    Path(pool_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let described = match api(&app, "DescribeUserPool", json!({"UserPoolId": pool_id})).await {
        Ok(d) => d,
        Err(m) => return error_page(StatusCode::NOT_FOUND, &m),
    };
    let search = q.get("q").map(String::as_str).unwrap_or_default();
    let mut list = json!({"UserPoolId": pool_id, "Limit": PAGE});
    if !search.is_empty() {
        // ListUsers' prefix search on the username (its Filter syntax quotes with `"`).
        list["Filter"] = json!(format!(
            "username ^= \"{}\"",
            search.replace(['"', '\\'], "")
        ));
    }
    if let Some(token) = q.get("page").filter(|t| !t.is_empty()) {
        list["PaginationToken"] = json!(token);
    }
    let users = match api(&app, "ListUsers", list).await {
        Ok(u) => u,
        Err(m) => return error_page(StatusCode::BAD_REQUEST, &m),
    };
    let mut rows = String::new();
    for u in users["Users"].as_array().into_iter().flatten() {
        let name = s(&u["Username"]);
        let attrs: Vec<String> = u["Attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["Name"] != "sub")
            .map(|a| format!("{}={}", s(&a["Name"]), s(&a["Value"])))
            .collect();
        rows.push_str(&format!(
            "<tr><td><a class=\"user\" href=\"/_emulator/ui/pools/{p}/users/{u}\">{n}</a></td><td>{st}</td><td>{en}</td><td>{at}</td><td>{cr}</td></tr>",
            p = esc(&pool_id),
            u = esc(&form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()),
            n = esc(&name),
            st = esc(&s(&u["UserStatus"])),
            en = if u["Enabled"] == true { "yes" } else { "no" },
            at = esc(&attrs.join(", ")),
            cr = esc(&date(&u["UserCreateDate"])),
        ));
    }
    let next = users["PaginationToken"]
        .as_str()
        .map(|t| {
            format!(
                "<p><a id=\"next\" href=\"?q={q}&amp;page={t}\">next page</a></p>",
                q = esc(&form_urlencoded::byte_serialize(search.as_bytes()).collect::<String>()),
                t = esc(&form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()),
            )
        })
        .unwrap_or_default();
    let clients: String = match api(
        &app,
        "ListUserPoolClients",
        json!({"UserPoolId": pool_id, "MaxResults": 60}),
    )
    .await
    {
        Ok(c) => c["UserPoolClients"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "<tr><td>{}</td><td>{}</td></tr>",
                    esc(&s(&c["ClientId"])),
                    esc(&s(&c["ClientName"]))
                )
            })
            .collect(),
        Err(m) => esc(&m),
    };
    let groups: String = match api(
        &app,
        "ListGroups",
        json!({"UserPoolId": pool_id, "Limit": 60}),
    )
    .await
    {
        Ok(g) => g["Groups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| {
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&s(&g["GroupName"])),
                    esc(&s(&g["Precedence"])),
                    esc(&s(&g["Description"]))
                )
            })
            .collect(),
        Err(m) => esc(&m),
    };
    let p = &described["UserPool"];
    let body = format!(
        r#"<p>Name: {name} · MFA: {mfa} · users: {count}</p>
<section><h2>Users</h2><form method="get"><input name="q" id="search" value="{q}" placeholder="username starts with">
<button id="search-button">search</button></form>
<table id="users"><tr><th>Username</th><th>Status</th><th>Enabled</th><th>Attributes</th><th>Created</th></tr>{rows}</table>{next}</section>
<section><h2>App clients</h2><table><tr><th>ClientId</th><th>Name</th></tr>{clients}</table></section>
<section><h2>Groups</h2><table><tr><th>Name</th><th>Precedence</th><th>Description</th></tr>{groups}</table></section>"#,
        name = esc(&s(&p["Name"])),
        mfa = esc(&s(&p["MfaConfiguration"])),
        count = esc(&s(&p["EstimatedNumberOfUsers"])),
        q = esc(search),
    );
    page(&format!("Pool {pool_id}"), &body)
}

async fn user(
    State(app): State<App>,
    Path((pool_id, username)): Path<(String, String)>,
) -> Response {
    let key = json!({"UserPoolId": pool_id, "Username": username});
    let u = match api(&app, "AdminGetUser", key.clone()).await {
        Ok(u) => u,
        Err(m) => return error_page(StatusCode::NOT_FOUND, &m),
    };
    let attrs: String = u["UserAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&s(&a["Name"])),
                esc(&s(&a["Value"]))
            )
        })
        .collect();
    let groups: Vec<String> = api(&app, "AdminListGroupsForUser", key.clone())
        .await
        .ok()
        .and_then(|g| g["Groups"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|g| s(&g["GroupName"]))
        .collect();
    let devices: Vec<String> = api(&app, "AdminListDevices", key.clone())
        .await
        .ok()
        .and_then(|d| d["Devices"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|d| s(&d["DeviceKey"]))
        .collect();
    let mfa: Vec<String> = u["UserMFASettingList"]
        .as_array()
        .into_iter()
        .flatten()
        .map(s)
        .collect();
    let body = format!(
        r#"<p><a href="/_emulator/ui/pools/{p}">back to the pool</a></p>
<table><tr><th>Status</th><td id="user-status">{status}</td></tr>
<tr><th>Enabled</th><td id="user-enabled">{enabled}</td></tr>
<tr><th>MFA</th><td>{mfa} (preferred: {pref})</td></tr>
<tr><th>Groups</th><td>{groups}</td></tr><tr><th>Devices</th><td>{devices}</td></tr>
<tr><th>Created</th><td>{created}</td></tr></table>
<section><h2>Attributes</h2><table>{attrs}</table></section>
<section><h2>Actions</h2>
<button id="confirm">confirm</button> <button id="disable">disable</button> <button id="enable">enable</button>
<button id="reset-password">reset password</button> <button id="delete">delete</button></section>
<script>
const key = {key};
const after = () => location.reload();
document.getElementById('confirm').onclick = () => api('AdminConfirmSignUp', key).then(after);
document.getElementById('disable').onclick = () => api('AdminDisableUser', key).then(after);
document.getElementById('enable').onclick = () => api('AdminEnableUser', key).then(after);
document.getElementById('reset-password').onclick = () => api('AdminResetUserPassword', key).then(after);
document.getElementById('delete').onclick = () => api('AdminDeleteUser', key)
  .then(() => location.href = '/_emulator/ui/pools/' + encodeURIComponent(key.UserPoolId));
</script>"#,
        p = esc(&pool_id),
        status = esc(&s(&u["UserStatus"])),
        enabled = if u["Enabled"] == true { "yes" } else { "no" },
        mfa = esc(&mfa.join(", ")),
        pref = esc(&s(&u["PreferredMfaSetting"])),
        groups = esc(&groups.join(", ")),
        devices = esc(&devices.join(", ")),
        created = esc(&date(&u["UserCreateDate"])),
        // JSON inside a script element: `<` escaped so a value cannot close the element.
        key = key.to_string().replace('<', "\\u003c"),
    );
    page(&format!("User {username}"), &body)
}
