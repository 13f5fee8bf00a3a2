package views

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"
)

// DeskModel is what the desk (issue 16) adds to the list of cases: the cases
// that need the reader's action, a search kept on the server, and pages.
type DeskModel struct {
	Searchable  bool        // the lawyer's and the guardian's lists can be searched
	Search      string      // the search in force, "" for none
	SearchForm  Form        // the search form (its typed value and error)
	Action      []MyCaseRow // needs your action, at most one page
	ActionTotal int
	Page, Pages int
	Total       int    // cases matching the filter and the search
	Status      string // the status filter in force, kept by the page links
}

// DeskPageURL is the list's URL for a page: only the page number and the
// status filter (never a name or a number that identifies anyone).
func DeskPageURL(status string, page int) templ.SafeURL {
	v := url.Values{}
	if status != "" {
		v.Set("status", status)
	}
	v.Set("page", strconv.Itoa(page))
	return templ.SafeURL("/cases?" + v.Encode())
}
