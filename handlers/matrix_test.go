package handlers

import (
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"sealportal/portal"
)

// The authorization matrix (issue 6): every route of routes() × every role
// (and the visitor) × every ownership of the resource its path names, each
// with the answer it must give:
//
//   - a visitor on a guarded route: 303 to the login page, coming back after;
//   - a signed-in role the route does not allow: 403, before any id is read;
//   - an allowed role on another citizen's resource, another organ's, or an id
//     that does not exist: 404, the same answer for all three so that nothing
//     tells whether the resource exists;
//   - an allowed role on its own resource (or a route without ids): the
//     route's own answer, given in the spec row: 200 for a page, 303 after a
//     successful POST, 422 (or 409) when the form is refused — the point is
//     "let in, and not 403 or 404".
//
// A route added to routes() without a row in mxSpecs fails the test; so does
// a row whose route is gone.

var mxUpdate = flag.Bool("update", false, "rewrite the golden files in testdata/")

// mxSpec is one route's row: which resource its path ids name (a kind of
// mxWorld.res, "" when it has none), what a POST sends besides the CSRF
// token so that it reaches the handler's own check, and the route's answer to
// an allowed role on its own resource.
type mxSpec struct {
	kind string
	form url.Values
	ok   int
	// okFor is the answer where it differs by role (officials have a second
	// factor, citizens have none).
	okFor map[portal.Role]int
	// loc is where an allowed answer that redirects must go (a prefix); empty
	// means anywhere but back to signing in, changing the password or
	// verifying again — the session must carry the request.
	loc string
	// notFound is the answer to foreign, other-organ and unknown ids when it
	// is not 404, with the reason in a comment on the row.
	notFound int
	// order runs the row after the others of its browser: 1 after the other
	// forms (it deletes what they use), 2 for the forms that replace the
	// session, 3 for signing out.
	order int
}

// mxStaff gives every official (each has a second factor) the answer st;
// the citizens keep the row's ok.
func mxStaff(st int) map[portal.Role]int {
	m := map[portal.Role]int{}
	for _, r := range portal.StaffRoles {
		m[r] = st
	}
	return m
}

// mxForm builds a form from pairs.
func mxForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// mxSpecs is the table, keyed "METHOD /path" as in routes(). Kinds are the
// explicit map from a route's path parameters to fixtures
// (matrix_fixtures_test.go); forms are empty unless an empty one would stop
// before the check.
var mxSpecs = map[string]mxSpec{
	// The frame and accounts.
	"GET /":                  {ok: 200},
	"GET /lang":              {ok: 303},
	"GET /healthz":           {ok: 200},
	"GET /readyz":            {ok: 200},
	"GET /static/*":          {ok: 200},
	"GET /register":          {ok: 200},
	"POST /register":         {ok: 422, order: 2},
	"GET /login":             {ok: 200},
	"POST /login":            {ok: 422, order: 2},
	"POST /logout":           {ok: 303, loc: "/", order: 3},
	"GET /account":           {ok: 200},
	"GET /account/password":  {ok: 200},
	"POST /account/password": {ok: 422},
	// Registration by code, reset by SMS, e-mail for notices (contact.go).
	"POST /register/code": {ok: 422},
	"GET /login/forgot":   {ok: 200},
	"POST /login/forgot":  {ok: 422},
	"POST /login/reset":   {ok: 422},
	"GET /account/email":  {ok: 200},
	"POST /account/email": {form: mxForm("action", "send"), ok: 422},
	// No session named: 422 (a session of another account is not found).
	"POST /account/sessions/end": {ok: 422},
	// The time-out warning's keep-alive answers its script (formstate.go).
	"POST /session/keepalive": {ok: 204},

	// The eligibility check and the JSON APIs.
	"GET /check":                   {ok: 200},
	"POST /check":                  {ok: 303, loc: "/check/birth-date"}, // a page of the older single-address check
	"GET /check/birth-date":        {ok: 200},
	"POST /check/birth-date":       {ok: 303, loc: "/check/birth-date"}, // nothing typed: the question again
	"GET /check/acts":              {ok: 303, loc: "/check/birth-date"}, // the current question
	"POST /check/acts":             {ok: 303, loc: "/check/"},
	"GET /check/main-act":          {ok: 303, loc: "/check/birth-date"},
	"POST /check/main-act":         {ok: 303, loc: "/check/"},
	"GET /check/outcome":           {ok: 303, loc: "/check/birth-date"},
	"POST /check/outcome":          {ok: 303, loc: "/check/"},
	"GET /check/penalty":           {ok: 303, loc: "/check/birth-date"},
	"POST /check/penalty":          {ok: 303, loc: "/check/"},
	"GET /check/term":              {ok: 303, loc: "/check/birth-date"},
	"POST /check/term":             {ok: 303, loc: "/check/"},
	"GET /check/result":            {ok: 303, loc: "/check/birth-date"},
	"GET /check/restart":           {ok: 303, loc: "/check/"},
	"POST /check/restart":          {ok: 303, loc: "/check/birth-date"},
	"POST /check/apply":            {ok: 303, loc: "/apply/"}, // a new application (no answers: an empty one)
	"POST /api/v1/eligibility":     {ok: 415},
	"POST /api/v1/unsealing-check": {ok: 415},
	// Issue 17: the API's description, and the organs' bulk API, which
	// answers 401 to anything without an organ's credential.
	"GET /api/v1/openapi.json":          {ok: 200},
	"POST /api/v1/organ/records":        {ok: 401},
	"GET /api/v1/organ/jobs/:id":        {kind: "ingest-job", ok: 401, notFound: 401},
	"GET /api/v1/organ/jobs/:id/errors": {kind: "ingest-job", ok: 401, notFound: 401},

	// The applicant's journey.
	"GET /apply":                            {ok: 200},
	"POST /apply":                           {ok: 303},
	"GET /apply/:id":                        {kind: "draft", ok: 200},
	"GET /apply/:id/person":                 {kind: "draft", ok: 200},
	"POST /apply/:id/person":                {kind: "draft", ok: 422},
	"GET /apply/:id/case":                   {kind: "draft", ok: 200},
	"POST /apply/:id/case":                  {kind: "draft", ok: 422},
	"GET /apply/:id/organs":                 {kind: "draft", ok: 200},
	"POST /apply/:id/organs":                {kind: "draft", ok: 422},
	"GET /apply/:id/documents":              {kind: "draft", ok: 200},
	"POST /apply/:id/documents":             {kind: "draft", ok: 422},
	"POST /apply/:id/documents/needed":      {kind: "draft", ok: 303, loc: "/apply/"}, // nothing still needed: on to the task list
	"GET /apply/:id/documents/:doc":         {kind: "draft-doc", ok: 200},
	"POST /apply/:id/documents/:doc/remove": {kind: "draft-doc-removable", ok: 303},
	"GET /apply/:id/declarations":           {kind: "draft", ok: 200},
	"POST /apply/:id/declarations":          {kind: "draft", ok: 422},
	"GET /apply/:id/check":                  {kind: "draft", ok: 200},
	"POST /apply/:id/submit":                {kind: "draft", ok: 422},
	"GET /apply/:id/done":                   {kind: "case", ok: 200},
	"GET /apply/:id/delete":                 {kind: "draft", ok: 200},
	"POST /apply/:id/delete":                {kind: "draft-deletable", ok: 303},

	// Citizens' cases.
	"GET /cases":                    {ok: 200},
	"POST /cases/search":            {ok: 422},
	"GET /cases/:id":                {kind: "case", ok: 200},
	"GET /cases/:id/documents/:doc": {kind: "case-doc", ok: 200},
	"POST /cases/:id/messages":      {kind: "case", ok: 422},
	"GET /cases/:id/withdraw":       {kind: "case", ok: 200},
	"POST /cases/:id/withdraw":      {kind: "case-withdrawable", ok: 303},
	"GET /notifications":            {ok: 200},
	"POST /notifications/read":      {ok: 303},
	"GET /cases/:id/access":         {kind: "case", ok: 200},

	// Identity (issue 11). The matrix server has no identity provider
	// configured, so the OpenID Connect round trip answers 404 to everyone
	// let in, as a route that is not there.
	"GET /identity":               {ok: 200},
	"POST /identity/oidc":         {ok: 404},
	"GET /identity/oidc/callback": {ok: 404},

	// The officials' console.
	"GET /staff":                            {ok: 200},
	"GET /staff/cases/new":                  {ok: 200},
	"POST /staff/cases/new":                 {ok: 422},
	"GET /staff/cases/:id":                  {kind: "staff-case", ok: 200},
	"GET /staff/cases/:id/documents/:doc":   {kind: "staff-case-doc", ok: 200},
	"POST /staff/cases/:id/messages":        {kind: "staff-case", ok: 422},
	"POST /staff/cases/:id/actions/:action": {kind: "staff-case-action", ok: 409},
	"POST /staff/cases/:id/identity":        {kind: "staff-case", ok: 422},
	"GET /staff/cases/:id/unsealing":        {kind: "decided-case", ok: 200},
	"POST /staff/cases/:id/unsealing":       {kind: "decided-case", ok: 422},
	// Issue 18: no verdict posted, so the row changes nothing.
	"POST /staff/cases/:id/unsealing/approve": {kind: "decided-case", ok: 422},
	// R30: a birth date in the future is refused, so the row changes nothing.
	"POST /staff/cases/:id/court-birth-date": {kind: "decided-case", form: mxForm("court_birth_date", "2999-01-01"), ok: 422},
	"GET /staff/cases/:id/cooffenders":       {kind: "decided-case", ok: 200},
	"POST /staff/cases/:id/cooffenders":      {kind: "decided-case", form: mxForm("numbers", "(2024)矩刑初字第1号"), ok: 303},
	"GET /staff/cooffender":                  {ok: 200},
	"GET /staff/corrections":                 {ok: 200},
	"GET /staff/corrections/:id":             {kind: "correction", ok: 200},
	"POST /staff/corrections/:id/answer":     {kind: "correction", ok: 422},
	"GET /staff/queries":                     {ok: 200},
	"GET /staff/queries/:id":                 {kind: "staff-query", ok: 200},
	"POST /staff/queries/:id/approve":        {kind: "staff-query", ok: 422},
	"POST /staff/queries/:id/refuse":         {kind: "staff-query", ok: 422},
	"GET /staff/certificates":                {ok: 200},
	"GET /staff/certificates/:id":            {kind: "police-cert", ok: 200},
	"GET /staff/sealed-info":                 {ok: 200},
	"POST /staff/sealed-info":                {form: mxForm("case_number", "", "kind", "civil", "basis", "CX"), ok: 422},
	"POST /staff/certificates/:id/check":     {kind: "police-cert", form: mxForm("result", "no_record", "reference", "MX-1"), ok: 303},
	// After the check (R14: no answer without the official's recorded check).
	"POST /staff/certificates/:id/issue":     {kind: "police-cert", ok: 303, order: 1},
	"POST /staff/certificates/:id/objection": {kind: "police-cert-objection", ok: 422},

	// Relief requests.
	"GET /relief":                           {ok: 200},
	"GET /relief/new":                       {ok: 200},
	"POST /relief/new":                      {ok: 422},
	"GET /relief/:id":                       {kind: "relief", ok: 200},
	"GET /relief/:id/edit":                  {kind: "relief-draft", ok: 200},
	"POST /relief/:id/edit":                 {kind: "relief-draft", ok: 422},
	"GET /relief/:id/evidence":              {kind: "relief-draft", ok: 200},
	"POST /relief/:id/evidence":             {kind: "relief-draft", ok: 422},
	"POST /relief/:id/evidence/:doc/delete": {kind: "relief-draft-doc", ok: 303},
	"GET /relief/:id/check":                 {kind: "relief-draft", ok: 200},
	"POST /relief/:id/submit":               {kind: "relief-draft", ok: 303, order: 1}, // after the other forms on the draft
	"GET /relief/:id/confirmation":          {kind: "relief", ok: 200},
	"GET /relief/:id/documents/:doc":        {kind: "relief-doc", ok: 200},
	"POST /relief/:id/messages":             {kind: "relief", ok: 422},
	"GET /relief/:id/withdraw":              {kind: "relief", ok: 200},
	"POST /relief/:id/withdraw":             {kind: "relief-withdrawable", ok: 303},

	// Leak reports.
	"GET /report":                               {ok: 200},
	"POST /report":                              {ok: 422},
	"POST /report/files/:doc/remove":            {kind: "leak-draft-doc", ok: 303},
	"GET /report/check":                         {ok: 303, loc: "/report"}, // the browser\'s draft is not ready to check
	"POST /report/submit":                       {ok: 422},
	"GET /report/mine":                          {ok: 200},
	"GET /report/mine/:id":                      {kind: "leak-mine", ok: 200},
	"GET /track":                                {ok: 200},
	"POST /track":                               {ok: 422},
	"POST /track/add":                           {ok: 404}, // public: a code that opens no report
	"GET /supervision/leaks/:id":                {kind: "sup-leak", ok: 200},
	"GET /supervision/leaks/:id/documents/:doc": {kind: "sup-leak-doc", ok: 200},
	"POST /supervision/leaks/:id/start":         {kind: "sup-leak-start", ok: 303},
	"POST /supervision/leaks/:id/findings":      {kind: "sup-leak", ok: 409},
	"POST /supervision/leaks/:id/close":         {kind: "sup-leak", ok: 409}, // not yet investigated

	// The supervision console.
	"GET /supervision":                             {ok: 200},
	"GET /supervision/relief/:id":                  {kind: "sup-relief", ok: 200},
	"GET /supervision/relief/:id/documents/:doc":   {kind: "sup-relief-doc", ok: 200},
	"POST /supervision/relief/:id/messages":        {kind: "sup-relief", ok: 422},
	"POST /supervision/relief/:id/actions/:action": {kind: "sup-relief-action", ok: 303},
	"GET /supervision/unsealing":                   {ok: 200},
	// Supervision opinions, lists and the leak investigation (R24, R25, R33).
	"GET /supervision/opinions":                 {ok: 200},
	"GET /supervision/opinions/new":             {ok: 200},
	"POST /supervision/opinions":                {ok: 400}, // no subject named: a request no form of the portal sends
	"GET /supervision/opinions/:id":             {kind: "sup-opinion", ok: 200},
	"GET /supervision/refusals":                 {ok: 200},
	"GET /supervision/unconfirmed":              {ok: 200},
	"POST /supervision/leaks/:id/investigation": {kind: "sup-leak", ok: 422}, // no login typed
	"GET /supervision/leaks/:id/investigation":  {kind: "sup-leak", ok: 200},
	"GET /staff/opinions":                       {ok: 200},
	"GET /staff/opinions/:id":                   {kind: "opinion", ok: 200},
	"POST /staff/opinions/:id/answer":           {kind: "opinion", ok: 422},
	// Issue 18: nothing is pending on the organ's sent case, so the second
	// official's answer is refused (409) after access was decided.
	"POST /staff/cases/:id/override/approve": {kind: "staff-case", ok: 409},
	"POST /staff/cases/:id/override/reject":  {kind: "staff-case", form: mxForm("note", "矩阵"), ok: 409},
	"GET /supervision/overrides":             {ok: 200},
	"GET /staff/notifications":               {ok: 200},
	"POST /staff/notifications/read":         {ok: 303, loc: "/staff/notifications"},
	// The supervisor keeps the referred record sealed: 303. A case on which no
	// review waits gets 409 from the store before it looks the case up, so an
	// unknown case gets the same 409; the supervisor reads every case, so this
	// tells nothing about which exist.
	"POST /supervision/unsealing/:case/decide": {kind: "unseal-review", form: mxForm("verdict", "keep", "reasons", "矩阵理由"), ok: 303, notFound: 409},

	// Public information.
	"GET /help":        {ok: 200},
	"GET /rights":      {ok: 200},
	"GET /help/relief": {ok: 200},
	"GET /help/report": {ok: 200},
	// Issue 16: contacts, glossary, the quick exit that signs out.
	"GET /help/contact":  {ok: 200},
	"GET /help/glossary": {ok: 200},
	"POST /exit":         {ok: 303, loc: "/exit", order: 3},
	"GET /exit":          {ok: 200},

	// Queries of sealed records.
	"GET /queries":                    {ok: 200},
	"GET /queries/new":                {ok: 200},
	"POST /queries/new":               {ok: 422},
	"GET /queries/:id":                {kind: "query", ok: 200},
	"GET /queries/:id/confirmation":   {kind: "query", ok: 200},
	"POST /queries/:id/commitment":    {kind: "query", ok: 422},
	"POST /queries/:id/read":          {kind: "query", ok: 200},
	"GET /queries/:id/documents/:doc": {kind: "query-doc", ok: 200},

	// Certificates and verification.
	"GET /certificates":     {ok: 200},
	"POST /certificates":    {ok: 422},
	"GET /certificates/:id": {kind: "cert", ok: 200},
	// The citizen's own request is not answered yet: nothing to object to.
	"POST /certificates/:id/objection": {kind: "cert", form: mxForm("reason", "不服"), ok: 409},
	"GET /verify":                      {ok: 200},
	"POST /verify":                     {ok: 422},

	// The second factor and the administrator's console.
	"GET /login/code":                     {ok: 303, loc: "/login?done=second_factor"}, // no login waits for its code
	"POST /login/code":                    {ok: 303, loc: "/login?done=second_factor", order: 2},
	"GET /account/totp":                   {ok: 200},
	"GET /account/totp/setup":             {ok: 200, okFor: mxStaff(303)}, // enrolled officials go to the status page
	"POST /account/totp/setup":            {ok: 422, okFor: mxStaff(303)},
	"GET /account/verify":                 {ok: 303, loc: "/account/totp/setup", okFor: mxStaff(200)}, // citizens have no second factor yet: enrol first
	"POST /account/verify":                {ok: 409, okFor: mxStaff(422)},
	"GET /sysadmin/accounts":              {ok: 200},
	"GET /sysadmin/accounts/:id/:action":  {kind: "sysadmin-account", ok: 200},
	"POST /sysadmin/accounts/:id/:action": {kind: "sysadmin-account", ok: 303},
	"POST /sysadmin/accounts/find":        {form: url.Values{"login": {"mx-sysadmin"}}, ok: 303, loc: "/sysadmin/accounts"},
	"GET /sysadmin/accounts/new":          {ok: 200},
	"POST /sysadmin/accounts/new":         {form: url.Values{"role": {"court"}, "organ": {"矩阵新法院"}, "name": {"新官员"}}, ok: 303, loc: "/sysadmin/accounts/created/"},
	// Another administrator's handover is foreign: the same 404 as none.
	"GET /sysadmin/accounts/created/:token": {kind: "sysadmin-handover", ok: 200},

	// The person's own data.
	"GET /account/data":                    {ok: 200},
	"GET /account/data.json":               {ok: 200},
	"GET /account/data/relief/:id/delete":  {kind: "relief-draft-deletable", ok: 200},
	"POST /account/data/relief/:id/delete": {kind: "relief-draft-deletable", ok: 303},
	"GET /account/data/leak-draft/delete":  {ok: 200},
	"POST /account/data/leak-draft/delete": {ok: 303, order: 1},

	// Issue 18, the workbench. Accepting a sealed case is refused (409) and an
	// empty form is refused (422), so the rows change nothing.
	"POST /staff/cases/:id/accept-review": {kind: "decided-case", ok: 409},
	"POST /staff/cases/:id/assign":        {kind: "staff-case", ok: 422},
	"POST /staff/confirm-sealing":         {ok: 422},
	"GET /staff/search":                   {ok: 200},
	"POST /staff/search":                  {ok: 422},
	"GET /staff/results/:id":              {kind: "workbench-results", ok: 200},
	"GET /staff/mine":                     {ok: 200},
	"GET /staff/register":                 {ok: 200},
	"GET /staff/register.csv":             {ok: 200},
	// Issue 17: statistics, the supervisor's of every organ and its research
	// export, an organ's own.
	"GET /supervision/statistics":              {ok: 200},
	"GET /supervision/statistics.csv":          {ok: 200},
	"GET /supervision/statistics/research.csv": {ok: 200},
	"GET /staff/statistics":                    {ok: 200},
	"GET /staff/statistics.csv":                {ok: 200},
}

// mxOwnership is one column of the matrix.
type mxOwnership string

const (
	mxNone       mxOwnership = "-" // the route names no resource
	mxOwn        mxOwnership = "own"
	mxForeign    mxOwnership = "foreign"
	mxOtherOrgan mxOwnership = "other-organ"
	mxUnknown    mxOwnership = "unknown"
)

// mxRow is one request of the matrix and the answer it must get.
type mxRow struct {
	route route
	role  portal.Role
	own   mxOwnership
	path  string
	form  url.Values
	want  int
	// wantLogin: a 303 to the login page that comes back to path.
	wantLogin bool
	// loc is the spec's loc.
	loc string
}

var mxParamRE = regexp.MustCompile(`:[a-z_]+`)

// mxPath fills a route's pattern with the resource's parameters.
func mxPath(pattern string, p mxParams) (string, error) {
	var missing []string
	out := mxParamRE.ReplaceAllStringFunc(pattern, func(name string) string {
		v, ok := p[name[1:]]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("no fixture value for %s", strings.Join(missing, ", "))
	}
	return strings.Replace(out, "*", "app.css", 1), nil
}

func mxRouteKey(r route) string { return r.method + " " + r.path }

// mxCheckSpecs fails for a route without a row and a row without a route, and
// returns the routes that have one.
func mxCheckSpecs(t *testing.T, w *mxWorld) []route {
	t.Helper()
	var covered []route
	seen := map[string]bool{}
	for _, r := range routes() {
		key := mxRouteKey(r)
		seen[key] = true
		sp, ok := mxSpecs[key]
		if !ok {
			t.Errorf("route %s has no row in the authorization matrix: add one to mxSpecs in handlers/matrix_test.go "+
				"(the resource kind its path ids name, from matrix_fixtures_test.go, the form that reaches its check, and its answer to an allowed role)", key)
			continue
		}
		hasParams := mxParamRE.MatchString(r.path)
		switch {
		case hasParams && sp.kind == "":
			t.Errorf("route %s has path ids but its matrix row names no resource kind", key)
			continue
		case !hasParams && sp.kind != "":
			t.Errorf("route %s has no path ids but its matrix row names the kind %q", key, sp.kind)
			continue
		case sp.kind != "" && w.res[sp.kind] == nil:
			t.Errorf("route %s: no fixtures of kind %q in matrix_fixtures_test.go", key, sp.kind)
			continue
		}
		covered = append(covered, r)
	}
	for key := range mxSpecs {
		if !seen[key] {
			t.Errorf("the authorization matrix has a row for %s, which is no longer in routes(): remove it", key)
		}
	}
	return covered
}

// mxRows builds the role's requests, pages first, then forms; the forms that
// end or replace the session (logout, login, register) come last.
func mxRows(t *testing.T, w *mxWorld, rs []route, role portal.Role) []mxRow {
	t.Helper()
	var rows []mxRow
	for _, r := range rs {
		sp := mxSpecs[mxRouteKey(r)]
		type variant struct {
			own mxOwnership
			p   mxParams
		}
		variants := []variant{{mxNone, nil}}
		if sp.kind != "" {
			res := w.res[sp.kind]
			variants = []variant{{mxOwn, res.ownFor(role)}}
			if res.foreign != nil {
				variants = append(variants, variant{mxForeign, res.foreign})
			}
			if res.otherOrgan != nil {
				variants = append(variants, variant{mxOtherOrgan, res.otherOrgan})
			}
			if res.unknown != nil {
				variants = append(variants, variant{mxUnknown, res.unknown})
			}
		}
		for _, v := range variants {
			path, err := mxPath(r.path, v.p)
			if err != nil {
				t.Errorf("%s (%s, %s): %v", mxRouteKey(r), sp.kind, v.own, err)
				continue
			}
			row := mxRow{route: r, role: role, own: v.own, path: path, form: sp.form}
			switch {
			case role == mxAnonymous && !r.access.public:
				row.wantLogin, row.want = true, http.StatusSeeOther
			case role != mxAnonymous && !r.access.allows(role):
				row.want = http.StatusForbidden
			case v.own == mxNone, v.own == mxOwn,
				v.own == mxOtherOrgan && role == portal.RoleSupervisor && w.res[sp.kind].supervisorAll:
				row.want = sp.ok
				if st, ok := sp.okFor[role]; ok {
					row.want = st
				}
			default:
				row.want = http.StatusNotFound
				if sp.notFound != 0 {
					row.want = sp.notFound
				}
			}
			row.loc = sp.loc
			rows = append(rows, row)
		}
	}
	last := func(r mxRow) int {
		if r.route.method == http.MethodGet {
			return 0
		}
		return 1 + mxSpecs[mxRouteKey(r.route)].order
	}
	sort.SliceStable(rows, func(i, j int) bool { return last(rows[i]) < last(rows[j]) })
	return rows
}

// mxSend makes the row's request without following a redirect; a POST carries
// the browser's CSRF token, so that what is tested is authorization.
func mxSend(w *mxWorld, c *testClient, row mxRow) *testPage {
	if row.route.method == http.MethodGet {
		return c.do(http.MethodGet, row.path, nil)
	}
	v := url.Values{}
	for k, vs := range row.form {
		v[k] = vs
	}
	v.Set(csrfField, c.cookie(mxCookie(w.testServer, "csrf")))
	p := c.do(row.route.method, row.path, v)
	return followFormAnswer(c, p)
}

// mxRefusalText is the message of the error page for each refusal, in the
// default language (the browsers send no language).
var mxRefusalText = map[int]string{
	http.StatusForbidden: "你没有权限访问此页面",
	http.StatusNotFound:  "找不到该页面",
}

// mxCheck reports what is wrong with the answer, "" when nothing.
func mxCheck(row mxRow, p *testPage) string {
	loc := p.header.Get("Location")
	got := fmt.Sprintf("%d", p.status)
	if loc != "" {
		got += " to " + loc
	}
	if p.status != row.want {
		return fmt.Sprintf("answered %s, want %d", got, row.want)
	}
	if row.wantLogin {
		if want := "/login?next=" + safeNext(ownerPage(row.path)); loc != want {
			return fmt.Sprintf("answered %s, want 303 to %s", got, want)
		}
		return ""
	}
	// A refusal is the portal's one error page, the same words whatever was
	// asked for: a 404 of another's resource must read exactly like the 404 of
	// an id that does not exist.
	if want, ok := mxRefusalText[row.want]; ok && (row.want == http.StatusForbidden || row.own != mxOwn && row.own != mxNone) {
		if msg, _ := p.testid("error-message"); msg != want {
			return fmt.Sprintf("answered %s with the message %q, want the error page's %q", got, msg, want)
		}
	}
	if p.status < 300 || p.status >= 400 || row.want == http.StatusForbidden || row.want == http.StatusNotFound {
		return ""
	}
	if row.loc != "" {
		if loc != row.loc && !strings.HasPrefix(loc, row.loc+"?") && !strings.HasPrefix(loc, row.loc+"#") && !(strings.HasSuffix(row.loc, "/") && strings.HasPrefix(loc, row.loc)) {
			return fmt.Sprintf("answered %s, want %d to %s", got, row.want, row.loc)
		}
		return ""
	}
	// A signed-in account let in must not be sent to sign in again, to change
	// its password or to verify itself: then nothing was tested.
	if row.role != mxAnonymous {
		for _, bad := range []string{"/login", "/account/password", "/account/verify", "/account/totp/setup"} {
			if strings.HasPrefix(loc, bad) {
				return fmt.Sprintf("answered %s: the session did not carry the request", got)
			}
		}
	}
	return ""
}

// TestAuthorizationMatrix runs every row of the matrix against one portal.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := newMatrixWorld(t)
	rs := mxCheckSpecs(t, w)
	var executed, failed atomic.Int64
	perRole := make([]int, len(mxRoles))
	t.Run("roles", func(t *testing.T) {
		for i, role := range mxRoles {
			t.Run(string(role), func(t *testing.T) {
				t.Parallel()
				c := w.signIn(t, role, i)
				rows := mxRows(t, w, rs, role)
				perRole[i] = len(rows)
				for _, row := range rows {
					p := mxSend(w, c, row)
					executed.Add(1)
					if msg := mxCheck(row, p); msg != "" {
						failed.Add(1)
						t.Errorf("%s %s as %s (%s, %s): %s", row.route.method, row.path, row.role, row.route.path, row.own, msg)
					}
				}
			})
		}
	})
	summary := make([]string, len(mxRoles))
	for i, role := range mxRoles {
		summary[i] = fmt.Sprintf("%s %d", role, perRole[i])
	}
	t.Logf("authorization matrix: %d routes of %d in routes(), %d roles, %d rows executed (%s), %d failed",
		len(rs), len(routes()), len(mxRoles), executed.Load(), strings.Join(summary, ", "), failed.Load())
	if len(rs) != len(routes()) {
		t.Errorf("the matrix covers %d of %d routes", len(rs), len(routes()))
	}
}

// TestAccessByRoleGolden lists the public routes, then per role every
// guarded route it can reach, so that a widened access declaration shows up
// in review as a changed golden file (go test ./handlers -run
// TestAccessByRoleGolden -update rewrites it).
func TestAccessByRoleGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("# Who can reach which route, from routes() (handlers/routes.go and routes_*.go).\n")
	b.WriteString("# Review every change: a new line under a role is a widened access.\n")
	b.WriteString("# Regenerate: go test ./handlers -run TestAccessByRoleGolden -update\n")
	section := func(name string, keep func(route) bool) {
		var keys []string
		for _, r := range routes() {
			if keep(r) {
				keys = append(keys, r.path+" "+r.method)
			}
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, "\n[%s] %d routes\n", name, len(keys))
		for _, k := range keys {
			path, method, _ := strings.Cut(k, " ")
			fmt.Fprintf(&b, "%-4s %s\n", method, path)
		}
	}
	section("public: everyone, signed in or not", func(r route) bool { return r.access.public })
	for _, role := range portal.AllRoles {
		section(string(role), func(r route) bool { return !r.access.public && r.access.allows(role) })
	}
	got := b.String()
	golden := filepath.Join("testdata", "access_by_role.golden")
	if *mxUpdate {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./handlers -run TestAccessByRoleGolden -update)", err)
	}
	if string(want) != got {
		t.Errorf("the routes each role can reach changed; review the difference and rerun with -update:\n%s", mxDiff(string(want), got))
	}
}

// mxDiff lists the lines only in want (-) and only in got (+), by section.
func mxDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		section := ""
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "[") {
				section, _, _ = strings.Cut(l, " ")
				continue
			}
			if l != "" && !strings.HasPrefix(l, "#") {
				m[section+" "+l]++
			}
		}
		return m
	}
	w, g := count(want), count(got)
	var out []string
	for l, n := range w {
		if g[l] < n {
			out = append(out, "- "+l)
		}
	}
	for l, n := range g {
		if w[l] < n {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "(only headers or order differ)"
	}
	return strings.Join(out, "\n")
}
