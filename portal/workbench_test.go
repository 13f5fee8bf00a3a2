package portal

import "testing"

// Names are indexed and looked up in one folded form (issue 18), so that
// spaces and the several middle dots of transcribed names do not hide a case.
func TestNormalizeSearchName(t *testing.T) {
	long := ""
	for range 101 {
		long += "张"
	}
	for _, tc := range []struct{ in, want string }{
		{"李小华", "李小华"},
		{" 李 小华\u3000", "李小华"},
		{"阿卜杜•热合曼", "阿卜杜·热合曼"},
		{"阿卜杜・热合曼", "阿卜杜·热合曼"},
		{"阿卜杜·热合曼", "阿卜杜·热合曼"},
		{"John SMITH", "johnsmith"},
		{"ＪＯＨＮ", "john"},
		{"   ", ""},
		{long, ""},
	} {
		if got := NormalizeSearchName(tc.in); got != tc.want {
			t.Errorf("NormalizeSearchName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSearchKindValid(t *testing.T) {
	for _, k := range SearchKinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	if SearchKind("shoe_size").Valid() || SearchKind("").Valid() {
		t.Error("an unknown kind is valid")
	}
}

// The combined step is the table's acceptance followed by the start of the
// review, each allowed to the deciding organ in turn.
func TestAcceptAndReviewFollowsTheTable(t *testing.T) {
	st := StatusSubmitted
	for _, a := range AcceptAndReview {
		next, err := Next(st, a, ActorDecider)
		if err != nil {
			t.Fatalf("%s from %s: %v", a, st, err)
		}
		st = next
	}
	if st != StatusUnderReview {
		t.Fatalf("ends in %s", st)
	}
}
