//! `symphony-xi`: the real xi-editor core, speaking xi's JSON-RPC on stdin/stdout.

use std::io;

use serde_json::Value;
use xi_core_lib::XiCore;
use xi_core_lib::rpc::{CoreNotification, CoreRequest};
use xi_rpc::{Handler, RemoteError, RpcCtx, RpcLoop};

/// xi-core-lib 0.3.0's idle token for a view's delayed render is this mask with the view's
/// number (`tabs::RENDER_VIEW_IDLE_MASK`, private to the crate).
const RENDER_VIEW_IDLE_MASK: usize = 1 << 25;
/// xi-core-lib 0.3.0's idle token that finishes setting up new views (`tabs::NEW_VIEW_IDLE_TOKEN`).
const NEW_VIEW_IDLE_TOKEN: usize = 1001;

/// `XiCore`, except that every request is answered only after the `update`s for everything
/// sent before it.
///
/// With a plugin attached (the syntax plugin always is), xi-core renders a view 2 ms after an
/// edit, and only once its input queue is empty; so it can answer a request before sending the
/// updates of the edits that came before it. The supervisor's barrier relies on that order: it
/// snapshots the text when the answer arrives and drops the edits before it from its journal,
/// so a crash just after would lose them. Rendering the pending views first restores the order.
struct RenderBeforeAnswer {
    core: XiCore,
    /// The highest view number handed out; views and buffers share one counter, and a
    /// number that is not (or no longer) a view renders nothing.
    last_view: usize,
    /// The highest view number xi has finished setting up (rendering before that trips its
    /// line wrapping).
    last_ready_view: usize,
}

impl Handler for RenderBeforeAnswer {
    type Notification = CoreNotification;
    type Request = CoreRequest;

    fn handle_notification(&mut self, ctx: &RpcCtx, rpc: CoreNotification) {
        self.core.handle_notification(ctx, rpc);
    }

    fn handle_request(&mut self, ctx: &RpcCtx, rpc: CoreRequest) -> Result<Value, RemoteError> {
        for view in 1..=self.last_ready_view {
            // Renders the view if anything changed; the pending timer then finds nothing to do.
            self.core.idle(ctx, RENDER_VIEW_IDLE_MASK | view);
        }
        let new_view = matches!(rpc, CoreRequest::NewView { .. });
        let result = self.core.handle_request(ctx, rpc);
        if new_view
            && let Ok(Value::String(id)) = &result
            && let Some(n) = id.strip_prefix("view-id-").and_then(|n| n.parse().ok())
        {
            self.last_view = self.last_view.max(n);
        }
        result
    }

    fn idle(&mut self, ctx: &RpcCtx, token: usize) {
        self.core.idle(ctx, token);
        if token == NEW_VIEW_IDLE_TOKEN {
            // xi sets up every view created so far in one go.
            self.last_ready_view = self.last_view;
        }
    }
}

fn main() {
    // xi-core runs its reader on a second thread inside a scope: when the main thread panics,
    // the scope waits for the reader, which waits for stdin, and the process hangs instead of
    // dying. Exiting at once turns every core panic into a crash the supervisor sees at once.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        std::process::exit(101);
    }));
    let mut state = RenderBeforeAnswer {
        core: XiCore::new(),
        last_view: 0,
        last_ready_view: 0,
    };
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut rpc_looper = RpcLoop::new(stdout);
    match rpc_looper.mainloop(|| stdin.lock(), &mut state) {
        Ok(()) => {}
        Err(err) => {
            eprintln!("symphony-xi: the RPC loop ended with an error: {err:?}");
            std::process::exit(1);
        }
    }
}
