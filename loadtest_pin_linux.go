package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinProcess binds every thread of process pid (0: this process) to cpus
// with sched_setaffinity(2). A Go program's threads are separate tasks, so
// each one under /proc/<pid>/task is bound; threads started later inherit
// the binding of the thread that starts them. For this process GOMAXPROCS
// follows the new set.
func pinProcess(pid int, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	dir := "/proc/self/task"
	if pid != 0 {
		dir = filepath.Join("/proc", strconv.Itoa(pid), "task")
	}
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("pin: threads of %s: %w", dir, err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH { // a thread that just ended
			return fmt.Errorf("pin: thread %d to CPUs %v: %w", tid, cpus, err)
		}
	}
	if pid == 0 {
		runtime.GOMAXPROCS(len(cpus))
	}
	return nil
}

// processCPUs is the CPU list a process (0: this one) may run on now.
func processCPUs(pid int) ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &set); err != nil {
		return nil, err
	}
	var out []int
	for c := range 1024 {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, nil
}
