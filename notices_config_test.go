package main

import (
	"flag"
	"testing"
)

// Issue 16: the operator's contact is a configuration value, from the flag or
// the environment, empty by default (the help pages then say whom to ask).
func TestOperatorContactFlagAndEnv(t *testing.T) {
	parse := func(args ...string) config {
		var c config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		serveFlags(fs, &c)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Setenv("PORTAL_OPERATOR_CONTACT", "")
	if c := parse(); c.operatorContact != "" {
		t.Errorf("default %q, want empty", c.operatorContact)
	}
	t.Setenv("PORTAL_OPERATOR_CONTACT", "演示市人民检察院 010-1")
	if c := parse(); c.operatorContact != "演示市人民检察院 010-1" {
		t.Errorf("from the environment %q", c.operatorContact)
	}
	if c := parse("-operator-contact", "平台服务电话 010-2"); c.operatorContact != "平台服务电话 010-2" {
		t.Errorf("the flag did not win: %q", c.operatorContact)
	}
}
