//go:build !linux

package main

import "errors"

// pinProcess needs Linux's sched_setaffinity; elsewhere -pin is refused and
// the README's note on pinning applies.
func pinProcess(int, []int) error { return errors.New("-pin needs Linux (sched_setaffinity)") }

func processCPUs(int) ([]int, error) { return nil, errors.New("CPU affinity is read on Linux only") }
