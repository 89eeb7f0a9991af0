//! CPU time from `/proc`, for the ingest benchmark's budget: who spends how much CPU per
//! request (the server's threads by name, the load generator, the whole machine), so that
//! "is the goal reachable on this machine" is answered with figures instead of guesses.
//!
//! Times are in clock ticks: Linux reports them in `USER_HZ`, which is 100 on every
//! architecture it exports to user space.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

/// Clock ticks per second in `/proc` (`USER_HZ`).
pub(crate) const TICKS_PER_SECOND: f64 = 100.0;

/// One moment's CPU counters.
#[derive(Debug, Clone, Default)]
pub(crate) struct CpuSnapshot {
    /// The server's threads, user + system ticks, summed by thread name.
    pub(crate) threads: BTreeMap<String, u64>,
    /// This process's waited-for children (the load generator, once it has exited).
    pub(crate) children: u64,
    /// The whole machine: busy (everything but idle and iowait) and idle ticks.
    pub(crate) machine_busy: u64,
    pub(crate) machine_idle: u64,
}

impl CpuSnapshot {
    pub(crate) fn take(server_pid: u32) -> Result<CpuSnapshot> {
        let mut threads = BTreeMap::new();
        let tasks = format!("/proc/{server_pid}/task");
        for task in std::fs::read_dir(&tasks).with_context(|| format!("cannot list {tasks}"))? {
            let path = task?.path().join("stat");
            // A thread may end between the listing and the read.
            let Ok(stat) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some((name, ticks)) = thread_ticks(&stat) {
                *threads.entry(name).or_default() += ticks;
            }
        }
        let own = std::fs::read_to_string("/proc/self/stat")?;
        let children = children_ticks(&own).context("cannot read /proc/self/stat")?;
        let (machine_busy, machine_idle) = machine_ticks(&std::fs::read_to_string("/proc/stat")?)
            .context("no cpu line in /proc/stat")?;
        Ok(CpuSnapshot {
            threads,
            children,
            machine_busy,
            machine_idle,
        })
    }
}

/// What happened between two snapshots, per request.
#[derive(Debug, Clone, Default)]
pub(crate) struct CpuPerRequest {
    /// Microseconds of CPU per request, by server thread name (threads that used none are
    /// left out).
    pub(crate) threads: BTreeMap<String, f64>,
    pub(crate) load_generator_us: f64,
    pub(crate) machine_busy_us: f64,
    /// Share of the machine's time nobody ran (idle and iowait).
    pub(crate) machine_idle: f64,
}

impl CpuPerRequest {
    pub(crate) fn between(
        before: &CpuSnapshot,
        after: &CpuSnapshot,
        requests: u64,
    ) -> CpuPerRequest {
        let per_request =
            |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1e6 / requests.max(1) as f64;
        let threads = after
            .threads
            .iter()
            .filter_map(|(name, &ticks)| {
                let used = ticks.saturating_sub(before.threads.get(name).copied().unwrap_or(0));
                (used > 0).then(|| (name.clone(), per_request(used)))
            })
            .collect();
        let busy = after.machine_busy.saturating_sub(before.machine_busy);
        let idle = after.machine_idle.saturating_sub(before.machine_idle);
        CpuPerRequest {
            threads,
            load_generator_us: per_request(after.children.saturating_sub(before.children)),
            machine_busy_us: per_request(busy),
            machine_idle: idle as f64 / (busy + idle).max(1) as f64,
        }
    }
}

/// The fields of a `/proc/…/stat` line after the name. The name sits in parentheses and
/// may itself hold spaces and parentheses, so they are counted from the last `)`; the
/// first of them, the state, is field 3 in proc(5)'s numbering.
fn fields_after_name(stat: &str) -> Option<Vec<&str>> {
    Some(
        stat.get(stat.rfind(')')? + 1..)?
            .split_whitespace()
            .collect(),
    )
}

/// The sum of two fields, by proc(5)'s numbering, of a `/proc/…/stat` line.
fn sum_of_fields(stat: &str, a: usize, b: usize) -> Option<u64> {
    let fields = fields_after_name(stat)?;
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some(field(a)? + field(b)?)
}

/// `(name, utime + stime)` (fields 14 and 15) from a `/proc/PID/task/TID/stat` line.
fn thread_ticks(stat: &str) -> Option<(String, u64)> {
    let name = stat.get(stat.find('(')? + 1..stat.rfind(')')?)?.to_owned();
    Some((name, sum_of_fields(stat, 14, 15)?))
}

/// `cutime + cstime` (fields 16 and 17) of `/proc/self/stat`.
fn children_ticks(stat: &str) -> Option<u64> {
    sum_of_fields(stat, 16, 17)
}

/// `(busy, idle)` from the `cpu` line of `/proc/stat`: user nice system idle iowait irq
/// softirq steal …; idle and iowait count as idle, guest time is inside user already.
fn machine_ticks(proc_stat: &str) -> Option<(u64, u64)> {
    let line = proc_stat.lines().find(|l| l.starts_with("cpu "))?;
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let at = |i: usize| values.get(i).copied().unwrap_or(0);
    let idle = at(3) + at(4);
    let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    Some((busy, idle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_thread_whose_name_holds_spaces_and_parentheses() {
        let stat = "4242 (actix-rt|sys) x) S 1 4242 4242 0 -1 4194368 120 0 0 0 \
                    731 269 0 0 20 0 3 0 12345 0 0";
        assert_eq!(
            thread_ticks(stat),
            Some(("actix-rt|sys) x".to_owned(), 1000))
        );
        assert_eq!(thread_ticks("4242 (cut short) S 1"), None);
    }

    #[test]
    fn reads_the_waited_for_childrens_time() {
        let stat = "77 (xtask) R 1 77 77 0 -1 4194304 10 20 0 0 5 6 40 2 20 0 1 0 99 0 0";
        assert_eq!(children_ticks(stat), Some(42));
    }

    #[test]
    fn counts_iowait_as_idle_and_irq_time_as_busy() {
        let stat = "cpu  100 5 50 1000 30 7 8 2 0 0\ncpu0 50 2 25 500 15 3 4 1 0 0\n";
        assert_eq!(machine_ticks(stat), Some((172, 1030)));
    }

    #[test]
    fn per_request_figures_are_the_differences() {
        let before = CpuSnapshot {
            threads: BTreeMap::from([("writer".into(), 100), ("idle".into(), 5)]),
            children: 10,
            machine_busy: 1000,
            machine_idle: 500,
        };
        let after = CpuSnapshot {
            threads: BTreeMap::from([
                ("writer".into(), 300),
                ("idle".into(), 5),
                ("new".into(), 100),
            ]),
            children: 60,
            machine_busy: 1800,
            machine_idle: 700,
        };
        let per = CpuPerRequest::between(&before, &after, 100_000);
        // 200 ticks = 2 s over 100 000 requests = 20 µs each.
        assert_eq!(per.threads.get("writer"), Some(&20.0));
        assert_eq!(per.threads.get("new"), Some(&10.0));
        assert!(!per.threads.contains_key("idle"));
        assert_eq!(per.load_generator_us, 5.0);
        assert_eq!(per.machine_busy_us, 80.0);
        assert_eq!(per.machine_idle, 0.2);
    }
}
