//! Tornado's `demos/tcpecho/client.py`: sends one line to the echo server and prints the
//! reply.
//!
//! ```sh
//! cargo run --example tcpecho_server -- --port=9888 &
//! cargo run --example tcpecho_client -- --port=9888 --message=ping
//! ```

use tornado::ioloop::IOLoop;
use tornado::options::{self, Opt};
use tornado::tcpclient::TCPClient;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let parsed = tornado::log::options();
    options::define(
        Opt::new("host")
            .default("127.0.0.1")
            .help("TCP server host"),
    )?;
    options::define(
        Opt::new("port")
            .default(9888)
            .help("TCP port to connect to"),
    )?;
    options::define(Opt::new("message").default("ping").help("Message to send"))?;
    options::parse_command_line();
    let host: String = parsed.get("host")?;
    let port: i64 = parsed.get("port")?;
    let port = u16::try_from(port).map_err(|_| format!("--port={port} is not a TCP port"))?;
    let message: String = parsed.get("message")?;

    // `run_sync` runs the loop until this future is done, and hands back its output.
    let io_loop = IOLoop::new()?;
    let reply = io_loop.run_sync(
        async move {
            // Resolve the host and connect (IPv6 and IPv4 raced, if the host has both).
            let stream = TCPClient::new().connect(&host, port).await?;
            stream.write(format!("{message}\n")).await?;
            println!("Sent to server: {message}");
            let reply = stream.read_until(b"\n", Some(64 * 1024)).await?;
            Ok::<_, Box<dyn std::error::Error>>(reply)
        },
        None,
    )??;
    println!(
        "Response from server: {}",
        String::from_utf8_lossy(&reply).trim()
    );
    io_loop.close(false)?;
    Ok(())
}
