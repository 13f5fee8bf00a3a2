package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sealportal/portal"
)

// `admin load-calendar` with a year from a non-official source says it is
// provisional; `admin confirm-calendar` records the notice it was checked
// against (audited), and refuses without one.
func TestAdminLoadAndConfirmCalendar(t *testing.T) {
	t.Parallel()
	db := openData(t, testData(t))
	file := filepath.Join(t.TempDir(), "2029.json")
	raw := `{"year":2029,"source":{"authority":"test: 国务院办公厅关于2029年部分节假日安排的通知","module":"example.org/holidays"},` +
		`"days_off":[{"date":"2029-01-01","holiday":"元旦"}],"days_worked":[]}`
	if err := os.WriteFile(file, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := adminLoadCalendar(db, file, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "calendar 2029 loaded") || !strings.Contains(out.String(), "provisional") {
		t.Fatalf("output %q", out.String())
	}
	if cal, _ := db.Calendar(); !cal.Provisional(2029) {
		t.Fatal("2029 not provisional")
	}
	if err := adminConfirmCalendar(db, 2029, "", &out); err == nil {
		t.Fatal("confirmed without a notice")
	}
	if err := adminConfirmCalendar(db, 0, "x", &out); err == nil {
		t.Fatal("confirmed without a year")
	}
	if err := adminConfirmCalendar(db, 2029, "国办发明电〔2028〕1号", &out); err != nil {
		t.Fatal(err)
	}
	if cal, _ := db.Calendar(); cal.Provisional(2029) {
		t.Fatal("2029 still provisional")
	}
	evs, _ := db.AuditBySubject("calendar", 2029)
	if len(evs) != 2 || evs[1].Action != portal.AuditCalendarConfirmed {
		t.Fatalf("audit %+v", evs)
	}
}
