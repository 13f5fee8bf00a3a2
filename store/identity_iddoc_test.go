package store

import (
	"bytes"
	"context"
	"testing"

	"sealportal/portal"
	"sealportal/store/kv"
)

// R31: an account registered with a passport keeps its kind, state and
// stated birth date (the state and date sealed), survives a reopen, is found
// under the very key of the cases' person index, is verified only on a proof
// of the same document, and is then linked to the cases about that document
// with a matching name; the same number from another state is someone else.
func TestIdentityDocumentAccountVerifiedAndLinked(t *testing.T) {
	f := newIdentityFixture(t)
	gbr := portal.Case{PersonName: "John Smith", PersonIDNumber: "E12345678", PersonDocType: portal.DocPassport, PersonDocCountry: "GBR",
		DecidingOrganID: f.court.ID, OrganCaseNumber: "(2023)演刑初字第31号", CourtBirthDate: portal.Date{Year: 2006, Month: 3, Day: 14},
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2023, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12},
		HoldingOrganIDs: []uint64{f.court.ID, f.police.ID}}
	usa := gbr
	usa.PersonDocCountry, usa.OrganCaseNumber = "USA", "(2023)演刑初字第32号"
	step := Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: f.official.ID, Role: portal.RoleCourt, OrganID: f.court.ID, Rules: []string{"R11"}}
	cg, err := f.db.OpenExOfficio(gbr, step, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	cu, err := f.db.OpenExOfficio(usa, step, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: "13800000031", Mobile: "13800000031", Name: "john smith",
		IDNumber: "E12345678", DocType: portal.DocPassport, DocCountry: "GBR", DocBirth: portal.Date{Year: 2006, Month: 3, Day: 14}, PasswordHash: "x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	db := reopenTestDB(t, f.db)
	got, err := db.Account(a.ID)
	if err != nil || got.DocType != portal.DocPassport || got.DocCountry != "GBR" || got.DocBirth != (portal.Date{Year: 2006, Month: 3, Day: 14}) {
		t.Fatalf("after reopen %+v %v", got, err)
	}
	// The state and the birth date are not in clear in the row.
	if err := db.view(func(tx kv.Tx) error {
		raw := tx.Bucket(bucketAccounts).Get(itob(a.ID))
		if bytes.Contains(raw, []byte("GBR")) || bytes.Contains(raw, []byte("2006-03-14")) {
			t.Error("state or birth date stored in clear")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(db.accountPersonKey(got), db.casePersonKey(cg)) {
		t.Fatal("the account's key is not the case index's key")
	}
	if r := rel(t, db, a.ID, cg.ID); r != "" {
		t.Fatalf("linked before verification: %q", r)
	}
	for _, p := range []IdentityProof{
		{Method: portal.IdentityByOrgan, IDNumber: "E12345678", DocType: portal.DocPassport, DocCountry: "USA", Name: "John Smith"},
		{Method: portal.IdentityByOrgan, IDNumber: "E12345678", Name: "John Smith"},
	} {
		if _, err := db.VerifyIdentity(a.ID, p); portal.ErrorCode(err) != portal.CodeConflict {
			t.Fatalf("proof %+v accepted: %v", p, err)
		}
	}
	v, err := db.VerifyIdentity(a.ID, IdentityProof{Method: portal.IdentityByOrgan, IDNumber: "e1234 5678", DocType: portal.DocPassport, DocCountry: "gbr", Name: "John  Smith"})
	if err != nil || !v.IdentityVerified {
		t.Fatalf("verify: %+v %v", v, err)
	}
	if r := rel(t, db, a.ID, cg.ID); r != RelPerson {
		t.Fatalf("the GBR case: relation %q", r)
	}
	if r := rel(t, db, a.ID, cu.ID); r != "" {
		t.Fatalf("the USA passport's case linked: %q", r)
	}
	// A case opened later about the same passport is linked at once.
	gbr.OrganCaseNumber = "(2023)演刑初字第33号"
	later, err := db.OpenExOfficio(gbr, step, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	if r := rel(t, db, a.ID, later.ID); r != RelPerson {
		t.Fatalf("later case relation %q", r)
	}
}

// TestPassportAccountSurvivesBlindKeyRotation joins R31 and the blind-index
// key rotation (issue 13): an account and a case indexed under a passport's
// key are re-indexed under the new blind key, and the organ's verification
// afterwards still finds and links the case, and a second account with the
// same passport is still refused.
func TestPassportAccountSurvivesBlindKeyRotation(t *testing.T) {
	f := newIdentityFixture(t)
	c := portal.Case{PersonName: "Ana Costa", PersonIDNumber: "P7654321", PersonDocType: portal.DocPassport, PersonDocCountry: "PRT",
		DecidingOrganID: f.court.ID, OrganCaseNumber: "(2023)演刑初字第41号", CourtBirthDate: portal.Date{Year: 2006, Month: 5, Day: 2},
		Disposition: portal.DispositionSentenced, DecisionDate: portal.Date{Year: 2023, Month: 9, Day: 1}, Intent: portal.IntentIntentional,
		Acts: []portal.Act{{Date: portal.Date{Year: 2023, Month: 1, Day: 5}, Main: true}}, Penalty: &portal.Penalty{Kind: portal.PenaltyFixedTerm, Months: 12},
		HoldingOrganIDs: []uint64{f.court.ID, f.police.ID}}
	step := Step{Action: portal.ActionExOfficio, Actor: portal.ActorDecider, AccountID: f.official.ID, Role: portal.RoleCourt, OrganID: f.court.ID, Rules: []string{"R11"}}
	cs, err := f.db.OpenExOfficio(c, step, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	newAcct := func(mobile string) portal.Account {
		a, err := f.db.CreateAccount(portal.Account{Role: portal.RoleMinor, Login: mobile, Mobile: mobile, Name: "Ana Costa",
			IDNumber: "P7654321", DocType: portal.DocPassport, DocCountry: "PRT", DocBirth: portal.Date{Year: 2006, Month: 5, Day: 2}, PasswordHash: "x"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := newAcct("13800000041")
	if _, err := f.db.RotateBlindKey(context.Background(), BlindRotateOptions{BatchRecords: 1}); err != nil {
		t.Fatal(err)
	}
	proof := IdentityProof{Method: portal.IdentityByOrgan, IDNumber: "P7654321", DocType: portal.DocPassport, DocCountry: "PRT", Name: "Ana Costa"}
	if v, err := f.db.VerifyIdentity(a.ID, proof); err != nil || !v.IdentityVerified {
		t.Fatalf("verify after the rotation: %+v %v", v, err)
	}
	if r := rel(t, f.db, a.ID, cs.ID); r != RelPerson {
		t.Fatalf("the passport's case after the rotation: relation %q, want %q", r, RelPerson)
	}
	b := newAcct("13800000042")
	if _, err := f.db.VerifyIdentity(b.ID, proof); portal.ErrorCode(err) != portal.CodeConflict {
		t.Fatalf("a second account verified for the same passport after the rotation: %v", err)
	}
}
