//! Measures the seed's claim: with many idle connections, epoll stays flat while poll and
//! select slow down.
//!
//! Two tasks play ping-pong over one Unix socketpair (one byte each way is a round trip)
//! while N other sockets are registered with the same loop and never become ready. The
//! example prints a Markdown table of round trips per second for each backend and N, and
//! can draw it as an SVG line chart:
//!
//! ```sh
//! cargo run --release --example idle_connections
//! cargo run --release --example idle_connections -- --idle=0,100,1000,10000 --rounds=20000 \
//!     --svg=benches/idle_connections.svg
//! ```
//!
//! select(2) cannot watch descriptors at or above 1024, so its row stops at its limit.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use tornado::ioloop::{Events, IOLoop, PollerKind, Registration};

struct Args {
    idle: Vec<usize>,
    rounds: u64,
    repeats: usize,
    svg: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        idle: vec![0, 100, 1_000, 10_000],
        rounds: 20_000,
        repeats: 5,
        svg: None,
    };
    for arg in std::env::args().skip(1) {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| format!("expected --name=value, got {arg:?}"))?;
        let bad = |e: std::num::ParseIntError| format!("{name}: {e}");
        match name {
            "--idle" => {
                args.idle = value
                    .split(',')
                    .map(|n| n.trim().parse().map_err(bad))
                    .collect::<Result<_, _>>()?
            }
            "--rounds" => args.rounds = value.parse().map_err(bad)?,
            "--repeats" => args.repeats = value.parse::<usize>().map_err(bad)?.max(1),
            "--svg" => args.svg = Some(value.to_owned()),
            _ => return Err(format!("unknown option {name}")),
        }
    }
    Ok(args)
}

fn pair() -> std::io::Result<(UnixStream, UnixStream)> {
    let (a, b) = UnixStream::pair()?;
    a.set_nonblocking(true)?;
    b.set_nonblocking(true)?;
    Ok((a, b))
}

/// Reads one byte, letting the loop wait while there is none.
async fn read_byte(registration: &Registration, stream: &UnixStream) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    loop {
        match (&*stream).read(&mut byte) {
            Ok(1) => return Ok(()),
            Ok(_) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                registration.clear_ready(Events::READ);
                registration.readable().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Round trips per second of a ping-pong on `io_loop` over `sockets`.
fn ping_pong(
    io_loop: &IOLoop,
    sockets: &(UnixStream, UnixStream),
    rounds: u64,
) -> std::io::Result<f64> {
    let (a, b) = (sockets.0.try_clone()?, sockets.1.try_clone()?);
    let start = Instant::now();
    io_loop
        .run_sync(
            async move {
                let io_loop = IOLoop::current();
                let echo = io_loop.spawn(async move {
                    let registration = Registration::new(&IOLoop::current(), b.as_raw_fd())?;
                    for _ in 0..rounds {
                        read_byte(&registration, &b).await?;
                        (&b).write_all(b"o")?;
                    }
                    Ok::<_, std::io::Error>(())
                });
                let registration = Registration::new(&io_loop, a.as_raw_fd())?;
                for _ in 0..rounds {
                    (&a).write_all(b"i")?;
                    read_byte(&registration, &a).await?;
                }
                echo.await.map_err(std::io::Error::other)?
            },
            Some(Duration::from_secs(600)),
        )
        .map_err(std::io::Error::other)??;
    Ok(rounds as f64 / start.elapsed().as_secs_f64())
}

/// Measures every backend at one N: the same idle sockets are registered with one loop of
/// each backend, and the backends take turns, so that a noisy machine disturbs them alike.
/// Gives the best of `repeats` runs per backend; `None` where a backend cannot watch N.
fn measure(idle: usize, args: &Args) -> std::io::Result<Vec<Option<f64>>> {
    let mut loops = Vec::new();
    for kind in PollerKind::ALL {
        // Each loop's active pair first, so that its descriptors are low enough for select.
        loops.push((IOLoop::with_poller(kind)?, pair()?, true));
    }
    let mut sockets = Vec::with_capacity(idle);
    while sockets.len() < idle {
        let (x, y) = pair()?;
        sockets.push(x);
        if sockets.len() < idle {
            sockets.push(y);
        }
    }
    for (io_loop, _, fits) in &mut loops {
        for socket in &sockets {
            if io_loop
                .add_handler(socket.as_raw_fd(), |_, _| {}, Events::READ)
                .is_err()
            {
                *fits = false;
                break;
            }
        }
    }
    // A short first run warms up and sizes the others: about a fifth of a second each,
    // so that a slow backend does not take minutes.
    let mut rounds = Vec::new();
    for (io_loop, active, fits) in &loops {
        let probe = if *fits {
            ping_pong(io_loop, active, 50)?
        } else {
            0.0
        };
        rounds.push(((probe * 0.2) as u64).clamp(50, args.rounds));
    }
    let mut best = vec![None::<f64>; loops.len()];
    for _ in 0..args.repeats {
        for (((io_loop, active, fits), best), &rounds) in loops.iter().zip(&mut best).zip(&rounds) {
            if *fits {
                let rate = ping_pong(io_loop, active, rounds)?;
                *best = Some(best.map_or(rate, |b| b.max(rate)));
            }
        }
    }
    for (io_loop, _, _) in &loops {
        for socket in &sockets {
            io_loop.remove_handler(socket.as_raw_fd());
        }
        io_loop.close(false)?;
    }
    Ok(best)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("idle_connections: {message}");
            eprintln!(
                "usage: idle_connections [--idle=0,100,1000] [--rounds=N] [--repeats=N] [--svg=PATH]"
            );
            std::process::exit(2);
        }
    };
    if let Err(err) = tornado::ioloop::raise_fd_limit() {
        eprintln!("idle_connections: cannot raise the descriptor limit: {err}");
    }
    let mut table: Vec<(PollerKind, Vec<Option<f64>>)> = PollerKind::ALL
        .iter()
        .map(|&kind| (kind, Vec::new()))
        .collect();
    for &idle in &args.idle {
        match measure(idle, &args) {
            Ok(rates) => {
                for ((_, row), rate) in table.iter_mut().zip(rates) {
                    row.push(rate);
                }
            }
            Err(err) => {
                eprintln!("idle_connections: with {idle} idle sockets: {err}");
                std::process::exit(1);
            }
        }
    }

    print!("| backend |");
    for idle in &args.idle {
        print!(" {idle} idle |");
    }
    println!();
    println!("|---|{}", "---:|".repeat(args.idle.len()));
    for (kind, row) in &table {
        print!("| {kind} |");
        for value in row {
            match value {
                Some(v) => print!(" {:.0} |", v),
                None => print!(" — |"),
            }
        }
        println!();
    }
    println!(
        "\n(round trips per second, best of {} runs of up to {} round trips; — : beyond what \
         the backend can watch)",
        args.repeats, args.rounds
    );

    if let Some(path) = &args.svg {
        if let Err(err) = std::fs::write(path, svg(&args.idle, &table)) {
            eprintln!("idle_connections: cannot write {path}: {err}");
            std::process::exit(1);
        }
        println!("plot written to {path}");
    }
}

/// A log-scale line chart of the table: one line per backend, N evenly spaced.
fn svg(idle: &[usize], table: &[(PollerKind, Vec<Option<f64>>)]) -> String {
    let (width, height, left, right, top, bottom) = (640.0, 400.0, 80.0, 120.0, 30.0, 50.0);
    let values: Vec<f64> = table
        .iter()
        .flat_map(|(_, r)| r.iter().flatten().copied())
        .collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .max(1.0)
        .log10()
        .floor();
    let hi = values
        .iter()
        .copied()
        .fold(1.0, f64::max)
        .log10()
        .ceil()
        .max(lo + 1.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let x = |i: usize| left + plot_w * i as f64 / (idle.len().max(2) - 1) as f64;
    let y = |v: f64| top + plot_h * (1.0 - (v.log10() - lo) / (hi - lo));
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"18\" text-anchor=\"middle\">ping-pong round trips per second \
         while N idle sockets are registered</text>\n",
        width / 2.0
    );
    for decade in lo as i32..=hi as i32 {
        let v = 10f64.powi(decade);
        out += &format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{v:.0}</text>\n",
            left + plot_w,
            left - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    for (i, n) in idle.iter().enumerate() {
        out += &format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>\n",
            x(i),
            top + plot_h + 18.0
        );
    }
    out += &format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">idle sockets (N)</text>\n",
        left + plot_w / 2.0,
        height - 10.0
    );
    let colours = ["#1b7837", "#2166ac", "#b2182b"];
    for ((kind, row), colour) in table.iter().zip(colours) {
        let points: Vec<String> = row
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        out += &format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n",
            points.join(" ")
        );
        if let Some(last) = points.last() {
            let (px, py) = last.split_once(',').unwrap_or(("0", "0"));
            out += &format!(
                "<text x=\"{}\" y=\"{py}\" fill=\"{colour}\">{kind}</text>\n",
                px.parse::<f64>().unwrap_or(0.0) + 8.0
            );
        }
    }
    out + "</svg>\n"
}
