package handlers

import (
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"sealportal/portal"
	"sealportal/store"
)

// Shared by the applicant's, the case pages' and the staff console's handlers.

// pathID reads a numeric id from the route; anything else is a 404, like an
// id that does not exist.
func pathID(c echo.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		return 0, portal.NotFound()
	}
	return id, nil
}

// today is the current date in China, from the injectable clock.
func (s *Server) today() portal.Date { return portal.DateOf(s.cfg.Clock()) }

// citizenCase loads a case for a signed-in citizen: only an account linked to
// the case (its filer, or the person it is about) sees it; everyone else gets
// the same 404 as for an id that does not exist.
func (s *Server) citizenCase(c echo.Context, id uint64) (portal.Case, store.Relation, error) {
	u := currentUser(c)
	if u == nil || !u.Role.IsCitizen() {
		return portal.Case{}, "", portal.NotFound()
	}
	rel, err := s.db.Relation(u.ID, id)
	if err != nil {
		return portal.Case{}, "", err
	}
	if rel == "" || rel == store.RelPerson && !u.IdentityVerified {
		// Issue 11: a link by identity number is the verified person's only.
		return portal.Case{}, "", portal.NotFound()
	}
	cs, err := s.db.Case(id)
	if err != nil {
		return cs, rel, err
	}
	if s.formerGuardian(u, cs, rel) {
		// R1: on the 18th birthday the guardian's access ends entirely; the
		// first visit afterwards records it (and hands a draft or a returned
		// case to the adult), and every page says what happened.
		if _, err := s.db.NoticeGuardianAccessEnded(cs.ID, u.ID); err != nil {
			return portal.Case{}, "", err
		}
		return portal.Case{}, "", portal.Forbidden("identity.guardian_access_ended")
	}
	return cs, rel, nil
}

// formerGuardian reports whether u filed the case as the person's guardian
// and the person has since turned 18 (R1, computed at read time).
func (s *Server) formerGuardian(u *portal.Account, cs portal.Case, rel store.Relation) bool {
	return rel == store.RelFiler && u.Role == portal.RoleGuardian && cs.Capacity == portal.CapacityGuardian &&
		portal.GuardianAccessEnded(cs, s.today())
}

// seesOrganMaterial reports whether the signed-in citizen may see what the
// organs hold on the case (their documents, messages, who looked) rather than
// only what the account filed itself (issue 11): the verified person; the
// person who filed, once verified as that person; a guardian once the organ
// verified the guardianship; the lawyer who filed.
func seesOrganMaterial(u *portal.Account, cs portal.Case, rel store.Relation) bool {
	switch {
	case rel == store.RelPerson:
		return u.IdentityVerified
	case rel != store.RelFiler:
		return false
	case u.Role == portal.RoleMinor:
		return u.IdentityVerified && u.SameDocument(cs) && portal.NamesMatch(u.Name, cs.PersonName)
	case u.Role == portal.RoleGuardian:
		return cs.GuardianshipVerified
	case u.Role == portal.RoleLawyer:
		return true
	}
	return false
}

// sealedContents reports whether a case page shows a sealed record's
// contents, whose every read by any account is audited.
func sealedContents(cs portal.Case) bool {
	switch cs.Status {
	case portal.StatusSealed, portal.StatusCompleted, portal.StatusUnsealingReview, portal.StatusUnsealingApproval:
		return true
	}
	return cs.ExOfficio && cs.Status != portal.StatusDraft
}

// applicantMayAct reports whether the signed-in citizen may take a new step on
// the case: the person himself always; the guardian who filed only while the
// person is under 18 (afterwards the person takes the case over and what the
// guardian filed stays); the lawyer who filed.
func (s *Server) applicantMayAct(u *portal.Account, cs portal.Case, rel store.Relation) bool {
	switch {
	case rel == store.RelPerson:
		return true
	case rel == store.RelFiler && u.Role == portal.RoleGuardian:
		if _, known := cs.PersonBirthDate(); !known {
			return cs.Status == portal.StatusDraft // a new draft before the person's number is entered
		}
		return portal.GuardianMayAct(cs, s.today())
	case rel == store.RelFiler:
		return true
	}
	return false
}

// staffActor is the capacity in which an official acts on a case: the
// deciding organ's staff decide, a holding organ's staff confirm sealing. The
// supervisor reads every case but takes none of these steps. ok is false when
// the official's organ has nothing to do with the case (answered with 404).
func staffActor(u *portal.Account, cs portal.Case) (actor portal.Actor, ok bool) {
	switch {
	case u.Role == portal.RoleSupervisor:
		return "", true
	case !u.Role.IsOrgan() || u.OrganID == 0:
		return "", false
	case cs.DecidingOrganID == u.OrganID:
		return portal.ActorDecider, true
	case cs.Holds(u.OrganID):
		return portal.ActorHolder, true
	}
	return "", false
}

// readUpload reads one uploaded file and has portal.CheckUpload decide, by
// its content alone, whether it may be kept: what comes back is the cleaned
// file (images encoded again without their metadata) and its description.
// The name the browser sent is kept only for display, sanitized; it is never
// used as a path, and the browser's Content-Type is ignored.
// budget is the request's decode budget, shared by its files.
func readUpload(fh *multipart.FileHeader, budget *portal.UploadBudget) (portal.Document, []byte, error) {
	if fh.Size > portal.MaxDocumentBytes {
		return portal.Document{}, nil, &portal.Error{Code: portal.CodeInvalid, Key: "upload.too_big", Fields: map[string]string{"file": "upload.too_big"}}
	}
	f, err := fh.Open()
	if err != nil {
		return portal.Document{}, nil, portal.Internal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, portal.MaxDocumentBytes+1))
	if err != nil {
		return portal.Document{}, nil, portal.Internal(err)
	}
	return portal.CheckUploadWithin(fh.Filename, b, budget)
}

// serveDocument sends a document's bytes as an attachment that the browser
// will neither sniff nor run: Content-Disposition attachment with an ASCII
// fallback name and the real (possibly Chinese) name in RFC 5987 encoding, so
// no byte of the uploader's name reaches the header unencoded; nosniff; a
// sandboxing CSP in case the file is opened in a tab anyway; and no caching,
// since these are personal documents. The type is one of the three accepted
// ones, decided from the content at upload; anything else (an older record)
// goes out as opaque bytes.
func serveDocument(c echo.Context, d portal.Document, content []byte) error {
	media := d.MediaType
	switch media {
	case portal.MediaPDF, portal.MediaJPEG, portal.MediaPNG:
	default:
		media = "application/octet-stream"
	}
	name := portal.DocumentName(d.Name, media)
	h := c.Response().Header()
	h.Set("Content-Disposition", "attachment; filename=\""+asciiFallbackName(name)+"\"; filename*=UTF-8''"+urlPathEscape(name))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(http.StatusOK, media, content)
}

// asciiFallbackName is the filename= parameter for clients without RFC 5987
// support: the name's letters, digits, dots, dashes, underscores and spaces,
// or "document" with the name's extension when too little of it is ASCII.
func asciiFallbackName(name string) string {
	ext := path.Ext(name)
	var b strings.Builder
	for _, r := range strings.TrimSuffix(name, ext) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == ' ' {
			b.WriteRune(r)
		}
	}
	stem := strings.Trim(b.String(), " .")
	if stem == "" {
		stem = "document"
	}
	return stem + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return -1
	}, ext)
}

func urlPathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_' {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}
