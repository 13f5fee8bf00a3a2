package store

import (
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// R21: a judicial organ marks another of its cases as using sealed
// information; the co-offender lookup (R20) then answers "marked" for that
// case number, audited; a second marking by the same organ is a conflict;
// the judicial administration cannot mark.
func TestSealedInfoMarking(t *testing.T) {
	w := newCertWorld(t)
	db := w.db
	judge := portal.Account{ID: 77, Role: portal.RoleCourt, OrganID: w.court.ID}
	if marked, err := db.CoOffenderMarked("（2026）演民初字第5号", judge, ""); err != nil || marked {
		t.Fatalf("before marking: %v %v", marked, err)
	}
	m, err := db.MarkSealedInfoCase(portal.SealedInfoMark{CaseNumber: "（2026）演民初字 第5号", Kind: portal.OtherCaseCivil, Basis: "CX-2026-000001"}, judge, "r")
	if err != nil || m.ID == 0 || m.OrganID != w.court.ID {
		t.Fatalf("mark %+v %v", m, err)
	}
	if _, err := db.MarkSealedInfoCase(portal.SealedInfoMark{CaseNumber: "（2026）演民初字第5号", Kind: portal.OtherCaseCivil, Basis: "x"}, judge, ""); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("marked twice: %v", err)
	}
	admin := portal.Account{ID: 78, Role: portal.RoleJudicialAdmin, OrganID: w.police.ID}
	if _, err := db.MarkSealedInfoCase(portal.SealedInfoMark{CaseNumber: "x", Kind: portal.OtherCaseCivil, Basis: "x"}, admin, ""); portal.ErrorCode(err) != portal.CodeForbidden {
		t.Fatalf("judicial administration marked: %v", err)
	}
	if marked, err := db.CoOffenderMarked("（2026）演民初字第5号", w.officer, ""); err != nil || !marked {
		t.Fatalf("lookup after marking: %v %v", marked, err)
	}
	list, err := db.SealedInfoMarksOfOrgan(w.court.ID)
	if err != nil || len(list) != 1 || list[0].Kind != portal.OtherCaseCivil {
		t.Fatalf("list %+v %v", list, err)
	}
	if other, _ := db.SealedInfoMarksOfOrgan(w.police.ID); len(other) != 0 {
		t.Fatalf("another organ's list %+v", other)
	}
	if evs, _ := db.AuditBySubject("sealed_info", m.ID); len(evs) != 1 || evs[0].Action != portal.AuditSealedInfoMarked {
		t.Fatalf("audit %+v", evs)
	}
}

// The migration creating the certificate objections' and R21 markings'
// buckets, found by its name: after it they exist, and it applies twice.
func TestMigrationSealedInfoBuckets(t *testing.T) {
	version := 0
	for _, m := range migrations {
		if m.name == migrationSealedInfoName {
			version = m.version
		}
	}
	if version == 0 {
		t.Fatal("no migration named " + migrationSealedInfoName)
	}
	b := applyUpTo(t, version)
	if err := b.View(func(tx kv.Tx) error {
		for _, name := range [][]byte{bucketCertObjections, bucketSealedInfoMarks, bucketSealedInfoByNumber, bucketSealedInfoByOrgan} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(migrations[version-1].apply); err != nil {
		t.Errorf("applied twice: %v", err)
	}
}
