//! `symphony-xi`: the real xi-editor core, speaking xi's JSON-RPC on stdin/stdout.

use std::io;

use xi_core_lib::XiCore;
use xi_rpc::RpcLoop;

fn main() {
    // xi-core runs its reader on a second thread inside a scope: when the main thread panics,
    // the scope waits for the reader, which waits for stdin, and the process hangs instead of
    // dying. Exiting at once turns every core panic into a crash the supervisor sees at once.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        std::process::exit(101);
    }));
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
