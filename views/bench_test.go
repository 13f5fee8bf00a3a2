package views

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"sealportal/portal"
)

// Render benchmarks of the heaviest citizen pages, without the store: the
// lawyer's dashboard of 200 clients and a case page with its timeline,
// documents and messages.
//
//	go test -run '^$' -bench . -benchmem ./views/

func benchPage(title string) Page {
	return Page{TitleKey: title, Lang: LangZH, CSRF: "0123456789012345678901234567890123456789abc", Path: "/cases",
		User: &User{Role: portal.RoleLawyer}}
}

func BenchmarkRenderLawyerDashboard200(b *testing.B) {
	m := MyCasesModel{Page: benchPage("cases.dashboard_title"), Lawyer: true, Statuses: portal.CaseStatuses, Total: 200}
	due := portal.Date{Year: 2026, Month: 5, Day: 12}
	for i := range 200 {
		m.Rows = append(m.Rows, MyCaseRow{ID: uint64(i + 1), Ref: fmt.Sprintf("FC-2026-%06d", i+1), Status: portal.StatusSubmitted,
			Client: fmt.Sprintf("示例人员%07d", i), Due: due.AddDays(i%21 - 10), Overdue: i%21 < 10,
			Next: MyCaseNext{Key: "cases.next.organ_accept", Organ: "演示市人民法院", Due: due}})
	}
	ctx := WithLang(context.Background(), LangZH)
	b.ReportAllocs()
	for b.Loop() {
		if err := MyCasesPage(m).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderCasePage(b *testing.B) {
	at := time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)
	m := MyCaseModel{Page: benchPage("cases.case_title"), ID: 7, Ref: "FC-2026-000007", Status: portal.StatusUnderReview,
		DecidingOrgan: "演示市人民法院", OrganCaseNo: "(2025)示例刑初12号", Due: portal.Date{Year: 2026, Month: 5, Day: 14},
		Next: MyCaseNext{Key: "cases.next.organ_decide", Organ: "演示市人民法院"}, MayAct: true, CanMessage: true, CanWithdraw: true}
	for i, a := range []portal.CaseAction{portal.ActionSubmit, portal.ActionAccept, portal.ActionStartReview} {
		m.Timeline = append(m.Timeline, TimelineItem{Event: portal.CaseEvent{At: at.Add(time.Duration(i) * time.Hour), Action: a}, OrganName: "演示市人民法院"})
	}
	for i, k := range []portal.DocumentKind{portal.DocJudgment, portal.DocIdentity, portal.DocGuardianship} {
		m.Documents = append(m.Documents, MyCaseDocument{ID: uint64(i + 1), Name: string(k) + ".pdf", Kind: k, Size: 120_000, UploadedAt: at})
	}
	m.Messages = []MyCaseMessage{{FromOrgan: "演示市人民法院", FromRole: portal.RoleCourt, Text: "请补充材料。", At: at},
		{Mine: true, FromRole: portal.RoleGuardian, Text: "已补充。", At: at.Add(time.Hour)}}
	ctx := WithLang(context.Background(), LangZH)
	b.ReportAllocs()
	for b.Loop() {
		if err := MyCasePage(m).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
