//go:build failover

package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// patroniCluster is three etcd members and three Patroni-managed PostgreSQL
// nodes on loopback (scale-out design §5 Proof B, Appendix B), started and
// stopped by this test, every process by its PID. PostgreSQL refuses to run
// as root: as root, every process runs as the postgres system user that
// Debian's package creates.
//
// Patroni runs in synchronous_mode_strict with one synchronous standby: a
// commit is acknowledged only once the synchronous standby has it, and only
// that standby may be promoted. A node left behind a new timeline is rewound
// (use_pg_rewind) or, failing that, reinitialised. wal_retrieve_retry_interval
// 1 s (PostgreSQL's default: 5 s): after a promotion the remaining replica
// must connect to the new leader before strict mode lets any write commit,
// and it retries at that interval. ttl 10 / loop_wait 1 / retry_timeout 3 rather
// than Proof B's 20 / 2 / 5 keep the test short (the outage is about the ttl).
type patroniCluster struct {
	t      *testing.T
	dir    string
	pgBin  string
	cred   *syscall.Credential // nil: run as ourselves
	client [3]int              // etcd client ports
	peer   [3]int              // etcd peer ports
	rest   [3]int              // Patroni REST API ports
	pg     [3]int              // PostgreSQL ports
	etcd   [3]*failoverProc
	node   [3]*failoverProc // Patroni; nil while the node is down
}

// failoverProc is a process the test started, and its end.
type failoverProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *failoverProc) pid() int { return p.cmd.Process.Pid }

// signal sends sig and, for SIGKILL, waits for the end.
func (p *failoverProc) signal(sig syscall.Signal) {
	_ = p.cmd.Process.Signal(sig)
	if sig == syscall.SIGKILL {
		<-p.done
	}
}

// stop asks the process to end (SIGTERM) and kills it after grace.
func (p *failoverProc) stop(grace time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.signal(syscall.SIGKILL)
	}
}

// freePorts are n distinct TCP ports free on loopback now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var out []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return out
}

func newPatroniCluster(t *testing.T) *patroniCluster {
	t.Helper()
	for _, prog := range []string{"etcd", "patroni"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Fatalf("%s is not installed (apt-get install -y --no-install-recommends patroni etcd-server etcd-client): %v", prog, err)
		}
	}
	pgBin, err := failoverPGBin()
	if err != nil {
		t.Fatal(err)
	}
	c := &patroniCluster{t: t, pgBin: pgBin}
	// A folder the postgres user owns, with a short path (unix sockets).
	dir, err := os.MkdirTemp("", "failover-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			t.Fatal(err)
		}
	}
	ports := freePorts(t, 12)
	for i := range 3 {
		c.client[i], c.peer[i], c.rest[i], c.pg[i] = ports[i], ports[3+i], ports[6+i], ports[9+i]
	}
	t.Cleanup(c.close)
	return c
}

func failoverPGBin() (string, error) {
	dirs := []string{os.Getenv("PG_BIN"), "/usr/lib/postgresql/15/bin"}
	more, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(more) - 1; i >= 0; i-- {
		dirs = append(dirs, more[i])
	}
	for _, d := range dirs {
		if d != "" {
			if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("no PostgreSQL server binaries: apt-get install -y postgresql, or set PG_BIN")
}

// start runs a program of the cluster as the cluster's user, its output
// appended to log in the cluster's folder.
func (c *patroniCluster) start(log string, name string, args ...string) *failoverProc {
	c.t.Helper()
	f, err := os.OpenFile(filepath.Join(c.dir, log), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "HOME="+c.dir)
	cmd.Stdout, cmd.Stderr = f, f
	// If the test binary dies (a timeout's panic), the process is told to
	// end: Patroni then stops its PostgreSQL.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	p := &failoverProc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p
}

// run runs a program as the cluster's user and waits for it.
func (c *patroniCluster) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "HOME="+c.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// up starts etcd ×3, then Patroni on pg1, waits for it to lead, then pg2 and
// pg3, and waits for a healthy cluster with a synchronous standby.
func (c *patroniCluster) up() {
	c.t.Helper()
	var initial []string
	for i := range 3 {
		initial = append(initial, fmt.Sprintf("e%d=http://127.0.0.1:%d", i+1, c.peer[i]))
	}
	for i := range 3 {
		cu, pu := fmt.Sprintf("http://127.0.0.1:%d", c.client[i]), fmt.Sprintf("http://127.0.0.1:%d", c.peer[i])
		c.etcd[i] = c.start(fmt.Sprintf("etcd%d.log", i+1), "etcd", "--name", fmt.Sprintf("e%d", i+1),
			"--data-dir", filepath.Join(c.dir, fmt.Sprintf("e%d", i+1)),
			"--listen-client-urls", cu, "--advertise-client-urls", cu,
			"--listen-peer-urls", pu, "--initial-advertise-peer-urls", pu,
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-state", "new",
			"--initial-cluster-token", "sealportal-failover")
	}
	for i := range 3 {
		if err := os.WriteFile(c.config(i), []byte(c.yaml(i)), 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	c.startNode(0)
	c.waitFor(90*time.Second, "pg1 to bootstrap and lead", func(s clusterState) bool {
		m, ok := s.member("pg1")
		return ok && m.Role == "leader" && m.State == "running"
	})
	c.startNode(1)
	c.startNode(2)
	c.waitHealthy(120 * time.Second)
}

func (c *patroniCluster) config(i int) string {
	return filepath.Join(c.dir, fmt.Sprintf("pg%d.yml", i+1))
}

func (c *patroniCluster) dataDir(i int) string {
	return filepath.Join(c.dir, fmt.Sprintf("pg%d", i+1))
}

func (c *patroniCluster) yaml(i int) string {
	return fmt.Sprintf(`scope: sealportal-failover
name: pg%[1]d
restapi: {listen: '127.0.0.1:%[2]d', connect_address: '127.0.0.1:%[2]d'}
etcd3: {hosts: ['127.0.0.1:%[3]d', '127.0.0.1:%[4]d', '127.0.0.1:%[5]d']}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 3
    synchronous_mode: true
    synchronous_mode_strict: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      parameters: {wal_level: replica, hot_standby: 'on', wal_log_hints: 'on', wal_retrieve_retry_interval: 1s, max_wal_senders: 10, max_replication_slots: 10, synchronous_commit: 'on', shared_buffers: 32MB, max_connections: 200}
  initdb: [{encoding: UTF8}, {locale: C}, {auth: trust}]
  pg_hba: ['host replication postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 trust', 'local all all trust']
postgresql:
  listen: '127.0.0.1:%[6]d'
  connect_address: '127.0.0.1:%[6]d'
  data_dir: '%[7]s'
  bin_dir: '%[8]s'
  pgpass: '%[9]s'
  use_pg_rewind: true
  remove_data_directory_on_rewind_failure: true
  remove_data_directory_on_diverged_timelines: true
  authentication: {superuser: {username: postgres}, replication: {username: postgres}}
  parameters: {unix_socket_directories: '%[10]s'}
`, i+1, c.rest[i], c.client[0], c.client[1], c.client[2], c.pg[i], c.dataDir(i), c.pgBin,
		filepath.Join(c.dir, fmt.Sprintf("pgpass%d", i+1)), c.dir)
}

func (c *patroniCluster) startNode(i int) {
	c.node[i] = c.start(fmt.Sprintf("patroni%d.log", i+1), "patroni", c.config(i))
}

// url is the portal's database URL: libpq's multi-host list with
// target_session_attrs=read-write, so a connection finds the leader.
func (c *patroniCluster) url() string {
	var hosts []string
	for _, p := range c.pg {
		hosts = append(hosts, fmt.Sprintf("127.0.0.1:%d", p))
	}
	return "postgres://postgres@" + strings.Join(hosts, ",") + "/postgres?target_session_attrs=read-write&sslmode=disable&connect_timeout=2"
}

// nodeURL is one node's URL, whatever its role.
func (c *patroniCluster) nodeURL(i int) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.pg[i])
}

type clusterMember struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	State string `json:"state"`
}

type clusterState struct {
	Members []clusterMember `json:"members"`
	Pause   bool            `json:"pause"`
}

func (s clusterState) member(name string) (clusterMember, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return clusterMember{}, false
}

func (s clusterState) role(role string) (clusterMember, bool) {
	for _, m := range s.Members {
		if m.Role == role {
			return m, true
		}
	}
	return clusterMember{}, false
}

func (s clusterState) String() string {
	var parts []string
	for _, m := range s.Members {
		parts = append(parts, m.Name+"="+m.Role+"/"+m.State)
	}
	if s.Pause {
		parts = append(parts, "(paused)")
	}
	return strings.Join(parts, " ")
}

// state asks the Patroni nodes that run for the cluster's state.
func (c *patroniCluster) state() (clusterState, bool) {
	hc := http.Client{Timeout: time.Second}
	for i, p := range c.node {
		if p == nil {
			continue
		}
		resp, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/cluster", c.rest[i]))
		if err != nil {
			continue
		}
		var s clusterState
		err = json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if err == nil {
			return s, true
		}
	}
	return clusterState{}, false
}

// waitFor polls the cluster's state until ok, or fails the test.
func (c *patroniCluster) waitFor(limit time.Duration, what string, ok func(clusterState) bool) clusterState {
	c.t.Helper()
	var last clusterState
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if s, answered := c.state(); answered {
			last = s
			if ok(s) {
				return s
			}
		}
	}
	c.t.Fatalf("waited %s for %s; cluster: %s\n%s", limit, what, last, c.logTail())
	return last
}

// waitHealthy waits for three running members: a leader, a synchronous
// standby and a replica.
func (c *patroniCluster) waitHealthy(limit time.Duration) clusterState {
	c.t.Helper()
	return c.waitFor(limit, "a leader, a synchronous standby and a replica", func(s clusterState) bool {
		if len(s.Members) != 3 {
			return false
		}
		roles := map[string]int{}
		for _, m := range s.Members {
			if m.State != "running" && m.State != "streaming" {
				return false
			}
			roles[m.Role]++
		}
		return roles["leader"] == 1 && roles["sync_standby"] == 1 && roles["replica"] == 1
	})
}

func (c *patroniCluster) logTail() string {
	var b strings.Builder
	for i := range 3 {
		raw, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("patroni%d.log", i+1)))
		fmt.Fprintf(&b, "--- patroni%d.log\n%s\n", i+1, lastLines(string(raw), 8))
	}
	return b.String()
}

func nodeIndex(name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "pg"))
	if err != nil || n < 1 || n > 3 {
		return -1
	}
	return n - 1
}

// postmaster is the PID of node i's postmaster, when it runs.
func (c *patroniCluster) postmaster(i int) int {
	raw, err := os.ReadFile(filepath.Join(c.dataDir(i), "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil || pid <= 0 || syscall.Kill(pid, 0) != nil {
		return 0
	}
	return pid
}

// children are the processes whose parent is pid (from /proc).
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so after the last ')'.
		s := string(raw)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// kill is node i's machine dying: its Patroni, its postmaster and the
// postmaster's children get SIGKILL together, by PID.
func (c *patroniCluster) kill(i int) string {
	c.t.Helper()
	pm := c.postmaster(i)
	var kids []int
	if pm > 0 {
		kids = children(pm)
	}
	patroni := c.node[i].pid()
	_ = syscall.Kill(patroni, syscall.SIGKILL)
	if pm > 0 {
		_ = syscall.Kill(pm, syscall.SIGKILL)
	}
	for _, k := range kids {
		_ = syscall.Kill(k, syscall.SIGKILL)
	}
	<-c.node[i].done
	c.node[i] = nil
	for _, p := range append([]int{pm}, kids...) {
		for p > 0 && syscall.Kill(p, 0) == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return fmt.Sprintf("Patroni %d, postmaster %d and %d backends", patroni, pm, len(kids))
}

// rejoin brings a killed node back: its Patroni is started again, as when
// the machine reboots. Its PostgreSQL may hold WAL the new leader never
// received (written, not yet confirmed by the synchronous standby), so it
// cannot simply follow the new timeline: Patroni runs crash recovery and
// pg_rewind (use_pg_rewind), and reinitialises the node from a base backup
// when that fails (remove_data_directory_on_rewind_failure). The same settings
// handle a replica that had received more WAL than the synchronous standby
// promoted in its place (remove_data_directory_on_diverged_timelines): until
// it follows again, strict mode has no synchronous standby and writes wait.
func (c *patroniCluster) rejoin(i int) {
	c.t.Helper()
	c.startNode(i)
}

// close stops everything this cluster started, each by its PID: Patroni
// (which stops its PostgreSQL, unless paused), any postmaster left, etcd.
func (c *patroniCluster) close() {
	began := time.Now()
	defer func() {
		if d := time.Since(began); d > 10*time.Second {
			c.t.Logf("the cluster took %s to stop", d.Round(100*time.Millisecond))
		}
	}()
	for _, p := range c.node {
		if p != nil {
			p.stop(20 * time.Second)
		}
	}
	for i := range 3 {
		if pm := c.postmaster(i); pm > 0 {
			_ = syscall.Kill(pm, syscall.SIGINT) // fast shutdown
			for k := 0; k < 100 && syscall.Kill(pm, 0) == nil; k++ {
				time.Sleep(100 * time.Millisecond)
			}
			_ = syscall.Kill(pm, syscall.SIGKILL)
		}
	}
	for _, p := range c.etcd {
		if p != nil {
			p.stop(10 * time.Second)
		}
	}
	if os.Getenv("FAILOVER_KEEP") == "" {
		_ = os.RemoveAll(c.dir)
	} else {
		c.t.Logf("cluster folder kept: %s", c.dir)
	}
}
