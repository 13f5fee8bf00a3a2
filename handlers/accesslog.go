package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
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
	cs, _, err := s.citizenCase(c, id)
	if err != nil {
		return err
	}
	evs, err := s.db.AuditBySubject("case", id)
	if err != nil {
		return err
	}
	readers := map[uint64]portal.Account{}
	queries := map[uint64]portal.Query{}
	m := views.AccessLogModel{Page: s.page(c, "accesslog.title"), CaseID: id, Ref: cs.Ref}
	for _, ev := range evs {
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
