//! Tornado's `demos/tcpecho/server.py`: a TCP server that echoes each line back.
//!
//! ```sh
//! cargo run --example tcpecho_server -- --port=9888
//! # in another terminal:
//! cargo run --example tcpecho_client -- --port=9888 --message=hello
//! ```
//!
//! The server is a `TCPServer` whose `handle_stream` runs once per connection, as a task
//! of its own on the loop: a slow client never holds up the others, and everything runs
//! on one thread.

use tornado::ioloop::IOLoop;
use tornado::iostream::IOStream;
use tornado::netutil::Address;
use tornado::options::{self, Opt};
use tornado::tcpserver::{HandlerResult, StreamHandler, TCPServer};

/// The server's behaviour: Tornado's `EchoServer(TCPServer)` subclass becomes a type
/// implementing `StreamHandler`.
struct EchoServer;

impl StreamHandler for EchoServer {
    /// Called for every new connection, with its stream and the client's address.
    async fn handle_stream(&self, stream: IOStream, address: Address) -> HandlerResult {
        loop {
            // Wait (without blocking the thread) until a whole line has arrived; at most
            // 64 KiB, so a client cannot make us buffer without end.
            match stream.read_until(b"\n", Some(64 * 1024)).await {
                Ok(line) => {
                    log::info!(target: "tornado.general", "Received bytes: {:?}", String::from_utf8_lossy(&line));
                    // `write` queues the data at once; awaiting it waits until it has
                    // reached the kernel, which keeps a fast client from filling our
                    // memory with replies it does not read.
                    stream.write(line).await?;
                }
                // The client hung up (or sent data without a newline, then hung up).
                Err(err) if err.is_closed() => {
                    let host = address
                        .ip()
                        .map_or_else(|| address.to_string(), |ip| ip.to_string());
                    log::warn!(target: "tornado.general", "Lost client at host {host}");
                    return Ok(());
                }
                // Anything else (a line past 64 KiB, a reset...) ends this connection; the
                // server logs it and goes on with the others.
                Err(err) => return Err(err.into()),
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Define the options, then parse the command line; `--help` lists them, and the
    // logging options (`--logging=info`...) come with `tornado::log::options()`.
    let parsed = tornado::log::options();
    options::define(Opt::new("port").default(9888).help("TCP port to listen on"))?;
    options::parse_command_line();
    let port: i64 = parsed.get("port")?;
    let port = u16::try_from(port).map_err(|_| format!("--port={port} is not a TCP port"))?;

    let io_loop = IOLoop::new()?;
    // Ctrl-C stops the loop between two iterations.
    io_loop.add_signal_handler(libc::SIGINT, || IOLoop::current().stop())?;
    let server = TCPServer::new(EchoServer).on_loop(&io_loop);
    // Every interface, IPv4 and IPv6, as Tornado's `server.listen(options.port)`.
    server.listen(port, None)?;
    log::info!(target: "tornado.general", "Listening on TCP port {port}");
    println!("Listening on TCP port {port} (Ctrl-C to stop)");
    io_loop.start()?;
    server.stop();
    io_loop.close(false)?;
    Ok(())
}
