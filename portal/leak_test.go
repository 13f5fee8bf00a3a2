package portal

import (
	"slices"
	"strings"
	"testing"
)

func TestLeakTransitions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from   LeakStatus
		action LeakAction
		actor  LeakActor
		to     LeakStatus // "" when refused
	}{
		{LeakDraft, LeakSubmit, LeakActorReporter, LeakReceived},
		{LeakReceived, LeakStart, LeakActorSupervisor, LeakInvestigating},
		{LeakInvestigating, LeakRecordFindings, LeakActorSupervisor, LeakInvestigating},
		{LeakInvestigating, LeakClose, LeakActorSupervisor, LeakClosed},
		{LeakReceived, LeakAddInformation, LeakActorReporter, LeakReceived},
		{LeakInvestigating, LeakAddInformation, LeakActorReporter, LeakInvestigating},
		// R25: closing is the supervisor's, after an investigation, and final.
		{LeakReceived, LeakClose, LeakActorSupervisor, ""},
		{LeakInvestigating, LeakClose, LeakActorReporter, ""},
		{LeakClosed, LeakAddInformation, LeakActorReporter, ""},
		{LeakClosed, LeakStart, LeakActorSupervisor, ""},
		{LeakClosed, LeakRecordFindings, LeakActorSupervisor, ""},
		{LeakReceived, LeakRecordFindings, LeakActorSupervisor, ""},
		{LeakReceived, LeakSubmit, LeakActorReporter, ""},
		{LeakDraft, LeakStart, LeakActorSupervisor, ""},
	} {
		got, err := NextLeak(tc.from, tc.action, tc.actor)
		if tc.to == "" {
			if ErrorCode(err) != CodeConflict {
				t.Errorf("%s %s by %s: %v, %v; want a conflict", tc.from, tc.action, tc.actor, got, err)
			}
			continue
		}
		if err != nil || got != tc.to {
			t.Errorf("%s %s by %s = %s, %v; want %s", tc.from, tc.action, tc.actor, got, err, tc.to)
		}
	}
	if got := AllowedLeak(LeakInvestigating, LeakActorSupervisor); !slices.Equal(got, []LeakAction{LeakRecordFindings, LeakClose}) {
		t.Errorf("allowed while investigating: %v", got)
	}
	if got := AllowedLeak(LeakClosed, LeakActorSupervisor); len(got) != 0 {
		t.Errorf("allowed when closed: %v", got)
	}
}

func validLeak() LeakReport {
	return LeakReport{PlaceKind: LeakPlaceWebsite, PlaceDetail: "https://example.org/notice", SeenOn: Date{2026, 3, 1},
		Disclosed: "姓名和判决", SourceKind: LeakSourceUnknown}
}

func wantLeakFields(t *testing.T, name string, err error, want map[string]string) {
	t.Helper()
	pe, ok := AsError(err)
	if len(want) == 0 {
		if err != nil {
			t.Errorf("%s: %v, want no error", name, err)
		}
		return
	}
	if !ok || pe.Code != CodeInvalid {
		t.Fatalf("%s: %v, want invalid", name, err)
	}
	for f, k := range want {
		if pe.Fields[f] != k {
			t.Errorf("%s: field %s = %q, want %q (all: %v)", name, f, pe.Fields[f], k, pe.Fields)
		}
		if !slices.Contains(LeakMessageKeys(), k) && !strings.HasPrefix(k, "id.") {
			t.Errorf("%s: key %s missing from LeakMessageKeys", name, k)
		}
	}
	if len(pe.Fields) != len(want) {
		t.Errorf("%s: fields %v, want %v", name, pe.Fields, want)
	}
}

func TestLeakReportValidate(t *testing.T) {
	t.Parallel()
	today := Date{2026, 3, 10}
	id := SyntheticIDNumber(3, Date{2008, 5, 1}).String()
	for _, tc := range []struct {
		name string
		edit func(*LeakReport)
		want map[string]string
	}{
		{"valid", func(*LeakReport) {}, nil},
		{"valid with person", func(r *LeakReport) { r.PersonIDNumber = id }, nil},
		{"empty", func(r *LeakReport) { *r = LeakReport{} }, map[string]string{"place_kind": "leak.place_required",
			"seen_on": "leak.seen_on_required", "disclosed": "leak.disclosed_required", "source_kind": "leak.source_required"}},
		{"website needs its address", func(r *LeakReport) { r.PlaceDetail = "  " }, map[string]string{"place_detail": "leak.place_address_required"}},
		{"a conversation needs no detail", func(r *LeakReport) { r.PlaceKind, r.PlaceDetail = LeakPlaceConversation, "" }, nil},
		{"future date", func(r *LeakReport) { r.SeenOn = Date{2026, 3, 11} }, map[string]string{"seen_on": "leak.seen_on_future"}},
		{"today is fine", func(r *LeakReport) { r.SeenOn = today }, nil},
		{"bad person number", func(r *LeakReport) { r.PersonIDNumber = "123" }, map[string]string{"person_id_number": "id.length"}},
		{"long text", func(r *LeakReport) { r.Disclosed = strings.Repeat("字", MaxLeakText+1) }, map[string]string{"disclosed": "leak.too_long_2000"}},
		{"text at the limit", func(r *LeakReport) { r.Disclosed = strings.Repeat("字", MaxLeakText) }, nil},
		{"long contact", func(r *LeakReport) { r.Contact = strings.Repeat("a", MaxLeakShortText+1) }, map[string]string{"contact": "leak.too_long_200"}},
		{"too many files", func(r *LeakReport) { r.Documents = make([]Document, MaxLeakDocuments+1) }, map[string]string{"files": "leak.too_many_files"}},
		{"unknown source kind", func(r *LeakReport) { r.SourceKind = "neighbour" }, map[string]string{"source_kind": "leak.source_required"}},
	} {
		r := validLeak()
		tc.edit(&r)
		wantLeakFields(t, tc.name, r.Validate(today), tc.want)
	}
}

// R25: a report is closed only with who was responsible, the measure and its date.
func TestLeakOutcomeValidate(t *testing.T) {
	t.Parallel()
	today := Date{2026, 3, 10}
	for _, tc := range []struct {
		name string
		o    LeakOutcome
		want map[string]string
	}{
		{"nothing", LeakOutcome{}, map[string]string{"responsible": "leak.outcome_responsible_required",
			"measure": "leak.outcome_measure_required", "outcome_date": "leak.outcome_date_required"}},
		{"official without a name", LeakOutcome{Responsible: LeakResponsibleOfficial, Measure: LeakMeasureDiscipline, Date: today},
			map[string]string{"responsible_name": "leak.outcome_name_required"}},
		{"official disciplined", LeakOutcome{Responsible: LeakResponsibleOfficial, ResponsibleName: "某派出所民警", Measure: LeakMeasureDiscipline, Date: today}, nil},
		{"unit corrected", LeakOutcome{Responsible: LeakResponsibleUnit, ResponsibleName: "某中学", Measure: LeakMeasureCorrectionNotice, Date: Date{2026, 3, 2}}, nil},
		{"nobody identified, nothing found", LeakOutcome{Responsible: LeakResponsibleNotIdentified, Measure: LeakMeasureNoneFound, Date: today}, nil},
		{"nobody identified cannot be disciplined", LeakOutcome{Responsible: LeakResponsibleNotIdentified, Measure: LeakMeasureDiscipline, Date: today},
			map[string]string{"measure": "leak.outcome_measure_needs_responsible"}},
		{"nobody identified cannot be referred", LeakOutcome{Responsible: LeakResponsibleNotIdentified, Measure: LeakMeasureCriminalReferral, Date: today},
			map[string]string{"measure": "leak.outcome_measure_needs_responsible"}},
		{"measure in the future", LeakOutcome{Responsible: LeakResponsibleUnit, ResponsibleName: "某单位", Measure: LeakMeasureCorrectionNotice, Date: Date{2026, 3, 11}},
			map[string]string{"outcome_date": "leak.outcome_date_future"}},
		{"unknown measure", LeakOutcome{Responsible: LeakResponsibleUnit, ResponsibleName: "某单位", Measure: "fine", Date: today},
			map[string]string{"measure": "leak.outcome_measure_required"}},
	} {
		wantLeakFields(t, tc.name, tc.o.Validate(today), tc.want)
	}
}

func TestLeakFindingsValidate(t *testing.T) {
	t.Parallel()
	wantLeakFields(t, "nothing", LeakFindings{}.Validate(), map[string]string{"stopped": "leak.findings_stopped_required"})
	wantLeakFields(t, "source without a name", LeakFindings{SourceIdentified: true, Stopped: LeakStopTakenDown}.Validate(),
		map[string]string{"source": "leak.findings_source_required"})
	wantLeakFields(t, "complete", LeakFindings{SourceIdentified: true, Source: "某校教务处", Stopped: LeakStopRetrieved, PersonInformed: true}.Validate(), nil)
	wantLeakFields(t, "not yet stopped", LeakFindings{Stopped: LeakStopNotYet}.Validate(), nil)
}

func TestValidateLeakAddition(t *testing.T) {
	t.Parallel()
	wantLeakFields(t, "empty", ValidateLeakAddition(" ", 0, 0), map[string]string{"more": "leak.add_required"})
	wantLeakFields(t, "a file alone", ValidateLeakAddition("", 1, 0), nil)
	wantLeakFields(t, "text alone", ValidateLeakAddition("又看到了", 0, 0), nil)
	wantLeakFields(t, "over the file limit", ValidateLeakAddition("", 2, MaxLeakDocuments-1), map[string]string{"files": "leak.too_many_files"})
}

func TestTrackingCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c := NewTrackingCode()
		if len(c) != TrackingCodeLength+TrackingCodeLength/trackingGroup-1 || strings.Count(c, "-") != 4 {
			t.Fatalf("code %q has the wrong shape", c)
		}
		if strings.ContainsAny(c, "01OI") {
			t.Fatalf("code %q has a look-alike character", c)
		}
		n, ok := NormalizeTrackingCode(c)
		if !ok || len(n) != TrackingCodeLength || strings.Contains(n, "-") {
			t.Fatalf("normalize %q = %q, %v", c, n, ok)
		}
		if seen[n] {
			t.Fatalf("code %q twice in 200", c)
		}
		seen[n] = true
	}
	// 20 characters of 32 symbols: 100 bits.
	if len(trackingAlphabet) != 32 || TrackingCodeLength*5 < 100 {
		t.Fatal("the code carries fewer than 100 bits")
	}
	for in, want := range map[string]string{
		"abcd-efgh-jkmn-pqrs-tuvw":     "ABCDEFGHJKMNPQRSTUVW",
		" ABCD EFGH JKMN PQRS TUVW ":   "ABCDEFGHJKMNPQRSTUVW",
		"ABCD－EFGH－JKMN－PQRS－TUVW":     "ABCDEFGHJKMNPQRSTUVW",
		"ABCDEFGHJKMNPQRSTUVW":         "ABCDEFGHJKMNPQRSTUVW",
		"ABCDEFGHJKMNPQRSTUV":          "", // too short
		"ABCDEFGHJKMNPQRSTUVWX":        "", // too long
		"ABCD-EFGH-JKMN-PQRS-TUV0":     "", // 0 is not in the alphabet
		"<script>":                     "",
		"":                             "",
		"ABCDEFGHJKMNPQRSTUVW/../../x": "",
	} {
		got, ok := NormalizeTrackingCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeTrackingCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzNormalizeTrackingCode(f *testing.F) {
	f.Add("ABCD-EFGH-JKMN-PQRS-TUVW")
	f.Add("  ab cd  ")
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeTrackingCode(s)
		if !ok {
			return
		}
		if len(n) != TrackingCodeLength {
			t.Fatalf("%q -> %q", s, n)
		}
		for _, r := range n {
			if !strings.ContainsRune(trackingAlphabet, r) {
				t.Fatalf("%q -> %q has %q", s, n, r)
			}
		}
		if again, ok := NormalizeTrackingCode(n); !ok || again != n {
			t.Fatalf("not idempotent: %q -> %q", n, again)
		}
	})
}

func TestLeakReference(t *testing.T) {
	t.Parallel()
	if got := LeakReference(2026, 42); got != "LK-2026-000042" {
		t.Fatalf("LeakReference = %q", got)
	}
}
