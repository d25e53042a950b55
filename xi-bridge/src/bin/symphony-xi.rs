//! `symphony-xi`: the real xi-editor core, speaking xi's JSON-RPC on stdin/stdout.

use std::io;

use xi_core_lib::XiCore;
use xi_rpc::RpcLoop;

fn main() {
    let mut state = XiCore::new();
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
