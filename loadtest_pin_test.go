package main

import (
	"io"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "1": {1}, "0,2": {0, 2}, "1-3": {1, 2, 3}, "3,0-1": {0, 1, 3}, " 1 , 1 ": {1}} {
		got, err := parseCPUList(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a", "-1", "3-1", "1-", "0,,1", "5000"} {
		if got, err := parseCPUList(in); err == nil {
			t.Errorf("parseCPUList(%q) = %v, want an error", in, got)
		}
	}
}

// -pin binds every thread of another process to the CPUs asked for, and
// refuses a CPU given to both sides.
func TestPinProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sched_setaffinity is Linux's")
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	before, err := processCPUs(cmd.Process.Pid)
	if err != nil || len(before) == 0 {
		t.Fatalf("affinity of the child: %v, %v", before, err)
	}
	want := []int{before[len(before)-1]}
	if err := pinProcess(cmd.Process.Pid, want); err != nil {
		t.Fatal(err)
	}
	if got, err := processCPUs(cmd.Process.Pid); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after pinning to %v the child runs on %v (%v)", want, got, err)
	}
	err = runLoadtest([]string{"-target", "http://127.0.0.1:1", "-pin", "-server-cpus", "0-1", "-client-cpus", "1"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("overlapping CPU lists: %v", err)
	}
}
