package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// "Who looked at my record": the person — and the guardian or lawyer on the
// case — sees every access to the sealed record, drawn from the audit log's
// subject index and never editable: reads by the organs on duty, reads under
// an approved query, and attempts that were stopped (R16, R17). Each names the
// organ or unit from the reader's account, never the official's own name.

// accessActions are the audit actions that are an access to a case's record.
var accessActions = []portal.AuditAction{portal.AuditSealedRead, portal.AuditDocumentRead, portal.AuditQueryReadRefused}

// handleCaseAccessLog serves GET /cases/:id/access: only for accounts linked
// to the case (404 for anyone else, as for a case that does not exist).
func (s *Server) handleCaseAccessLog(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cs, rel, err := s.citizenCase(c, id)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if !seesOrganMaterial(u, cs, rel) {
		// Issue 11: who looked at a record is the verified person's (or the
		// verified guardian's, or the lawyer's) business.
		return portal.Forbidden("identity.case_unverified")
	}
	evs, err := s.db.AuditBySubject("case", id)
	if err != nil {
		return err
	}
	readers := map[uint64]portal.Account{}
	queries := map[uint64]portal.Query{}
	// Issue 16: the page says "sealed" only once the record is.
	m := views.AccessLogModel{Page: s.page(c, "accesslog.title"), CaseID: id, Ref: cs.Ref, Sealed: recordSealed(cs.Status)}
	for _, ev := range evs {
		if ev.ActorRole.IsCitizen() && (ev.Action == portal.AuditDocumentRead || ev.Action == portal.AuditCitizenRead) {
			// Issue 11: citizens' reads are shown too, by capacity.
			m.Entries = append(m.Entries, citizenAccessEntry(c, ev, u.ID))
			continue
		}
		if !slices.Contains(accessActions, ev.Action) || !ev.ActorRole.IsStaff() {
			continue
		}
		e := views.AccessEntry{At: ev.At, Role: ev.ActorRole, Kind: "read"}
		switch ev.Action {
		case portal.AuditDocumentRead:
			e.Kind = "document"
		case portal.AuditQueryReadRefused:
			e.Kind = "refused"
		}
		if ev.ActorID != 0 {
			a, ok := readers[ev.ActorID]
			if !ok {
				if a, err = s.db.Account(ev.ActorID); err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
					return err
				}
				readers[ev.ActorID] = a
			}
			e.Who = a.Organ // the organ's or unit's name, never the official's (R22)
		}
		if qid, rest, refused, ok := portal.ParseQueryAuditDetail(ev.Detail); ok {
			q, seen := queries[qid]
			if !seen {
				if q, err = s.db.Query(qid); err != nil && portal.ErrorCode(err) != portal.CodeNotFound {
					return err
				}
				queries[qid] = q
			}
			e.QueryRef, e.PurposeCategory, e.Purpose = q.Ref, q.PurposeCategory, q.Purpose
			if refused {
				e.RefusedKey = "accesslog.refused." + rest
			}
		} else {
			e.DutyKey = accessDutyKey(ev.Detail)
		}
		m.Entries = append(m.Entries, e)
	}
	// The person's own sign-ins from new devices (issue 11).
	if rel == store.RelPerson || u.Role == portal.RoleMinor {
		own, err := s.db.AuditBySubject("account", u.ID)
		if err != nil {
			return err
		}
		for _, ev := range own {
			if ev.Action == portal.AuditNewDevice {
				m.Entries = append(m.Entries, views.AccessEntry{At: ev.At, Role: ev.ActorRole, Kind: "new_device",
					Who: views.Translate(langOf(c), "accesslog.who_you"), DutyKey: "accesslog.duty.sign_in"})
			}
		}
		slices.SortStableFunc(m.Entries, func(a, b views.AccessEntry) int { return a.At.Compare(b.At) })
	}
	slices.Reverse(m.Entries) // newest first
	return s.render(c, http.StatusOK, views.AccessLogPage(m))
}

// accessDutyKey names the duty an organ read the case under, from the audit
// detail the staff console writes (purposeCaseDuty, purposeSupervision,
// possibly followed by ":document:<id>").
func accessDutyKey(detail string) string {
	head, _, _ := strings.Cut(detail, ":")
	switch head {
	case purposeCaseDuty, purposeSupervision:
		return "accesslog.duty." + head
	}
	return "accesslog.duty.other"
}

// citizenAccessEntry is a citizen's read of the case (issue 11): by the
// reader's capacity, "you" for the reader's own reads.
func citizenAccessEntry(c echo.Context, ev portal.AuditEvent, me uint64) views.AccessEntry {
	e := views.AccessEntry{At: ev.At, Role: ev.ActorRole, Kind: "case_read", DutyKey: "accesslog.duty.citizen"}
	if ev.Action == portal.AuditDocumentRead {
		e.Kind = "document"
	}
	if ev.ActorID == me {
		e.Who = views.Translate(langOf(c), "accesslog.who_you")
	} else {
		e.Who = views.Translate(langOf(c), views.TimelineActorKey(portal.CaseEvent{ActorRole: ev.ActorRole}))
	}
	return e
}
