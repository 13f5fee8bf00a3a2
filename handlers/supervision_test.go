package handlers

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sealportal/portal"
	"sealportal/views"
)

var supRowRE = regexp.MustCompile(`data-testid="queue-row" data-kind="([a-z]+)" data-ref="([^"]*)" data-status="([^"]*)" data-overdue="([a-z]+)"`)

// supRows lists the console's rows as kind|ref|status|overdue, in page order.
func supRows(p *testPage) []string {
	var out []string
	for _, m := range supRowRE.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1]+"|"+m[2]+"|"+m[3]+"|"+m[4])
	}
	return out
}

func supCount(t *testing.T, p *testPage, id string) int {
	t.Helper()
	m := regexp.MustCompile(`data-testid="` + id + `" data-count="(\d+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s on %s", id, p.url.RequestURI())
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// The console mixes relief requests and every organ's overdue sealing cases
// in one queue by deadline, with counts at the top and filters by kind,
// status, organ and overdue.
func TestSupervisionConsoleQueue(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	other := w.citizen(portal.RoleMinor, "13900000311", 311)
	sealed2 := w.sealedCase(other, 311) // like the first, the court and the police owe its sealing (R12)
	first := w.storeRelief(w.minor, w.sealed.ID)
	w.clock.advance(8 * 24 * time.Hour) // Wednesday 18 March
	second := w.storeRelief(other, 0)
	w.clock.advance(10 * 24 * time.Hour) // Saturday 28 March: the sealing deadlines and the first request's (31 March) not yet

	sup := w.signIn(w.sup)
	p := sup.get("/supervision").wantPath(t, "/supervision").wantText(t, "Supervision console")
	if got := supCount(t, p, "count-relief"); got != 2 {
		t.Errorf("relief count %d", got)
	}
	if got := supCount(t, p, "count-cases"); got != 2 {
		t.Errorf("overdue cases count %d", got)
	}
	rows := supRows(p)
	if len(rows) != 4 {
		t.Fatalf("rows %v", rows)
	}
	// Overdue sealing cases (due in mid-March) come first, then the requests by deadline.
	if !strings.HasPrefix(rows[0], "case|") || !strings.HasPrefix(rows[1], "case|") ||
		rows[2] != "relief|"+first.Ref+"|submitted|false" || rows[3] != "relief|"+second.Ref+"|submitted|false" {
		t.Fatalf("order %v", rows)
	}
	p.wantText(t, "演示市人民法院、演示市公安局", "days late")

	// Filters.
	if rows := supRows(sup.get("/supervision?kind=relief")); len(rows) != 2 {
		t.Errorf("relief only %v", rows)
	}
	if rows := supRows(sup.get("/supervision?kind=case")); len(rows) != 2 || !strings.HasPrefix(rows[0], "case|") {
		t.Errorf("cases only %v", rows)
	}
	if rows := supRows(sup.get("/supervision?organ=" + strconv.FormatUint(w.police.ID, 10))); len(rows) != 2 {
		t.Errorf("police's overdue cases %v", rows)
	}
	if rows := supRows(sup.get("/supervision?status=case:sealed")); len(rows) != 2 {
		t.Errorf("sealed cases %v", rows)
	}
	if rows := supRows(sup.get("/supervision?status=case:submitted")); len(rows) != 0 {
		t.Errorf("submitted cases %v", rows)
	}
	if rows := supRows(sup.get("/supervision?overdue=1&kind=relief")); len(rows) != 0 {
		t.Errorf("no request is overdue yet %v", rows)
	}
	w.clock.advance(4 * 24 * time.Hour) // 1 April: the first request is overdue
	sup = w.signIn(w.sup)               // the idle session has ended meanwhile
	p = sup.get("/supervision?overdue=1&kind=relief")
	if rows := supRows(p); len(rows) != 1 || rows[0] != "relief|"+first.Ref+"|submitted|true" {
		t.Errorf("overdue requests %v", rows)
	}
	if rows := supRows(sup.get("/supervision?status=relief:closed")); len(rows) != 0 {
		t.Errorf("closed requests %v", rows)
	}
	for _, bad := range []string{"?status=bogus", "?kind=relief&status=case:sealed", "?kind=nothing", "?organ=999", "?kind=relief&organ=" + strconv.FormatUint(w.police.ID, 10)} {
		p := sup.get("/supervision"+bad).wantStatus(t, http.StatusUnprocessableEntity)
		if _, ok := p.testid("error-summary"); !ok {
			t.Errorf("%s: no error summary", bad)
		}
	}
	// A row links to the supervisor's page of the item.
	if !strings.Contains(p.body, `href="/supervision/relief/`+strconv.FormatUint(first.ID, 10)+`"`) {
		t.Error("no link to the request's page")
	}
	if !strings.Contains(sup.get("/supervision?kind=case").body, `href="/staff/cases/`+strconv.FormatUint(sealed2.ID, 10)+`"`) {
		t.Error("no link to the case's page")
	}
}

// 50 rows a page; the pager keeps the filter.
func TestSupervisionConsolePages(t *testing.T) {
	t.Parallel()
	w := newRlfWorld(t)
	for i := 0; i < 53; i++ {
		w.storeRelief(w.minor, 0)
	}
	sup := w.signIn(w.sup)
	p := sup.get("/supervision?kind=relief")
	if rows := supRows(p); len(rows) != 50 {
		t.Fatalf("first page %d rows", len(rows))
	}
	next, ok := p.testid("pager-next")
	if !ok || next == "" {
		t.Fatal("no next page link")
	}
	if !strings.Contains(p.body, `href="/supervision?kind=relief&amp;page=2"`) {
		t.Fatal("the pager lost the filter")
	}
	p = sup.get("/supervision?kind=relief&page=2")
	if rows := supRows(p); len(rows) != 3 {
		t.Fatalf("second page %d rows", len(rows))
	}
	if got := supCount(t, p, "count-relief"); got != 53 {
		t.Fatalf("count %d", got)
	}
}

// The console's filter never panics on what a query string may hold, and
// whatever it accepts names known kinds and statuses only.
func FuzzSupervisionFilter(f *testing.F) {
	for _, s := range [][4]string{{"", "", "", ""}, {"relief", "relief:closed", "", "1"}, {"case", "case:sealed", "2", ""},
		{"leak", "leak:received", "", ""}, {"x", "case:", "-1", "yes"}, {"", ":", "18446744073709551616", ""}} {
		f.Add(s[0], s[1], s[2], s[3], "2")
	}
	organs := []portal.Organ{{ID: 1, Kind: portal.RoleCourt, Name: "a"}, {ID: 2, Kind: portal.RoleSupervisor, Name: "b"}}
	f.Fuzz(func(t *testing.T, kind, status, organ, overdue, page string) {
		in := supInput{Kind: kind, Status: status, Organ: organ, Overdue: overdue, Page: page}
		flt, fe := in.filter(organs)
		if flt.page < 1 {
			t.Fatalf("page %d", flt.page)
		}
		for k, on := range flt.kinds {
			if on && k != supKindRelief && k != supKindLeak && k != supKindCase {
				t.Fatalf("unknown kind %q", k)
			}
		}
		if len(fe) == 0 && flt.status != "" {
			k, _, _ := strings.Cut(status, ":")
			if !slices.Contains(supStatusValues(k), flt.status) {
				t.Fatalf("status %q accepted", flt.status)
			}
		}
		if flt.organ != 0 && flt.organ != 1 {
			t.Fatalf("organ %d accepted", flt.organ)
		}
		_ = supPager(in, flt.page, 1234)
	})
}

// Every text of relief requests and the console exists in both languages, and
// none says that a criminal record exists (R14).
func TestReliefMessagesComplete(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, k := range views.MessageKeys() {
		if strings.HasPrefix(k, "relief.") || strings.HasPrefix(k, "supervision.") || strings.HasPrefix(k, "notify.relief.") {
			keys = append(keys, k)
		}
	}
	for _, k := range portal.ReliefKinds {
		keys = append(keys, "relief.kind."+string(k))
	}
	for _, k := range portal.UnitKinds {
		keys = append(keys, "relief.unit."+string(k))
	}
	for _, k := range portal.ReliefRemedies {
		keys = append(keys, "relief.remedy."+string(k))
	}
	for _, k := range portal.ReliefStepKinds {
		keys = append(keys, "relief.step."+string(k))
	}
	for _, s := range portal.ReliefStatuses {
		keys = append(keys, "relief.status."+string(s), "relief.next."+string(s))
	}
	for _, tr := range portal.ReliefTransitions {
		keys = append(keys, "relief.event."+string(tr.Action))
	}
	for _, a := range supReliefActions {
		keys = append(keys, "supervision.action."+string(a), "supervision.notice."+string(a))
	}
	for _, k := range []string{"accepted", "declined", "info_requested", "step", "notice", "notice_answered", "closed", "message"} {
		keys = append(keys, "notify.relief."+k)
	}
	for _, c := range []portal.FilerCapacity{portal.CapacitySelf, portal.CapacityGuardian, portal.CapacityLawyer} {
		keys = append(keys, "supervision.capacity."+string(c))
	}
	for _, s := range supCaseStatuses {
		keys = append(keys, "status."+string(s))
	}
	if supLeaks != nil {
		for _, s := range supLeaks.statuses {
			keys = append(keys, "leak.status."+s)
		}
	}
	for _, k := range keys {
		if !views.HasMessage(k) {
			t.Errorf("no message for %s", k)
			continue
		}
		zh, en := views.Translate(views.LangZH, k), views.Translate(views.LangEN, k)
		if strings.TrimSpace(zh) == "" || strings.TrimSpace(en) == "" || zh == en && zh != "—" {
			t.Errorf("%s: incomplete translation %q / %q", k, zh, en)
		}
		if strings.Contains(strings.ToLower(en), "has a criminal record") || strings.Contains(zh, "有犯罪记录") {
			t.Errorf("%s: says a criminal record exists", k)
		}
	}
}
