package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The deciding organ's identity checks on the staff case page (issue 11): the
// official who accepts an application confirms, against the identity papers,
// that the person who filed it is the person it is about (which verifies
// that account), or checks the guardianship proof of a guardian's
// application (only then does the guardian see organ-held material). Both are
// explicit, audited steps.

// staffIdentityModel fills the identity-check part of the staff case page.
func (s *Server) staffIdentityModel(m *views.StaffCaseModel, cs portal.Case, actor portal.Actor, base string, st staffCaseState) error {
	if actor != portal.ActorDecider {
		return nil
	}
	m.IdentityURL, m.IdentityForm = base+"/identity", st.identityForm
	open := cs.Status == portal.StatusSubmitted || cs.Status == portal.StatusAccepted || cs.Status == portal.StatusUnderReview
	switch cs.Capacity {
	case portal.CapacitySelf:
		if cs.FiledBy == 0 {
			return nil
		}
		filer, err := s.db.Account(cs.FiledBy)
		if err != nil {
			if portal.ErrorCode(err) == portal.CodeNotFound {
				return nil
			}
			return err
		}
		if filer.IdentityVerified && filer.SameDocument(cs) {
			m.IdentityDone = "identity"
		} else if open {
			m.IdentityCheck = "identity"
		}
	case portal.CapacityGuardian:
		if cs.GuardianshipVerified {
			m.IdentityDone = "guardianship"
		} else if open {
			m.IdentityCheck = "guardianship"
		}
	}
	return nil
}

// handleStaffIdentity serves POST /staff/cases/:id/identity: check (the
// kind of check the page offered) and papers_checked=yes (the official's
// explicit confirmation that the papers were seen).
func (s *Server) handleStaffIdentity(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	check, confirmed := c.FormValue("check"), c.FormValue("papers_checked")
	cs, actor, err := s.staffCase(c, id)
	if err != nil {
		return err
	}
	if actor == "" {
		return portal.Forbidden("staff.read_only")
	}
	u := currentUser(c)
	fail := func(status int, f views.Form) error {
		return s.showStaffCase(c, status, id, actor, staffCaseState{identityForm: f})
	}
	if actor != portal.ActorDecider {
		return fail(http.StatusConflict, views.Form{Summary: "identity.not_decider"})
	}
	want := map[portal.FilerCapacity]string{portal.CapacitySelf: "identity", portal.CapacityGuardian: "guardianship"}[cs.Capacity]
	if check == "" || check != want {
		return fail(http.StatusUnprocessableEntity, views.Form{Summary: "identity.check_unknown"})
	}
	if confirmed != "yes" {
		return fail(http.StatusUnprocessableEntity, views.Form{Errors: map[string]string{"papers_checked": "identity.papers_required"}})
	}
	chk := store.OrganCheck{Official: *u, RequestID: requestID(c)}
	if check == "identity" {
		_, err = s.db.VerifyApplicantByOrgan(id, chk)
	} else {
		_, err = s.db.VerifyGuardianship(id, chk)
	}
	if err != nil {
		switch portal.ErrorCode(err) {
		case portal.CodeConflict, portal.CodeForbidden:
			return fail(http.StatusConflict, views.Form{Summary: errKey(err)})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/cases/%d?done=%s_verified#identity", id, check))
}
